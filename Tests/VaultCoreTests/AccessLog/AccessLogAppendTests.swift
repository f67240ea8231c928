import Foundation
import Testing
@testable import VaultCore
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

@Suite("access log: appending and reading")
struct AccessLogAppendTests {
  static let when = Date(timeIntervalSince1970: 1_800_000_123)

  @Test("keyed and sealed entries round-trip through entries() with every field preserved")
  func roundTrip() throws {
    let f = try LogFixture()
    let written = [
      LogEntry(action: "client-read", actor: "tester", time: Self.when, client: "K7F3-2Q", objects: ["ab12", "cd34"],
        reason: "intake review", detail: "ok"),
      LogEntry(action: "backup", actor: LogEntry.system, time: Self.when.addingTimeInterval(60), reason: "nightly"),
      LogEntry(action: "note-create", actor: "tester", time: Self.when.addingTimeInterval(3600), client: "K7F3-2Q"),
      LogEntry(action: "verify", actor: LogEntry.system, time: Self.when.addingTimeInterval(7200)),
    ]
    try f.log.append(written[0], unlocked: f.unlocked)
    try f.log.append(written[1], unlocked: nil)
    try f.log.append(written[2], unlocked: f.unlocked)
    try f.log.append(written[3])

    let read = try f.entries()
    try #require(read.count == 4)
    #expect(read.map(\.number) == [1, 2, 3, 4])
    #expect(read.map(\.entry) == written)
    #expect(read[0].entry.actor == "tester")
    #expect(read[0].entry.action == "client-read")
    #expect(read[0].entry.reason == "intake review")
    #expect(read[0].entry.time == "2027-01-15T08:02:03Z")
    #expect(read[1].entry.actor == "system")
    #expect(read[1].entry.reason == "nightly")
    #expect(read[1].entry.time == "2027-01-15T08:03:03Z")
    #expect(read[3].entry.reason == nil && read[3].entry.client == nil && read[3].entry.objects == nil)
    #expect(LogEntry.parse(read[2].entry.time) == Self.when.addingTimeInterval(3600))
    #expect(try f.rawEntries().records.map(\.mode) == [1, 2, 1, 2])
  }

  @Test("times are UTC RFC 3339 with whole seconds")
  func timeFormat() {
    #expect(LogEntry.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
    #expect(LogEntry.format(Self.when.addingTimeInterval(0.75)) == "2027-01-15T08:02:03Z")
    #expect(LogEntry.parse("2027-01-15T08:02:03Z") == Self.when)
    #expect(LogEntry.parse("yesterday") == nil)
  }

  @Test("a sealed body opens with the vault's log box key, a keyed one with its log subkey, both bound to their position")
  func bodiesDecryptWithTheVaultsKeys() throws {
    let f = try LogFixture()
    let sealed = LogEntry(action: "backup", actor: LogEntry.system, time: Self.when, reason: "nightly job")
    let keyed = LogEntry(action: "client-read", actor: "tester", time: Self.when, client: "C1")
    try f.log.append(sealed)
    try f.log.append(keyed, unlocked: f.unlocked)
    let records = try f.rawEntries().records
    let id = f.vault.config.vaultID
    #expect(records.map(\.seq) == [0, 1])

    #expect(records[0].mode == 2)
    let plain = try SealedBox.open(Array(records[0].body.dropFirst()), with: f.unlocked.keys.logBox!)
    let bind = entryBinding(vault: id, seq: 0)
    #expect(Array(plain.prefix(bind.count)) == bind)
    #expect(try JSONDecoder().decode(LogEntry.self, from: Data(plain.dropFirst(bind.count))) == sealed)

    #expect(records[1].mode == 1)
    let opened = try AEAD.open(Array(records[1].body.dropFirst()), using: f.unlocked.keys.logEntries!, binding: entryBinding(vault: id, seq: 1))
    #expect(try JSONDecoder().decode(LogEntry.self, from: Data(opened)) == keyed)
    // Bound to its position: the same body does not open as another entry.
    #expect(throws: (any Error).self) {
      try AEAD.open(Array(records[1].body.dropFirst()), using: f.unlocked.keys.logEntries!, binding: entryBinding(vault: id, seq: 0))
    }

    // Another vault's keys open neither.
    let other = try LogFixture()
    #expect(throws: (any Error).self) { try SealedBox.open(Array(records[0].body.dropFirst()), with: other.unlocked.keys.logBox!) }
    #expect(throws: (any Error).self) {
      try AEAD.open(Array(records[1].body.dropFirst()), using: other.unlocked.keys.logEntries!, binding: entryBinding(vault: id, seq: 1))
    }
  }

  @Test("the head starts at the genesis value and advances by one entry and one chain value per append")
  func headAdvances() throws {
    let f = try LogFixture()
    let empty = try f.log.head()
    #expect(empty.count == 0)
    #expect(empty.head == Hex.encode(try f.genesis()))
    #expect(empty.lastCheckpoint == nil)

    var seen: Set<String> = [empty.head]
    for i in 0..<6 {
      let returned = try f.append(keyed: i % 2 == 0)
      let head = try f.log.head()
      let records = try f.rawEntries().records
      #expect(head.count == UInt64(i + 1))
      #expect(returned.count == head.count && returned.head == head.head)
      #expect(head.head == Hex.encode(records.last!.chain))
      #expect(!seen.contains(head.head))
      seen.insert(head.head)
    }
    // The chain is exactly BLAKE2b-256(previous ‖ u64 seq ‖ body) from the genesis value.
    var chain = try f.genesis()
    for (i, r) in try f.rawEntries().records.enumerated() {
      #expect(r.seq == UInt64(i))
      #expect(r.length == r.trailing && Int(r.length) == r.body.count)
      chain = try chainValue(previous: chain, seq: r.seq, body: r.body)
      #expect(r.chain == chain)
    }
    #expect(try f.log.head().head == Hex.encode(chain))
  }

  @Test("only keyed appends write a checkpoint; it covers the whole log, carries its head and verifies")
  func checkpointsForKeyedAppendsOnly() throws {
    let f = try LogFixture()
    try f.append(keyed: false)
    let none = try f.log.checkpoints()
    #expect(none.checkpoints.isEmpty && !none.torn)
    #expect(try f.log.head().lastCheckpoint == nil)

    let first = try f.append(keyed: true)
    let afterFirst = try f.log.checkpoints()
    try #require(afterFirst.checkpoints.count == 1)
    #expect(!afterFirst.torn)
    #expect(afterFirst.checkpoints[0].count == 2)
    #expect(Hex.encode(afterFirst.checkpoints[0].head) == first.head)
    #expect(first.lastCheckpoint == afterFirst.checkpoints[0])

    let sealed = try f.append(keyed: false)
    let sealed2 = try f.append(keyed: false)
    #expect(try f.log.checkpoints().checkpoints.count == 1)
    #expect(sealed.lastCheckpoint == afterFirst.checkpoints[0])
    #expect(sealed2.lastCheckpoint == afterFirst.checkpoints[0])
    #expect(sealed2.count == 4)

    let keyed = try f.append(keyed: true)
    let all = try f.log.checkpoints().checkpoints
    try #require(all.map(\.count) == [2, 5])
    #expect(Hex.encode(all[1].head) == keyed.head)
    #expect(all[1].count == keyed.count)
    #expect(all[1].generation == (try f.unlocked.readIndex().generation))
    #expect(abs(all[1].time - Int64(Date().timeIntervalSince1970)) < 120)

    // Byte layout: 8-byte header, fixed-size records, signed over the binding, vault id and fields.
    #expect(try FileStatus.size(f.checkpointsPath) == 8 + 2 * RawCheckpoint.size)
    let raw = try f.rawCheckpoints()
    #expect(raw.rest.isEmpty)
    try #require(raw.checkpoints.map(\.count) == [2, 5])
    #expect(raw.checkpoints[1].head == all[1].head)
    #expect(raw.checkpoints.allSatisfy { $0.verifies(f.vault.config) })
    let other = try LogFixture()
    #expect(!raw.checkpoints[0].verifies(other.vault.config))

    let report = try f.verify()
    #expect(report.errors.isEmpty)
    #expect(report.checkpoints == 2)
  }

  @Test("log files are created 0600 in a 0700 directory")
  func fileModes() throws {
    let f = try LogFixture()
    try f.append(keyed: false)
    try f.append(keyed: true)
    #expect(try FileStatus.mode(f.entriesPath) == 0o600)
    #expect(try FileStatus.mode(f.checkpointsPath) == 0o600)
    #expect(try FileStatus.mode(f.vault.layout.log) == 0o700)
  }

  @Test("log files are 0600 even under umask 000")
  func fileModesUnderOpenUmask() async {
    await #expect(processExitsWith: .success) {
      guard let f = try? LogFixture() else { exit(2) }
      umask(0)
      let ok = (try? f.append(keyed: true)) != nil && (try? f.append(keyed: false)) != nil
        && (try? FileStatus.mode(f.entriesPath)) == 0o600 && (try? FileStatus.mode(f.checkpointsPath)) == 0o600
      exit(ok ? 0 : 1)
    }
  }

  @Test("the log files hold no plaintext of an entry: reason, client, actor or action")
  func noPlaintext() throws {
    let f = try LogFixture()
    let markers = ["REASON-MARKER-7c1e9", "CLIENT-MARKER-55aa", "ACTOR-MARKER-0b3d", "ACTION-MARKER-e44"]
    try f.log.append(LogEntry(action: markers[3], actor: markers[2], client: markers[1], reason: markers[0]), unlocked: f.unlocked)
    try f.log.append(LogEntry(action: markers[3], actor: markers[2], client: markers[1], reason: markers[0]))
    let files = try RawFile.read(f.entriesPath) + RawFile.read(f.checkpointsPath)
    for marker in markers + ["tester", "reason", "\"actor\""] {
      let needle = Array(marker.utf8)
      let found = files.count >= needle.count && (0...(files.count - needle.count)).contains { files[$0..<$0 + needle.count].elementsEqual(needle) }
      #expect(!found, "'\(marker)' appears in the clear")
    }
    // The entries are still there for the key holder.
    #expect(try f.entries().map(\.entry.reason) == [markers[0], markers[0]])
  }

  @Test("reading entries needs this vault's keys: another vault's keys get an integrity error naming entry 1")
  func entriesNeedTheKeys() throws {
    let f = try LogFixture()
    try f.append(keyed: false)
    let other = try LogFixture()
    do {
      try f.log.entries(unlocked: other.unlocked) { _, _ in }
      Issue.record("entries() opened a log with the wrong keys")
    } catch let VaultError.integrity(findings) {
      #expect(findings.first?.message.hasPrefix("entry 1 does not decrypt") == true)
    }
  }
}
