import Foundation
import VaultCrypto

/// Clients, record versions and notes of an unlocked vault (FORMAT.md §8.2).
///
/// Reads decrypt only what they need: a code is resolved by recomputing codes (no decryption),
/// a client by its key file and client index object, a note body only when it is shown or
/// searched. Every change writes new objects, one new client index object and a new index,
/// so its cost depends on that client's notes, never on the practice's total.
///
/// Not for concurrent use: reads share one secure decryption buffer.
public struct Records {
  /// The unlocked vault.
  public let unlocked: UnlockedVault
  /// One chunk of secure memory reused by every read (nil if it could not be allocated).
  private let scratch = try? ReadScratch()

  /// Records of `unlocked`.
  public init(_ unlocked: UnlockedVault) { self.unlocked = unlocked }

  var vaultID: RandomID { unlocked.vault.config.vaultID }
  var store: ObjectStore { unlocked.vault.layout.objectStore }

  // MARK: Finding clients

  /// Every client's code next to their index entry (keyed hashes only; nothing is decrypted).
  public func codes(in index: VaultIndex) throws -> [(entry: IndexEntry, code: ClientCode)] {
    // The all-zero id names the practice index, not a client (FORMAT.md §8.3).
    try index.entries.filter { $0.client != .none }.map { ($0, try ClientCode.derive(client: $0.client, key: unlocked.keys.clientCodes)) }
  }

  /// Every client, in the order they were added.
  public func allClients() throws -> [Client] {
    try codes(in: unlocked.readIndex()).map { try load($0.entry, code: $0.code) }
  }

  /// The client whose code is `query`, else the one client whose legal or preferred name, or a
  /// word of either, starts with `query` (case- and accent-insensitive).
  /// - Throws: `RecordError.clientNotFound` or `.ambiguousClient` (listing the codes).
  public func client(_ query: String) throws -> Client {
    let coded = try codes(in: unlocked.readIndex())
    if let code = ClientCode(parsing: query), let hit = coded.first(where: { $0.code == code }) {
      return try load(hit.entry, code: hit.code)
    }
    let needle = Self.fold(query.trimmingSpaces())
    guard !needle.isEmpty else { throw RecordError.clientNotFound(query) }
    let matches = try coded.map { try load($0.entry, code: $0.code) }.filter { c in
      let names = [c.index.legalName, c.index.preferredName].map(Self.fold)
      return names.contains { name in name.hasPrefix(needle) || name.split(separator: " ").contains { $0.hasPrefix(needle) } }
    }
    guard let first = matches.first else { throw RecordError.clientNotFound(query) }
    guard matches.count > 1 else { return first }
    // "Ann" must stay reachable when "Anna" exists: a whole name typed in full wins.
    let exact = matches.filter { c in [c.index.legalName, c.index.preferredName].map(Self.fold).contains(needle) }
    if exact.count == 1 { return exact[0] }
    throw RecordError.ambiguousClient(query, matches: matches.map(\.code).sorted())
  }

  /// Candidates for an ambiguous name, for a terminal that may show names.
  public func clients(matching codes: [ClientCode]) throws -> [Client] {
    let wanted = Set(codes)
    return try self.codes(in: unlocked.readIndex()).filter { wanted.contains($0.code) }.map { try load($0.entry, code: $0.code) }
  }

  /// The client and note an id names.
  public func note(_ id: NoteID) throws -> (Client, NoteEntry) {
    let client = try client(id.client.description)
    guard client.code == id.client, let note = client.index.note(id.number) else { throw RecordError.noteNotFound(id.description) }
    return (client, note)
  }

  /// Unwraps a client's key and decrypts their client index.
  public func load(_ entry: IndexEntry, code: ClientCode) throws -> Client {
    let layout = unlocked.vault.layout
    let key: SecretKey
    do {
      let bytes = try FileSystem.readFile(layout.clientKey(entry.client), limit: 4096)
      key = try ClientKeyFile.decode(bytes, client: entry.client, keys: unlocked.keys, vault: vaultID)
    } catch {
      throw VaultError.integrity([Finding(.error, "clientkeys/\(entry.client.hex)", "client key is missing or damaged (\(VaultError.from(error)))")])
    }
    let plain = try read(entry.clientIndex, as: .clientIndex, client: entry.client, key: key)
    do {
      return Client(id: entry.client, code: code, key: key, index: try ClientIndex.decode(plain), indexObject: entry.clientIndex)
    } catch {
      throw integrity(entry.clientIndex, "client index cannot be parsed: \(error)")
    }
  }

  // MARK: Reading content

  /// One version of the client's record.
  public func record(_ client: Client, _ version: RecordVersion) throws -> ClientRecord {
    let plain = try read(version.revision.object, as: .clientRecord, client: client.id, key: client.key)
    do { return try ClientRecord.decode(plain) } catch { throw integrity(version.revision.object, "\(error)") }
  }

  /// The latest version of the client's record.
  public func currentRecord(_ client: Client) throws -> ClientRecord {
    try record(client, client.index.records[client.index.records.count - 1])
  }

  /// The text of a note version or addendum.
  public func text(_ client: Client, _ revision: Revision) throws -> String {
    let plain = try read(revision.object, as: .note, client: client.id, key: client.key, limit: NoteText.maximumBytes)
    guard let text = String(validating: plain, as: UTF8.self) else { throw integrity(revision.object, "note text is not UTF-8") }
    return text
  }

  // MARK: Changing records (call under the exclusive lock)

  /// Adds a client with a fresh id, code and key.
  public func addClient(_ record: ClientRecord, author: String, now: Int64) throws -> Client {
    var vaultIndex = try unlocked.readIndex()
    var taken = Set(try codes(in: vaultIndex).map(\.code))
    let client = try create(record, notes: [], taken: &taken, change: "created", author: author, now: now)
    vaultIndex.entries.append(IndexEntry(client: client.id, clientIndex: client.indexObject))
    try unlocked.commit(vaultIndex)
    return client
  }

  /// Writes `record` as the client's newest version; earlier versions stay.
  /// - Throws: `RecordError.nothingChanged` when it equals the current version.
  public func updateClient(_ client: Client, to record: ClientRecord, change: String? = nil, author: String, now: Int64) throws -> Client {
    try record.validate()
    let current = try currentRecord(client)
    let changed = record.changes(from: current)
    guard !changed.isEmpty else { throw RecordError.nothingChanged("the update changes nothing in \(client.code)'s record") }
    let plain = try record.encoded()
    let object = try put(plain, as: .clientRecord, client: client.id, key: client.key)
    var index = client.index
    index.legalName = record.legalName
    index.preferredName = record.preferredName ?? ""
    index.startDate = record.startDate
    index.dischargeDate = record.dischargeDate
    index.records.append(RecordVersion(
      revision: Revision(object: object, time: now, author: author, length: UInt32(plain.count)),
      change: change ?? Self.summary(of: changed)))
    return try save(client, index)
  }

  /// Throws what `addNote` would for this client and date (discharged, future date), so a
  /// command can refuse before a person starts typing.
  public func checkCanAddNote(to client: Client, date: Day) throws {
    if let day = client.index.dischargeDate { throw RecordError.clientDischarged(client.code, on: day) }
    try Self.checkSessionDate(date)
  }

  /// Throws what `editNote` would for this note (unknown, signed).
  public func checkDraft(_ number: UInt32, of client: Client) throws { _ = try draft(number, of: client) }

  /// Throws what `amendNote` would for this note (unknown, a draft).
  public func checkCanAmend(_ number: UInt32, of client: Client) throws {
    let id = client.noteID(number)
    guard let note = client.index.note(number) else { throw RecordError.noteNotFound(id.description) }
    guard note.isSigned else { throw RecordError.noteNotSigned(id.description) }
  }

  /// Adds a note (signed at once when `sign`).
  public func addNote(
    to client: Client, text: String, kind: NoteKind, date: Day, minutes: UInt16, sign: Bool, author: String, now: Int64
  ) throws -> (Client, NoteEntry) {
    try checkCanAddNote(to: client, date: date)
    let version = try putText(text, client: client, author: author, now: now)
    var index = client.index
    let note = NoteEntry(
      number: (index.notes.last?.number ?? 0) + 1, kind: kind, date: date, minutes: minutes,
      signature: sign ? Signature(time: now, signer: author) : nil, firstLine: NoteText.firstLine(text),
      versions: [version], addenda: [])
    index.notes.append(note)
    return (try save(client, index), note)
  }

  /// A new version of a draft: new text and/or kind, date, length. Signed notes never change.
  public func editNote(
    _ number: UInt32, of client: Client, text: String?, kind: NoteKind?, date: Day?, minutes: UInt16?, author: String, now: Int64
  ) throws -> (Client, NoteEntry) {
    var (index, i) = try draft(number, of: client)
    var note = index.notes[i]
    if let date {
      try Self.checkSessionDate(date)
      note.date = date
    }
    if let kind { note.kind = kind }
    if let minutes { note.minutes = minutes }
    if let text {
      // Bytes, not String equality: a change of Unicode normalisation is a change (FORMAT.md §8.2).
      if !text.utf8.elementsEqual(try self.text(client, note.current).utf8) {
        note.versions.append(try putText(text, client: client, author: author, now: now))
        note.firstLine = NoteText.firstLine(text)
      }
    }
    guard note != index.notes[i] else { throw RecordError.nothingChanged("note \(client.noteID(number)) is unchanged") }
    index.notes[i] = note
    return (try save(client, index), note)
  }

  /// Signs a draft; from then on it can only take addenda.
  public func signNote(_ number: UInt32, of client: Client, author: String, now: Int64) throws -> (Client, NoteEntry) {
    if let s = client.index.note(number)?.signature {
      throw RecordError.alreadySigned(client.noteID(number).description, signedOn: LogEntry.format(seconds: s.time), by: s.signer)
    }
    var (index, i) = try draft(number, of: client)
    index.notes[i].signature = Signature(time: now, signer: author)
    return (try save(client, index), index.notes[i])
  }

  /// Adds an addendum to a signed note.
  public func amendNote(_ number: UInt32, of client: Client, text: String, reason: String, author: String, now: Int64) throws -> (Client, NoteEntry) {
    try checkCanAmend(number, of: client)
    guard let i = client.index.notes.firstIndex(where: { $0.number == number }) else { throw RecordError.noteNotFound(client.noteID(number).description) }
    try ClientRecord.checkText(reason, field: "reason", required: true)
    var index = client.index
    index.notes[i].addenda.append(Addendum(revision: try putText(text, client: client, author: author, now: now), reason: reason))
    return (try save(client, index), index.notes[i])
  }

  /// A note for `importClients`.
  public struct NewNote: Sendable {
    /// The text.
    public var text: String
    /// What it documents.
    public var kind: NoteKind
    /// Session date.
    public var date: Day
    /// Length in minutes (0: not recorded).
    public var minutes: UInt16
    /// Signed at import.
    public var signed: Bool

    /// Creates a note to import.
    public init(text: String, kind: NoteKind, date: Day, minutes: UInt16, signed: Bool) {
      self.text = text
      self.kind = kind
      self.date = date
      self.minutes = minutes
      self.signed = signed
    }
  }

  /// Adds many clients with their notes and commits the index once: for migrating a practice's
  /// records in, and for the benchmark generator. Returns the clients' codes.
  public func importClients(_ batch: [(record: ClientRecord, notes: [NewNote])], author: String, now: Int64) throws -> [ClientCode] {
    var vaultIndex = try unlocked.readIndex()
    var taken = Set(try codes(in: vaultIndex).map(\.code))
    var added: [ClientCode] = []
    for (record, notes) in batch {
      let client = try create(record, notes: notes, taken: &taken, change: "imported", author: author, now: now)
      vaultIndex.entries.append(IndexEntry(client: client.id, clientIndex: client.indexObject))
      added.append(client.code)
    }
    try unlocked.commit(vaultIndex)
    return added
  }

  /// Writes a new client's key file, record, notes and client index (not the vault index), with
  /// a code not in `taken`, which it joins.
  private func create(
    _ record: ClientRecord, notes: [NewNote], taken: inout Set<ClientCode>, change: String, author: String, now: Int64
  ) throws -> Client {
    try record.validate()
    var id: RandomID
    var code: ClientCode
    // 30-bit codes: a collision is rare even with thousands of clients, and a redraw is cheap.
    repeat {
      id = try RandomID.generate()
      code = try ClientCode.derive(client: id, key: unlocked.keys.clientCodes)
    } while taken.contains(code)
    taken.insert(code)
    let key = try SecretKey.random()
    let layout = unlocked.vault.layout
    try unlocked.markUnfinished()
    try wrap {
      try AtomicFile.write(
        ClientKeyFile.encode(client: id, clientKey: key, keys: unlocked.keys, vault: vaultID), to: layout.clientKey(id),
        temporaryDirectory: layout.tmp)
    }
    let plain = try record.encoded()
    let object = try put(plain, as: .clientRecord, client: id, key: key)
    var index = ClientIndex(
      legalName: record.legalName, preferredName: record.preferredName ?? "", startDate: record.startDate,
      dischargeDate: record.dischargeDate,
      records: [RecordVersion(revision: Revision(object: object, time: now, author: author, length: UInt32(plain.count)), change: change)],
      notes: [])
    let draft = Client(id: id, code: code, key: key, index: index, indexObject: object)
    for (i, n) in notes.enumerated() {
      try Self.checkSessionDate(n.date)
      index.notes.append(NoteEntry(
        number: UInt32(i + 1), kind: n.kind, date: n.date, minutes: n.minutes,
        signature: n.signed ? Signature(time: now, signer: author) : nil, firstLine: NoteText.firstLine(n.text),
        versions: [try putText(n.text, client: draft, author: author, now: now)], addenda: []))
    }
    let indexObject = try put(index.encoded(), as: .clientIndex, client: id, key: key)
    return Client(id: id, code: code, key: key, index: index, indexObject: indexObject)
  }

  // MARK: Internals

  /// "updated phone, email", short enough for the client index (1000 bytes).
  static func summary(of changed: [String]) -> String {
    let full = "updated " + changed.joined(separator: ", ")
    return full.utf8.count <= 200 ? full : "updated \(changed.count) fields"
  }

  private func draft(_ number: UInt32, of client: Client) throws -> (ClientIndex, Int) {
    let id = client.noteID(number)
    guard let i = client.index.notes.firstIndex(where: { $0.number == number }) else { throw RecordError.noteNotFound(id.description) }
    if let s = client.index.notes[i].signature {
      throw RecordError.noteSigned(id.description, signedOn: LogEntry.format(seconds: s.time), by: s.signer)
    }
    return (client.index, i)
  }

  /// Refuses a session date in the future.
  public static func checkSessionDate(_ date: Day) throws(RecordError) {
    guard date <= Day.today() else { throw .invalidDate(date.description, "the date is in the future") }
  }

  private func putText(_ text: String, client: Client, author: String, now: Int64) throws -> Revision {
    let bytes = Array(text.utf8)
    guard bytes.count <= NoteText.maximumBytes else { throw RecordError.noteTooLarge(source: "the text", limit: NoteText.maximumBytes) }
    let object = try put(bytes, as: .note, client: client.id, key: client.key)
    return Revision(object: object, time: now, author: author, length: UInt32(bytes.count))
  }

  /// Writes the client's new index object, commits the vault index, and removes the index object it replaced.
  func save(_ client: Client, _ index: ClientIndex) throws -> Client {
    var vaultIndex = try unlocked.readIndex()
    guard let i = vaultIndex.entries.firstIndex(where: { $0.client == client.id }) else {
      throw VaultError.internalError("client vanished from the index while it was being changed")
    }
    let object = try put(index.encoded(), as: .clientIndex, client: client.id, key: client.key)
    let old = vaultIndex.entries[i].clientIndex
    vaultIndex.entries[i].clientIndex = object
    try unlocked.commit(vaultIndex, replacing: [old])
    return Client(id: client.id, code: client.code, key: client.key, index: index, indexObject: object)
  }

  func put(_ bytes: [UInt8], as type: ObjectType, client: RandomID, key: SecretKey) throws -> ObjectID {
    try unlocked.markUnfinished()
    return try wrap { try store.put(bytes, binding: ObjectBinding(type: type, client: client), key: key, vault: vaultID) }
  }

  func read(_ id: ObjectID, as type: ObjectType, client: RandomID, key: SecretKey, limit: Int? = nil) throws -> [UInt8] {
    do {
      return try store.get(
        id, binding: ObjectBinding(type: type, client: client), key: key, vault: vaultID, limit: limit ?? type.maximumContent, scratch: scratch)
    } catch let e as ObjectError {
      throw integrity(id, VaultVerifier.describe(e))
    } catch { throw VaultError.from(error) }
  }

  func integrity(_ id: ObjectID, _ why: String) -> VaultError {
    let hex = id.hex
    return .integrity([Finding(.error, "objects/\(hex.prefix(2))/\(hex)", why)])
  }

  func wrap<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch { throw VaultError.from(error) }
  }

  /// Lowercased, with accents removed, for forgiving name matching.
  static func fold(_ s: String) -> String {
    s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
  }
}
