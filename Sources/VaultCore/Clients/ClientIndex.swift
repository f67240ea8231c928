/// One stored version of something: which object holds it, when and by whom it was written.
public struct Revision: Sendable, Equatable {
  /// The object holding this version (type 2 for a client record, 3 for a note or addendum).
  public var object: ObjectID
  /// Unix time in seconds.
  public var time: Int64
  /// The key-slot label of the person who wrote it.
  public var author: String
  /// Plaintext length in bytes.
  public var length: UInt32

  /// Creates a revision.
  public init(object: ObjectID, time: Int64, author: String, length: UInt32) {
    self.object = object
    self.time = time
    self.author = author
    self.length = length
  }
}

/// A version of the client's demographic record, with a summary of what changed.
public struct RecordVersion: Sendable, Equatable {
  /// Object, time and author of this version.
  public var revision: Revision
  /// "created", "updated phone, email", "discharged", ...
  public var change: String
}

/// A correction or addition to a signed note; a signed note never changes (HIPAA 164.526).
public struct Addendum: Sendable, Equatable {
  /// Object (type 3), time and author of the addendum's text.
  public var revision: Revision
  /// Why it was added, in the author's words.
  public var reason: String
}

/// Who signed a note, and when.
public struct Signature: Sendable, Equatable {
  /// Unix time in seconds.
  public var time: Int64
  /// The key-slot label that signed.
  public var signer: String
}

/// One session note in a client's index: its metadata, every version of its text, its addenda.
public struct NoteEntry: Sendable, Equatable {
  /// 1, 2, 3… within the client; the note's id is "<client code>.<number>".
  public var number: UInt32
  /// What the note documents.
  public var kind: NoteKind
  /// The session (or contact) date.
  public var date: Day
  /// Session length in minutes; 0 when not recorded.
  public var minutes: UInt16
  /// Set once, when the note is signed; a signed note never changes.
  public var signature: Signature?
  /// The first non-blank line of the latest version, so lists need not decrypt note bodies.
  public var firstLine: String
  /// Every version of the text, oldest first; drafts gain one per edit.
  public var versions: [Revision]
  /// Addenda, oldest first.
  public var addenda: [Addendum]

  /// The current text's version.
  public var current: Revision { versions[versions.count - 1] }
  /// True once signed.
  public var isSigned: Bool { signature != nil }
}

/// The plaintext of a client index object (type 1, FORMAT.md §8.2): one client's summary, the
/// versions of their record and their notes. Lists and lookups read only this, never a note
/// body, and its size depends on this client's notes alone.
public struct ClientIndex: Sendable, Equatable {
  /// Legal name, from the latest record version.
  public var legalName: String
  /// Preferred name, "" when none.
  public var preferredName: String
  /// First day of care.
  public var startDate: Day
  /// Set when the client was discharged (the retention clock starts here).
  public var dischargeDate: Day?
  /// Every version of the client record, oldest first (never empty).
  public var records: [RecordVersion]
  /// Notes in the order they were added (by number).
  public var notes: [NoteEntry]
  /// Consent documents in the order they were added (by number).
  public var consents: [ConsentEntry]
  /// The accounting of disclosures, in the order they were recorded.
  public var disclosures: [Disclosure]
  /// Requests for the record (exports), in the order they were recorded.
  public var requests: [RecordRequest]

  /// Creates an index.
  public init(
    legalName: String, preferredName: String, startDate: Day, dischargeDate: Day?, records: [RecordVersion], notes: [NoteEntry],
    consents: [ConsentEntry] = [], disclosures: [Disclosure] = [], requests: [RecordRequest] = []
  ) {
    self.legalName = legalName
    self.preferredName = preferredName
    self.startDate = startDate
    self.dischargeDate = dischargeDate
    self.records = records
    self.notes = notes
    self.consents = consents
    self.disclosures = disclosures
    self.requests = requests
  }

  /// The version byte writers use: 2 adds consents and disclosures after the notes, 3 record
  /// requests after those; readers accept 1 and 2 too.
  static let version: UInt8 = 3
  static let maxName = 1000, maxAuthor = 200, maxText = 1000, maxFirstLine = 400

  /// The latest session date among notes that are not psychotherapy notes, if any.
  public var lastSession: Day? { notes.filter { $0.kind != .psychotherapy }.map(\.date).max() }

  /// The note numbered `number`.
  public func note(_ number: UInt32) -> NoteEntry? {
    // Numbers are 1, 2, 3… in order, so the position is known; a search covers any gap.
    let i = Int(number) - 1
    if notes.indices.contains(i), notes[i].number == number { return notes[i] }
    return notes.first { $0.number == number }
  }

  /// Every object this index refers to, with the type it must be opened as.
  public var referencedObjects: [(ObjectID, ObjectType)] {
    records.map { ($0.revision.object, .clientRecord) }
      + notes.flatMap { n in n.versions.map { ($0.object, ObjectType.note) } + n.addenda.map { ($0.revision.object, ObjectType.note) } }
      + consents.map { ($0.file.object, .document) }
  }

  /// The consent numbered `number`.
  public func consent(_ number: UInt32) -> ConsentEntry? { consents.first { $0.number == number } }

  /// The encoded plaintext.
  public func encoded() -> [UInt8] {
    var w = ByteWriter()
    w.write(Self.version)
    w.writeString(legalName)
    w.writeString(preferredName)
    w.write(UInt32(bitPattern: startDate.daysSinceEpoch))
    w.write(UInt8(dischargeDate == nil ? 0 : 1))
    w.write(UInt32(bitPattern: dischargeDate?.daysSinceEpoch ?? 0))
    w.write(UInt32(records.count))
    for r in records {
      w.write(r.revision)
      w.writeString(r.change)
    }
    w.write(UInt32(notes.count))
    for n in notes {
      w.write(n.number)
      w.write(n.kind.rawValue)
      w.write(UInt32(bitPattern: n.date.daysSinceEpoch))
      w.write(n.minutes)
      w.write(UInt8(n.signature == nil ? 0 : 1))
      w.write(n.signature?.time ?? 0)
      w.writeString(n.signature?.signer ?? "")
      w.writeString(n.firstLine)
      w.write(UInt32(n.versions.count))
      for v in n.versions { w.write(v) }
      w.write(UInt32(n.addenda.count))
      for a in n.addenda {
        w.write(a.revision)
        w.writeString(a.reason)
      }
    }
    w.write(UInt32(consents.count))
    for c in consents {
      w.write(c.number)
      w.write(c.kind.rawValue)
      w.write(c.file)
      w.write(day: c.signed)
      w.write(day: c.expires)
      w.writeString(c.formVersion)
      w.writeString(c.note)
      for field in [c.release?.recipient, c.release?.address, c.release?.information, c.release?.purpose] { w.writeString(field ?? "") }
      w.write(UInt32(c.events.count))
      for e in c.events {
        w.write(e.kind.rawValue)
        w.write(UInt32(bitPattern: e.date.daysSinceEpoch))
        w.write(e.time)
        w.writeString(e.author)
        w.writeString(e.reason)
      }
    }
    w.write(UInt32(disclosures.count))
    for d in disclosures {
      w.write(d.number)
      w.write(UInt32(bitPattern: d.date.daysSinceEpoch))
      w.write(d.basis.rawValue)
      w.write(d.time)
      w.writeString(d.author)
      for field in [d.recipient, d.address, d.what, d.purpose, d.reason] { w.writeString(field) }
      w.write(d.authorization ?? 0)
      w.write(d.corrects ?? 0)
    }
    w.write(UInt32(requests.count))
    for q in requests {
      w.write(q.number)
      w.write(UInt32(bitPattern: q.requested.daysSinceEpoch))
      w.write(q.time)
      w.writeString(q.author)
      w.writeString(q.note)
      w.write(q.fulfilledBy ?? 0)
    }
    return w.bytes
  }

  /// What the client's register object holds (FORMAT.md §17.5): this index without record
  /// versions, notes, or the stored files' objects, names and media types. No clinical content.
  var register: ClientIndex {
    var r = self
    r.records = []
    r.notes = []
    for i in r.consents.indices {
      let f = r.consents[i].file
      r.consents[i].file = StoredFile(object: .zero, size: f.size, time: f.time, author: f.author, fileName: "", mediaType: "")
    }
    return r
  }

  /// Parses and validates the plaintext of a client index object, or with `register` of a register object.
  public static func decode(_ bytes: [UInt8], register: Bool = false) throws(FormatError) -> ClientIndex {
    var r = ByteReader(bytes)
    let version = try r.readUInt8()
    guard (1...3).contains(version) else { throw .invalidField("client index version \(version) is not supported") }
    let legal = try r.readString(maxBytes: maxName)
    let preferred = try r.readString(maxBytes: maxName)
    let start = Day(daysSinceEpoch: Int32(bitPattern: try r.readUInt32()))
    let discharged = try r.readFlag()
    let dischargeDay = Day(daysSinceEpoch: Int32(bitPattern: try r.readUInt32()))
    var records: [RecordVersion] = []
    for _ in 0..<(try r.readCount(minimumEntrySize: 48)) {
      records.append(RecordVersion(revision: try r.readRevision(), change: try r.readString(maxBytes: maxText)))
    }
    guard !records.isEmpty || register else { throw .invalidField("client index lists no client record") }
    guard records.isEmpty || !register else { throw .invalidField("a register lists client records") }
    var notes: [NoteEntry] = []
    for _ in 0..<(try r.readCount(minimumEntrySize: 70)) {
      let number = try r.readUInt32()
      let rawKind = try r.readUInt8()
      guard let kind = NoteKind(rawValue: rawKind) else { throw .invalidField("unknown note kind \(rawKind)") }
      let date = Day(daysSinceEpoch: Int32(bitPattern: try r.readUInt32()))
      let minutes = try r.readUInt16()
      let signed = try r.readFlag()
      let signedTime = try r.readInt64()
      let signer = try r.readString(maxBytes: maxAuthor)
      let firstLine = try r.readString(maxBytes: maxFirstLine)
      var versions: [Revision] = []
      for _ in 0..<(try r.readCount(minimumEntrySize: 46)) { versions.append(try r.readRevision()) }
      var addenda: [Addendum] = []
      for _ in 0..<(try r.readCount(minimumEntrySize: 48)) {
        addenda.append(Addendum(revision: try r.readRevision(), reason: try r.readString(maxBytes: maxText)))
      }
      guard !versions.isEmpty else { throw .invalidField("note \(number) has no version") }
      guard number > (notes.last?.number ?? 0) else { throw .invalidField("note numbers are not increasing") }
      guard signed || addenda.isEmpty else { throw .invalidField("an unsigned note has addenda") }
      notes.append(NoteEntry(
        number: number, kind: kind, date: date, minutes: minutes,
        signature: signed ? Signature(time: signedTime, signer: signer) : nil, firstLine: firstLine,
        versions: versions, addenda: addenda))
    }
    guard notes.isEmpty || !register else { throw .invalidField("a register lists notes") }
    var consents: [ConsentEntry] = []
    var disclosures: [Disclosure] = []
    if version >= 2 {
      for _ in 0..<(try r.readCount(minimumEntrySize: 80)) {
        let number = try r.readUInt32()
        let rawKind = try r.readUInt8()
        guard let kind = ConsentKind(rawValue: rawKind) else { throw .invalidField("unknown consent kind \(rawKind)") }
        let file = try r.readStoredFile()
        let signed = try r.readOptionalDay()
        let expires = try r.readOptionalDay()
        let formVersion = try r.readString(maxBytes: maxAuthor)
        let note = try r.readString(maxBytes: maxText)
        let fields = try (0..<4).map { _ throws(FormatError) in try r.readString(maxBytes: maxText) }
        var events: [ConsentEvent] = []
        for _ in 0..<(try r.readCount(minimumEntrySize: 17)) {
          let rawEvent = try r.readUInt8()
          guard let eventKind = ConsentEvent.Kind(rawValue: rawEvent) else { throw .invalidField("unknown consent event \(rawEvent)") }
          let date = Day(daysSinceEpoch: Int32(bitPattern: try r.readUInt32()))
          let time = try r.readInt64()
          events.append(ConsentEvent(
            kind: eventKind, date: date, time: time, author: try r.readString(maxBytes: maxAuthor), reason: try r.readString(maxBytes: maxText)))
        }
        guard number > (consents.last?.number ?? 0) else { throw .invalidField("consent numbers are not increasing") }
        let isRelease = kind == .releaseOfInformation
        guard isRelease || fields.allSatisfy(\.isEmpty) else { throw .invalidField("consent \(number) has release fields but is not a release") }
        consents.append(ConsentEntry(
          number: number, kind: kind, file: file, signed: signed, expires: expires, formVersion: formVersion, note: note,
          release: isRelease ? Release(recipient: fields[0], address: fields[1], information: fields[2], purpose: fields[3]) : nil,
          events: events))
      }
      for _ in 0..<(try r.readCount(minimumEntrySize: 36)) {
        let number = try r.readUInt32()
        let date = Day(daysSinceEpoch: Int32(bitPattern: try r.readUInt32()))
        let rawBasis = try r.readUInt8()
        guard let basis = DisclosureBasis(rawValue: rawBasis) else { throw .invalidField("unknown disclosure basis \(rawBasis)") }
        let time = try r.readInt64()
        let author = try r.readString(maxBytes: maxAuthor)
        let f = try (0..<5).map { _ throws(FormatError) in try r.readString(maxBytes: maxText) }
        let authorization = try r.readUInt32()
        let corrects = try r.readUInt32()
        guard number > (disclosures.last?.number ?? 0) else { throw .invalidField("disclosure numbers are not increasing") }
        guard corrects < number else { throw .invalidField("disclosure \(number) corrects a later one") }
        disclosures.append(Disclosure(
          number: number, date: date, basis: basis, time: time, author: author, recipient: f[0], address: f[1], what: f[2],
          purpose: f[3], reason: f[4], authorization: authorization == 0 ? nil : authorization, corrects: corrects == 0 ? nil : corrects))
      }
    }
    var requests: [RecordRequest] = []
    if version >= 3 {
      for _ in 0..<(try r.readCount(minimumEntrySize: 24)) {
        let number = try r.readUInt32()
        let day = Day(daysSinceEpoch: Int32(bitPattern: try r.readUInt32()))
        let time = try r.readInt64()
        let author = try r.readString(maxBytes: maxAuthor)
        let note = try r.readString(maxBytes: maxText)
        let fulfilled = try r.readUInt32()
        guard number > (requests.last?.number ?? 0) else { throw .invalidField("request numbers are not increasing") }
        guard fulfilled == 0 || disclosures.contains(where: { $0.number == fulfilled }) else {
          throw .invalidField("request \(number) names a disclosure that does not exist")
        }
        requests.append(RecordRequest(number: number, requested: day, time: time, author: author, note: note, fulfilledBy: fulfilled == 0 ? nil : fulfilled))
      }
    }
    try r.expectEnd()
    return ClientIndex(
      legalName: legal, preferredName: preferred, startDate: start, dischargeDate: discharged ? dischargeDay : nil,
      records: records, notes: notes, consents: consents, disclosures: disclosures, requests: requests)
  }
}

extension ByteWriter {
  fileprivate mutating func write(_ r: Revision) {
    write(r.object.bytes)
    write(r.time)
    writeString(r.author)
    write(r.length)
  }
}

extension ByteWriter {
  fileprivate mutating func write(day: Day?) {
    write(UInt8(day == nil ? 0 : 1))
    write(UInt32(bitPattern: day?.daysSinceEpoch ?? 0))
  }

  mutating func write(_ f: StoredFile) {
    write(f.object.bytes)
    write(f.size)
    write(f.time)
    writeString(f.author)
    writeString(f.fileName)
    writeString(f.mediaType)
  }
}

extension ByteReader {
  fileprivate mutating func readOptionalDay() throws(FormatError) -> Day? {
    let present = try readFlag()
    let day = Day(daysSinceEpoch: Int32(bitPattern: try readUInt32()))
    return present ? day : nil
  }

  mutating func readStoredFile() throws(FormatError) -> StoredFile {
    let object = try ObjectID(bytes: read(32))
    let size = try readUInt64()
    let time = try readInt64()
    let author = try readString(maxBytes: ClientIndex.maxAuthor)
    let name = try readString(maxBytes: ClientIndex.maxText)
    return StoredFile(object: object, size: size, time: time, author: author, fileName: name, mediaType: try readString(maxBytes: ClientIndex.maxAuthor))
  }

  fileprivate mutating func readRevision() throws(FormatError) -> Revision {
    let object = try ObjectID(bytes: read(32))
    let time = try readInt64()
    let author = try readString(maxBytes: ClientIndex.maxAuthor)
    return Revision(object: object, time: time, author: author, length: try readUInt32())
  }

  fileprivate mutating func readFlag() throws(FormatError) -> Bool {
    let b = try readUInt8()
    guard b <= 1 else { throw .invalidField("flag byte \(b) is not 0 or 1") }
    return b == 1
  }

  /// A count that cannot exceed what the remaining bytes could hold, so a hostile count never
  /// drives a huge loop or allocation.
  fileprivate mutating func readCount(minimumEntrySize: Int) throws(FormatError) -> Int {
    let n = Int(try readUInt32())
    guard n <= remaining / minimumEntrySize else { throw .invalidField("a count is larger than the data holds") }
    return n
  }
}
