import Foundation
import Testing
@testable import VaultCore

/// The door: every room records its access before handing anything back, refuses what it cannot
/// record, and a change whose entry cannot be written never takes effect.
@Suite("the access layer")
struct PracticeTests {
  /// A vault with one client; returns it, its code, and a writer practice.
  func setUp(_ dir: TemporaryDirectory) throws -> (Vault.Creation, String) {
    let created = try makeVault(in: dir)
    let practice = try Practice(created.vault.vault, unlocked: created.vault, mode: .write)
    let client = try practice.clients.add(ClientRecord(legalName: "Ann Lee", startDate: Day(year: 2026, month: 1, day: 5)!))
    return (created, client.code)
  }

  /// The (action, client) of every entry, keyed entries decrypted.
  func actions(_ created: Vault.Creation) throws -> [(String, String?)] {
    var out: [(String, String?)] = []
    try AccessLog(vault: created.vault.vault).entries(unlocked: created.vault) { _, e in out.append((e.action, e.client)) }
    return out
  }

  @Test("each read and write through a room leaves exactly one entry naming the action and the client")
  func everyAccessIsRecorded() throws {
    let dir = try TemporaryDirectory()
    let (created, code) = try setUp(dir)
    let note = try {
      let writer = try Practice(created.vault.vault, unlocked: created.vault, mode: .write)
      let note = try writer.notes.add(to: code, text: "first session\n", kind: .progress, date: Day(year: 2026, month: 1, day: 6)!, minutes: 50, sign: false)
      _ = try writer.notes.sign([note.id])
      return note
    }()
    let reader = try Practice(created.vault.vault, unlocked: created.vault, mode: .read)
    _ = try reader.notes.show(note.id)
    _ = try reader.clients.show("ann")
    _ = try reader.clients.list(includeDischarged: true)
    _ = try reader.consents.accounting(code)
    let log = try actions(created)
    #expect(log.map(\.0).suffix(7) == ["client-add", "note-add", "note-sign", "note-show", "client-show", "client-list", "disclosures-read"])
    #expect(log.suffix(7).filter { $0.0 != "client-list" }.allSatisfy { $0.1 == code })
  }

  @Test("a read the log cannot record reveals nothing; a change it cannot record does not happen")
  func unrecordableAccessIsRefused() throws {
    let dir = try TemporaryDirectory()
    let (created, code) = try setUp(dir)
    // The last record altered: it no longer matches the last checkpoint, so the log refuses to append.
    let path = created.vault.vault.layout.logEntries
    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    bytes[bytes.count - 10] ^= 0x40
    try bytes.write(to: URL(fileURLWithPath: path))
    let reader = try Practice(created.vault.vault, unlocked: created.vault, mode: .read)
    #expect(throws: VaultError.self) { _ = try reader.clients.show(code) }
    #expect(throws: VaultError.self) { _ = try reader.notes.list(client: code, filter: NoteFilter()) }
    // A writer refuses before changing anything, and the client keeps no note.
    #expect(throws: VaultError.self) {
      let writer = try Practice(created.vault.vault, unlocked: created.vault, mode: .write)
      _ = try writer.notes.add(to: code, text: "never saved\n", kind: .progress, date: Day(year: 2026, month: 1, day: 6)!, minutes: 0, sign: false)
    }
    #expect(try Records(created.vault).client(code).index.notes.isEmpty)
  }

  @Test("a practice opened for less than an action needs refuses it before any work")
  func modeIsEnforced() throws {
    let dir = try TemporaryDirectory()
    let (created, code) = try setUp(dir)
    let before = try actions(created).count
    let reader = try Practice(created.vault.vault, unlocked: created.vault, mode: .read)
    #expect(throws: AccessError.notOpenedFor(.noteAdd, .read)) {
      _ = try reader.notes.add(to: code, text: "x\n", kind: .progress, date: Day(year: 2026, month: 1, day: 6)!, minutes: 0, sign: false)
    }
    let keyless = try Practice(created.vault.vault, unlocked: nil, mode: .keyless)
    #expect(throws: AccessError.self) { _ = try keyless.clients.list(includeDischarged: true) }
    #expect(try actions(created).count == before)
    // Keyless work is recorded as "system".
    _ = try keyless.checks.info()
    #expect(try AccessLog(vault: created.vault.vault).head().count == UInt64(before + 1))
  }

  @Test("an ambiguous name shows names only through the hook, and only after recording the lookup")
  func candidatesAreRecorded() throws {
    let dir = try TemporaryDirectory()
    let (created, _) = try setUp(dir)
    let vault = created.vault.vault
    _ = try Practice(vault, unlocked: created.vault, mode: .write).clients.add(ClientRecord(legalName: "Anna Berg", startDate: Day(year: 2026, month: 1, day: 5)!))
    let quiet = try Practice(vault, unlocked: created.vault, mode: .read)
    #expect(throws: RecordError.self) { _ = try quiet.notes.list(client: "An", filter: NoteFilter()) }
    #expect(try !actions(created).map(\.0).contains("client-lookup"))
    var shown: [String] = []
    quiet.showCandidates = { _, candidates in shown = candidates.map(\.legalName).sorted() }
    #expect(throws: RecordError.self) { _ = try quiet.notes.list(client: "An", filter: NoteFilter()) }
    #expect(shown == ["Ann Lee", "Anna Berg"])
    #expect(try actions(created).last?.0 == "client-lookup")
  }

  @Test("refused unlocks are recorded and told to the next person who unlocks, once, past keyless entries")
  func failedUnlocksAreReported() throws {
    let dir = try TemporaryDirectory()
    let (created, _) = try setUp(dir)
    let vault = created.vault.vault
    #expect(throws: VaultError.wrongPassphrase) { try vault.unlock(.passphrase(secret("not the passphrase"))) }
    _ = try Practice(vault, unlocked: nil, mode: .keyless).checks.info()  // a keyless entry in between
    #expect(throws: VaultError.wrongPassphrase) { try vault.unlock(.passphrase(secret("nor this one"))) }
    let told = try Practice(vault, unlocked: created.vault, mode: .read)
    #expect(try told.failedUnlocks().map(\.why) == ["wrong passphrase", "wrong passphrase"])
    _ = try told.clients.list(includeDischarged: true)  // a keyed entry: the key has been used since
    #expect(try Practice(vault, unlocked: created.vault, mode: .read).failedUnlocks().isEmpty)
  }

  @Test("every action names the least mode it needs, and the log's names are unique")
  func actionsAreClosed() {
    #expect(Set(Action.allCases.map(\.rawValue)).count == Action.allCases.count)
    #expect(Action.allCases.filter { $0.mode == .keyless }.map(\.rawValue).sorted() == ["backup", "info", "log-head", "session-end", "unlock-failed", "verify"])
  }
}
