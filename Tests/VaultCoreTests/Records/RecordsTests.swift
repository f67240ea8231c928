import Foundation
import Testing
@testable import VaultCore
import VaultCrypto

/// Clients and notes through the public `Records` API on a real vault: lookups, the note lifecycle, history and damage.
@Suite("records")
struct RecordsTests {
  /// A vault with its temporary directory, which must outlive every use of the vault.
  struct Fixture {
    let dir: TemporaryDirectory
    let unlocked: UnlockedVault
    var records: Records { Records(unlocked) }
    var vault: Vault { unlocked.vault }

    init() throws {
      dir = try TemporaryDirectory()
      unlocked = try makeVault(in: dir).vault
    }

    func add(_ legal: String, preferred: String? = nil) throws -> Client {
      var record = ClientRecord(legalName: legal, startDate: Day(year: 2025, month: 9, day: 1)!)
      record.preferredName = preferred
      return try records.addClient(record, author: "tester", now: RecordsTests.now)
    }

    func findings() throws -> [Finding] { try VaultVerifier(vault: vault).run(unlocked: unlocked) }

    /// The path a finding uses for an object, relative to the vault.
    func relativePath(_ id: ObjectID) -> String {
      String(vault.layout.objectStore.path(for: id).dropFirst(vault.layout.root.count + 1))
    }
  }

  static let now: Int64 = 1_790_000_000
  static let session = Day(year: 2026, month: 1, day: 12)!

  @Test("a new client's code resolves however it is typed")
  func codeResolves() throws {
    let f = try Fixture()
    let added = try f.add("María García", preferred: "Mari")
    _ = try f.add("Another Person")
    let text = added.code.description
    for query in [text, text.lowercased(), text.replacing("-", with: ""), text.lowercased().replacing("-", with: " ")] {
      let found = try f.records.client(query)
      #expect(found.id == added.id, "\(query)")
      #expect(found.code == added.code)
    }
    #expect(try f.records.client(text).index == added.index)
    #expect(try f.records.allClients().map(\.code) == [added.code, try f.records.client("another").code])
  }

  @Test("a legal name, preferred name or word prefix resolves, ignoring case and accents")
  func namePrefixes() throws {
    let f = try Fixture()
    let maria = try f.add("María García", preferred: "Mari")
    let jon = try f.add("Johnathan Smith", preferred: "Jon")
    for query in ["mar", "María", "MARIA", "garc", "García", "GARCÍA", " garc ", "maría garcía"] {
      #expect(try f.records.client(query).id == maria.id, "\(query)")
    }
    for query in ["jon", "Johnathan", "smi", "SMITH"] {
      #expect(try f.records.client(query).id == jon.id, "\(query)")
    }
  }

  @Test("a prefix shared by two clients is ambiguous and lists both codes, sorted")
  func ambiguous() throws {
    let f = try Fixture()
    let a = try f.add("Anna Berg")
    let b = try f.add("Anne Clark")
    #expect(throws: RecordError.ambiguousClient("ann", matches: [a.code, b.code].sorted())) { try f.records.client("ann") }
    #expect(try f.records.client("anna").id == a.id)
    #expect(try f.records.clients(matching: [a.code, b.code]).map(\.id).sorted { $0.hex < $1.hex } == [a.id, b.id].sorted { $0.hex < $1.hex })
  }

  @Test("an unknown code or name is not found")
  func notFound() throws {
    let f = try Fixture()
    let a = try f.add("Anna Berg")
    for query in ["zed", "berga", "", "   "] {
      #expect(throws: RecordError.clientNotFound(query), "\(query)") { try f.records.client(query) }
    }
    // A well-formed code that belongs to nobody.
    let other = ClientCode(value: a.code.value ^ 1).description
    #expect(throws: RecordError.clientNotFound(other)) { try f.records.client(other) }
  }

  @Test("the note lifecycle: numbering, draft edits, signing, addenda; the vault verifies clean afterwards")
  func noteLifecycle() throws {
    let f = try Fixture()
    let r = f.records
    var client = try f.add("María García")
    var notes: [NoteEntry] = []
    for i in 1...3 {
      let note: NoteEntry
      (client, note) = try r.addNote(
        to: client, text: "Session \(i)\nDetails", kind: .progress, date: Self.session, minutes: 50, sign: i == 3, author: "tester",
        now: Self.now + Int64(i))
      notes.append(note)
    }
    #expect(notes.map(\.number) == [1, 2, 3])
    #expect(notes.map(\.firstLine) == ["Session 1", "Session 2", "Session 3"])
    #expect(notes.map(\.isSigned) == [false, false, true])

    // Editing a draft adds a version and keeps the old text readable.
    var edited: NoteEntry
    (client, edited) = try r.editNote(
      1, of: client, text: "Session 1, corrected\nDetails", kind: nil, date: nil, minutes: 55, author: "tester", now: Self.now + 10)
    #expect(edited.versions.count == 2)
    #expect(edited.minutes == 55)
    #expect(edited.firstLine == "Session 1, corrected")
    #expect(try r.text(client, edited.versions[0]) == "Session 1\nDetails")
    #expect(try r.text(client, edited.current) == "Session 1, corrected\nDetails")
    #expect(throws: RecordError.nothingChanged("note \(client.noteID(1)) is unchanged")) {
      try r.editNote(1, of: client, text: "Session 1, corrected\nDetails", kind: nil, date: nil, minutes: nil, author: "tester", now: Self.now + 11)
    }

    // A signed note never changes, and is signed once.
    let signedOn = LogEntry.format(seconds: Self.now + 3)
    #expect(throws: RecordError.noteSigned(client.noteID(3).description, signedOn: signedOn, by: "tester")) {
      try r.editNote(3, of: client, text: "rewritten", kind: nil, date: nil, minutes: nil, author: "tester", now: Self.now + 12)
    }
    (client, _) = try r.signNote(2, of: client, author: "tester", now: Self.now + 20)
    #expect(throws: RecordError.alreadySigned(client.noteID(2).description, signedOn: LogEntry.format(seconds: Self.now + 20), by: "tester")) {
      try r.signNote(2, of: client, author: "tester", now: Self.now + 21)
    }

    // Addenda are for signed notes only.
    #expect(throws: RecordError.noteNotSigned(client.noteID(1).description)) {
      try r.amendNote(1, of: client, text: "late addition", reason: "forgot", author: "tester", now: Self.now + 30)
    }
    var amended: NoteEntry
    (client, amended) = try r.amendNote(3, of: client, text: "Correction: 45 minutes", reason: "wrong length", author: "tester", now: Self.now + 31)
    #expect(amended.addenda.map(\.reason) == ["wrong length"])
    #expect(try r.text(client, amended.addenda[0].revision) == "Correction: 45 minutes")
    #expect(try r.text(client, amended.current) == "Session 3\nDetails")
    #expect(throws: RecordError.noteNotFound(client.noteID(9).description)) {
      try r.amendNote(9, of: client, text: "x", reason: "y", author: "tester", now: Self.now + 32)
    }

    // What was returned is what a fresh load sees.
    let reloaded = try r.client(client.code.description)
    #expect(reloaded.index == client.index)
    #expect(reloaded.indexObject == client.indexObject)
    let viaID = try r.client(client.code.description)
    let note3 = viaID.index.note(3)
    #expect(viaID.id == client.id && note3 == amended)

    // Every save replaced the client index object; the old ones must be gone, not left as strays.
    #expect(try f.findings() == [])
  }

  @Test("an update appends a record version; the old version stays readable; an identical update is refused")
  func updateClient() throws {
    let f = try Fixture()
    let r = f.records
    var client = try f.add("María García")
    let original = try r.currentRecord(client)
    #expect(throws: RecordError.nothingChanged("the update changes nothing in \(client.code)'s record")) {
      try r.updateClient(client, to: original, author: "tester", now: Self.now + 1)
    }
    var changed = original
    changed.phone = "555-0100"
    changed.preferredName = "Mari"
    client = try r.updateClient(client, to: changed, author: "tester", now: Self.now + 2)
    #expect(client.index.records.count == 2)
    #expect(client.index.records.map(\.change) == ["created", "updated preferred-name, phone"])
    #expect(client.index.preferredName == "Mari")
    #expect(client.displayName == "Mari (María García)")
    #expect(try r.record(client, client.index.records[0]) == original)
    #expect(try r.currentRecord(client) == changed)
    #expect(try r.client("mari").id == client.id)
    #expect(try f.findings() == [])
  }

  @Test("a discharged client takes no new notes, but existing signed notes still take addenda")
  func discharged() throws {
    let f = try Fixture()
    let r = f.records
    var client = try f.add("María García")
    (client, _) = try r.addNote(to: client, text: "Intake", kind: .intake, date: Self.session, minutes: 60, sign: true, author: "tester", now: Self.now)
    var record = try r.currentRecord(client)
    let end = Day(year: 2026, month: 2, day: 1)!
    record.dischargeDate = end
    record.dischargeReason = "completed treatment"
    client = try r.updateClient(client, to: record, change: "discharged", author: "tester", now: Self.now + 1)
    #expect(client.isDischarged)
    #expect(client.index.records.last?.change == "discharged")
    #expect(throws: RecordError.clientDischarged(client.code, on: end)) {
      try r.addNote(to: client, text: "After", kind: .contact, date: Self.session, minutes: 0, sign: false, author: "tester", now: Self.now + 2)
    }
    // The refusal must hold for a freshly loaded client too, not just the value returned by update.
    let reloaded = try r.client(client.code.description)
    #expect(throws: RecordError.clientDischarged(client.code, on: end)) {
      try r.addNote(to: reloaded, text: "After", kind: .contact, date: Self.session, minutes: 0, sign: false, author: "tester", now: Self.now + 2)
    }
    (client, _) = try r.amendNote(1, of: reloaded, text: "Follow-up", reason: "late result", author: "tester", now: Self.now + 3)
    #expect(try f.findings() == [])
  }

  @Test("a session date in the future is refused")
  func futureDate() throws {
    let f = try Fixture()
    let client = try f.add("María García")
    let tomorrow = Day.today().adding(days: 1)
    #expect(throws: RecordError.invalidDate(tomorrow.description, "the date is in the future")) {
      try f.records.addNote(to: client, text: "x", kind: .progress, date: tomorrow, minutes: 0, sign: false, author: "tester", now: Self.now)
    }
  }

  @Test("an import of 3 clients with 5 notes each lists 15 notes and verifies clean")
  func importClients() throws {
    let f = try Fixture()
    let batch: [(record: ClientRecord, notes: [NewNote])] = (1...3).map { c in
      (
        ClientRecord(legalName: "Imported Client \(c)", startDate: Day(year: 2024, month: c, day: 1)!),
        (1...5).map { n in
          NewNote(
            text: "Client \(c) note \(n)", kind: n == 1 ? .intake : .progress, date: Day(year: 2025, month: n, day: c)!, minutes: 50,
            signed: n < 5)
        }
      )
    }
    let codes = try f.records.importClients(batch, author: "importer", now: Self.now)
    #expect(codes.count == 3 && Set(codes).count == 3)
    let clients = try f.records.allClients()
    #expect(clients.map(\.code) == codes)
    #expect(clients.reduce(0) { $0 + $1.index.notes.count } == 15)
    for (c, client) in clients.enumerated() {
      #expect(client.index.legalName == "Imported Client \(c + 1)")
      #expect(client.index.notes.map(\.number) == [1, 2, 3, 4, 5])
      #expect(client.index.notes.map(\.isSigned) == [true, true, true, true, false])
      #expect(try f.records.text(client, client.index.notes[2].current) == "Client \(c + 1) note 3")
      #expect(client.index.records.map(\.change) == ["imported"])
    }
    #expect(try f.findings() == [])
  }

  @Test("search runs over notes and addenda and leaves psychotherapy notes out unless asked")
  func search() throws {
    let f = try Fixture()
    let r = f.records
    var client = try f.add("María García")
    (client, _) = try r.addNote(to: client, text: "Sleep poor.", kind: .progress, date: Self.session, minutes: 50, sign: true, author: "t", now: Self.now)
    (client, _) = try r.addNote(to: client, text: "Process: sleep", kind: .psychotherapy, date: Self.session, minutes: 0, sign: false, author: "t", now: Self.now)
    (client, _) = try r.amendNote(1, of: client, text: "SLEEP improved", reason: "update", author: "t", now: Self.now)
    let hits = try NoteSearch("sleep").run(in: [client], filter: NoteFilter(), records: r)
    #expect(hits.map(\.note.number) == [1])
    #expect(hits.first?.count == 2)
    let all = try NoteSearch("sleep").run(in: [client], filter: NoteFilter(kinds: Set(NoteKind.allCases)), records: r)
    #expect(all.map(\.note.number) == [1, 2])
  }

  @Test("a tampered note object fails to read and verify names it")
  func tamper() throws {
    let f = try Fixture()
    var client = try f.add("María García")
    let note: NoteEntry
    (client, note) = try f.records.addNote(
      to: client, text: "Confidential session text", kind: .progress, date: Self.session, minutes: 50, sign: true, author: "tester", now: Self.now)
    let path = f.vault.layout.objectStore.path(for: note.current.object)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    bytes[bytes.count - 20] ^= 0x01
    try bytes.write(to: URL(fileURLWithPath: path))

    let error = #expect(throws: VaultError.self) { try f.records.text(client, note.current) }
    guard case .integrity(let readFindings)? = error else {
      Issue.record("expected an integrity error, got \(String(describing: error))")
      return
    }
    #expect(readFindings.map(\.path) == [f.relativePath(note.current.object)])

    let findings = try f.findings()
    #expect(findings.contains { $0.severity == .error && $0.path == f.relativePath(note.current.object) })
    // The damage is confined to that object: nothing else is reported as an error.
    #expect(findings.filter { $0.severity == .error }.allSatisfy { $0.path == f.relativePath(note.current.object) })
  }

  @Test("a note whose first line is many emoji keeps its client loadable")
  func wideFirstLine() throws {
    let f = try Fixture()
    var client = try f.add("María García")
    // 110 characters (under the 120 cut) but 440 bytes: the first line must be cut to the index bound.
    let text = String(repeating: "😀", count: 110) + "\nrest"
    (client, _) = try f.records.addNote(to: client, text: text, kind: .progress, date: Self.session, minutes: 50, sign: false, author: "tester", now: Self.now)
    let reloaded = try f.records.client(client.code.description)
    #expect(reloaded.index.notes.count == 1)
  }

  @Test("a legal name the record accepts keeps its client loadable")
  func longLegalName() throws {
    let f = try Fixture()
    // 500 bytes: within what a record allows, so the client index must take it too.
    let name = String(repeating: "Ab", count: 250)
    let client = try f.add(name)
    #expect(try f.records.client(client.code.description).index.legalName == name)
  }

  @Test("an update of many long-named fields keeps its client loadable")
  func longChangeSummary() throws {
    let f = try Fixture()
    let client = try f.add("María García")
    var record = try f.records.currentRecord(client)
    // 20 valid 64-byte field names: the generated "updated …" summary is about 1,350 bytes.
    for i in 0..<20 { record.fields[String(repeating: "f", count: 62) + String(format: "%02d", i)] = "yes" }
    try record.validate()
    let updated = try f.records.updateClient(client, to: record, author: "tester", now: Self.now + 1)
    let reloaded = try f.records.client(updated.code.description)
    #expect(reloaded.index.records.count == 2)
  }
}
