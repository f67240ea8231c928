import Foundation
import Testing
@testable import VaultCore
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

/// `AccessLog.signRoutineTail`: what keyless commands wrote is signed, anything else is not.
@Suite("access log: signing what keyless commands wrote")
struct RoutineSigningTests {
  /// A fresh vault whose init checkpoint is dated now (entries must not predate it).
  static func vault(_ dir: TemporaryDirectory) throws -> UnlockedVault {
    try Vault.create(at: dir.path + "/v", passphrase: secret("correct horse battery staple"), label: "tester", kdf: .insecureTest,
      now: Int64(Date().timeIntervalSince1970)).vault
  }

  /// Appends `entry` sealed as written, actor included, as a writer without the key can.
  static func plant(_ entry: LogEntry, in u: UnlockedVault) throws {
    let log = AccessLog(vault: u.vault)
    let file = try LogFile(path: log.layout.logEntries, kind: .logEntries, lock: LOCK_EX)
    let tail = try file.tail(vault: log.config.vaultID)
    let body = try LogRecord.seal(entry, seq: tail.count, vault: log.config, keys: nil)
    let chain = try LogRecord.chain(previous: tail.chain, seq: tail.count, body: body)
    try file.append(LogRecord(seq: tail.count, body: body, chain: chain).encoded)
  }

  @Test("a keyless backup's entry is signed by a new checkpoint, without a new entry; the keyed verification is then clean")
  func signsBackup() throws {
    let dir = try TemporaryDirectory()
    let u = try Self.vault(dir)
    let log = AccessLog(vault: u.vault)
    try log.append(LogEntry(action: "backup", actor: LogEntry.system, detail: "snapshot 00 to /x"))
    let before = try log.head()
    #expect(try log.signRoutineTail(unlocked: u) == 1)
    let after = try log.head()
    #expect(after.count == before.count, "no entry was added")
    #expect(after.lastCheckpoint?.count == after.count)
    #expect(try log.signRoutineTail(unlocked: u) == 0, "nothing left to sign")
    #expect(try LogVerifier(log: log).run(unlocked: u).findings.isEmpty)
  }

  @Test("a sealed entry naming a practitioner, even of a keyless kind, is never signed (a checkpoint ending at it would pass it off as theirs)")
  func refusesActor() throws {
    let dir = try TemporaryDirectory()
    let u = try Self.vault(dir)
    let log = AccessLog(vault: u.vault)
    try Self.plant(LogEntry(action: "backup", actor: "tester"), in: u)
    #expect(try log.signRoutineTail(unlocked: u) == 0)
    let findings = try LogVerifier(log: log).run(unlocked: u).findings
    #expect(findings.contains { $0.severity == .error && $0.message.contains("(forged)") }, "\(findings)")
    #expect(findings.contains { $0.severity == .warning && $0.message.contains("'backup': it names an actor") }, "\(findings)")
  }

  @Test("more unsigned entries than the limit are left unsigned; within it they are signed")
  func limit() throws {
    let dir = try TemporaryDirectory()
    let u = try Self.vault(dir)
    let log = AccessLog(vault: u.vault)
    try log.append(LogEntry(action: "info", actor: LogEntry.system))
    #expect(try log.signRoutineTail(unlocked: u, limit: 0) == 0)
    #expect(try log.signRoutineTail(unlocked: u) == 1)
  }
}
