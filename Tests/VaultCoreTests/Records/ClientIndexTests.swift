// The memberwise initializers of RecordVersion, NoteEntry, Signature and Addendum are internal.
@testable import VaultCore
import Testing

/// The client index is parsed from decrypted but untrusted bytes: it must round-trip and refuse anything malformed.
@Suite("client index")
struct ClientIndexTests {
  static func object(_ seed: UInt32) throws -> ObjectID { try ObjectID(bytes: TestBytes.pattern(count: 32, seed: seed)) }

  static func revision(_ seed: UInt32, author: String = "dr.lee") throws -> Revision {
    Revision(object: try object(seed), time: 1_800_000_000 + Int64(seed), author: author, length: seed * 10)
  }

  static func note(_ number: UInt32, signed: Bool = true, versions: Int = 1, addenda: Int = 0) throws -> NoteEntry {
    NoteEntry(
      number: number, kind: .progress, date: Day(year: 2026, month: 1, day: Int(number % 28) + 1)!, minutes: 50,
      signature: signed ? Signature(time: 1_800_000_500, signer: "dr.lee") : nil, firstLine: "Session \(number)",
      versions: try (0..<versions).map { try revision(100 * number + UInt32($0)) },
      addenda: try (0..<addenda).map { Addendum(revision: try revision(1000 * number + UInt32($0)), reason: "correction \($0)") })
  }

  static func index(records: Int = 1, notes: [NoteEntry]) throws -> ClientIndex {
    ClientIndex(
      legalName: "María García", preferredName: "Mari", startDate: Day(year: 2025, month: 9, day: 1)!, dischargeDate: nil,
      records: try (0..<records).map { RecordVersion(revision: try revision(UInt32(50 + $0)), change: $0 == 0 ? "created" : "updated phone") },
      notes: notes)
  }

  /// A client with every kind of content: several record versions, drafts, signed notes, edits, addenda.
  static func full() throws -> ClientIndex {
    var notes = [
      try note(1, signed: true, versions: 1, addenda: 2),
      try note(2, signed: false, versions: 3),
      try note(3, signed: true, versions: 2, addenda: 0),
      try note(7, signed: true, versions: 1, addenda: 1),
    ]
    notes[1].kind = .psychotherapy
    notes[1].date = Day(year: 2026, month: 1, day: 20)!
    notes[2].kind = .intake
    notes[2].minutes = 0
    notes[3].date = Day(daysSinceEpoch: -25_000)
    notes[3].firstLine = "Résumé — ünïcödé 😀"
    var index = try index(records: 3, notes: notes)
    index.dischargeDate = Day(year: 2026, month: 2, day: 1)
    return index
  }

  /// Byte offset of a field, counted from the encoding of the fixed prefix.
  static func offsets(_ index: ClientIndex) -> (flag: Int, recordsCount: Int, notesCount: Int) {
    let prefix = 1 + 2 + index.legalName.utf8.count + 2 + index.preferredName.utf8.count + 4
    var withoutNotes = index
    withoutNotes.notes = []
    // Version 3 ends with three empty counts (consents, disclosures, requests) after the notes.
    return (prefix, prefix + 1 + 4, withoutNotes.encoded().count - 4 - 12)
  }

  static func patched(_ bytes: [UInt8], at offset: Int, _ values: [UInt8]) -> [UInt8] {
    var b = bytes
    b.replaceSubrange(offset..<offset + values.count, with: values)
    return b
  }

  @Test("an index with records, drafts, signed notes, versions and addenda round-trips")
  func roundTrip() throws {
    for index in [try Self.full(), try Self.index(notes: []), try Self.index(records: 1, notes: [try Self.note(1, signed: false)])] {
      let decoded = try ClientIndex.decode(index.encoded())
      #expect(decoded == index)
      // Equality alone could hide a field both sides drop; re-encoding must give the same bytes.
      #expect(decoded.encoded() == index.encoded())
    }
  }

  @Test("decoded content keeps what lists rely on")
  func decodedContent() throws {
    let decoded = try ClientIndex.decode(try Self.full().encoded())
    #expect(decoded.dischargeDate == Day(year: 2026, month: 2, day: 1))
    #expect(decoded.records.map(\.change) == ["created", "updated phone", "updated phone"])
    #expect(decoded.notes.map(\.number) == [1, 2, 3, 7])
    #expect(decoded.notes[1].signature == nil && decoded.notes[1].versions.count == 3)
    #expect(decoded.notes[0].addenda.map(\.reason) == ["correction 0", "correction 1"])
    #expect(decoded.note(7)?.firstLine == "Résumé — ünïcödé 😀")
    #expect(decoded.note(4) == nil)
    // The psychotherapy note is dated later than note 3 but must not count as a session.
    #expect(decoded.lastSession == Day(year: 2026, month: 1, day: 4))
    #expect(decoded.referencedObjects.count == 3 + (1 + 2) + 3 + 2 + (1 + 1))
  }

  @Test("every truncation is rejected")
  func truncations() throws {
    let bytes = try Self.full().encoded()
    for n in 0..<bytes.count {
      #expect(throws: FormatError.self, "prefix of \(n) bytes") { try ClientIndex.decode(Array(bytes.prefix(n))) }
    }
  }

  @Test("a trailing byte is rejected")
  func trailingByte() throws {
    let bytes = try Self.full().encoded()
    #expect(throws: FormatError.trailingBytes) { try ClientIndex.decode(bytes + [0]) }
  }

  @Test("an unknown structure version is rejected")
  func unknownVersion() throws {
    let bytes = try Self.full().encoded()
    for v: UInt8 in [0, 4, 255] {
      #expect(throws: FormatError.invalidField("client index version \(v) is not supported")) {
        try ClientIndex.decode(Self.patched(bytes, at: 0, [v]))
      }
    }
  }

  @Test("an unknown note kind is rejected")
  func unknownKind() throws {
    let index = try Self.index(notes: [try Self.note(1)])
    let kindOffset = Self.offsets(index).notesCount + 4 + 4
    let bytes = index.encoded()
    #expect(bytes[kindOffset] == NoteKind.progress.rawValue)
    for raw: UInt8 in [0, 6, 255] {
      #expect(throws: FormatError.invalidField("unknown note kind \(raw)")) { try ClientIndex.decode(Self.patched(bytes, at: kindOffset, [raw])) }
    }
  }

  @Test("a flag byte other than 0 or 1 is rejected, for discharge and for signature")
  func flagByte() throws {
    let index = try Self.index(notes: [try Self.note(1, signed: false)])
    let bytes = index.encoded()
    let dischargeFlag = Self.offsets(index).flag
    // number, kind, date, minutes come before the signed flag.
    let signedFlag = Self.offsets(index).notesCount + 4 + 4 + 1 + 4 + 2
    for offset in [dischargeFlag, signedFlag] {
      #expect(bytes[offset] == 0)
      #expect(throws: FormatError.invalidField("flag byte 2 is not 0 or 1")) { try ClientIndex.decode(Self.patched(bytes, at: offset, [2])) }
    }
  }

  @Test("a count larger than the data is rejected before anything is allocated")
  func hugeCount() throws {
    let index = try Self.full()
    let bytes = index.encoded()
    let o = Self.offsets(index)
    #expect(LittleEndian.u32(Array(bytes[o.recordsCount..<o.recordsCount + 4])) == 3)
    #expect(LittleEndian.u32(Array(bytes[o.notesCount..<o.notesCount + 4])) == 4)
    for offset in [o.recordsCount, o.notesCount] {
      #expect(throws: FormatError.invalidField("a count is larger than the data holds")) {
        try ClientIndex.decode(Self.patched(bytes, at: offset, [0xFF, 0xFF, 0xFF, 0xFF]))
      }
    }
  }

  @Test("note numbers must increase", arguments: [[2, 1], [1, 1], [3, 5, 4]] as [[UInt32]])
  func numbersIncrease(_ numbers: [UInt32]) throws {
    let bytes = try Self.index(notes: numbers.map { try Self.note($0) }).encoded()
    #expect(throws: FormatError.invalidField("note numbers are not increasing")) { try ClientIndex.decode(bytes) }
  }

  @Test("note number 0 is refused: ids count from 1")
  func numberZero() throws {
    let bytes = try Self.index(notes: [try Self.note(0)]).encoded()
    #expect(throws: FormatError.invalidField("note numbers are not increasing")) { try ClientIndex.decode(bytes) }
  }

  @Test("a draft with addenda is rejected: only signed notes take addenda")
  func draftWithAddenda() throws {
    let bytes = try Self.index(notes: [try Self.note(1, signed: false, addenda: 1)]).encoded()
    #expect(throws: FormatError.invalidField("an unsigned note has addenda")) { try ClientIndex.decode(bytes) }
  }

  @Test("an index without record versions is rejected")
  func noRecords() throws {
    let bytes = try Self.index(records: 0, notes: []).encoded()
    #expect(throws: FormatError.invalidField("client index lists no client record")) { try ClientIndex.decode(bytes) }
  }

  @Test("a note without versions is rejected")
  func noVersions() throws {
    // A long first line keeps the note above the minimum entry size the count check assumes.
    var note = try Self.note(1, versions: 0)
    note.firstLine = String(repeating: "x", count: 100)
    let bytes = try Self.index(notes: [note]).encoded()
    #expect(throws: FormatError.invalidField("note 1 has no version")) { try ClientIndex.decode(bytes) }
  }

  @Test("a name longer than the field allows is rejected")
  func longName() throws {
    var index = try Self.index(notes: [])
    index.legalName = String(repeating: "a", count: ClientIndex.maxName + 1)
    #expect(throws: FormatError.invalidField("string longer than \(ClientIndex.maxName) bytes")) { try ClientIndex.decode(index.encoded()) }
  }
}
