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
struct Records {
  /// The unlocked vault.
  let unlocked: UnlockedVault
  /// One chunk of secure memory reused by every read (nil if it could not be allocated).
  private let scratch = try? ReadScratch()

  /// Records of `unlocked`.
  init(_ unlocked: UnlockedVault) { self.unlocked = unlocked }

  var vaultID: RandomID { unlocked.vault.config.vaultID }
  var store: ObjectStore { unlocked.vault.layout.objectStore }

  // MARK: Finding clients

  /// Every client's code next to their index entry (keyed hashes only; nothing is decrypted).
  func codes(in index: VaultIndex) throws -> [(entry: IndexEntry, code: ClientCode)] {
    // The all-zero id names the practice index, not a client (FORMAT.md §8.3).
    try index.entries.filter { $0.client != .none }.map { ($0, try ClientCode.derive(client: $0.client, key: unlocked.keys.clientCodes)) }
  }

  /// Every client this unlock holds a key for, in the order they were added: an owner's every
  /// client, another practitioner's the ones granted to them. The keys decide, not a list.
  func allClients() throws -> [Client] {
    try codes(in: unlocked.readIndex()).compactMap { try loadIfGranted($0.entry, code: $0.code) }
  }

  /// The client whose code is `query`, else the one client whose legal or preferred name, or a
  /// word of either, starts with `query` (case- and accent-insensitive).
  /// - Throws: `RecordError.clientNotFound` or `.ambiguousClient` (listing the codes).
  func client(_ query: String) throws -> Client {
    let coded = try codes(in: unlocked.readIndex())
    if let code = ClientCode(parsing: query), let hit = coded.first(where: { $0.code == code }) {
      return try load(hit.entry, code: hit.code)
    }
    let needle = Self.fold(query.trimmingSpaces())
    guard !needle.isEmpty else { throw RecordError.clientNotFound(query) }
    // Names are searched among the clients this unlock can open: others' names stay sealed.
    let matches = try coded.compactMap { try loadIfGranted($0.entry, code: $0.code) }.filter { c in
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
  func clients(matching codes: [ClientCode]) throws -> [Client] {
    let wanted = Set(codes)
    return try self.codes(in: unlocked.readIndex()).filter { wanted.contains($0.code) }.compactMap { try loadIfGranted($0.entry, code: $0.code) }
  }

  /// Opens a client's keys and decrypts their client index (an auditor's grant: their register).
  /// - Throws: `AccessError.notAssigned` when this unlock holds no key for them.
  func load(_ entry: IndexEntry, code: ClientCode) throws -> Client {
    guard let client = try loadIfGranted(entry, code: code) else {
      throw AccessError.notAssigned(client: code.description, name: unlocked.actor.name)
    }
    return client
  }

  /// `load`, or nil when this unlock holds no key for the client.
  func loadIfGranted(_ entry: IndexEntry, code: ClientCode) throws -> Client? {
    guard let ring = try keyRing(entry.client) else { return nil }
    let index: ClientIndex
    if ring.clinical.isEmpty {
      guard let register = entry.register else {
        throw VaultError.integrity([Finding(.error, "index", "client \(code) has a register grant but no register object")])
      }
      let plain = try read(register, as: .register, client: entry.client, keys: [ring.register])
      do { index = try ClientIndex.decode(plain, register: true) } catch { throw integrity(register, "register cannot be parsed: \(error)") }
    } else {
      let plain = try read(entry.clientIndex, as: .clientIndex, client: entry.client, keys: ring.clinical)
      do { index = try ClientIndex.decode(plain) } catch { throw integrity(entry.clientIndex, "client index cannot be parsed: \(error)") }
    }
    return Client(id: entry.client, code: code, keys: ring, index: index, indexObject: entry.clientIndex, registerObject: entry.register)
  }

  /// The client's key file, parsed.
  func keyFile(_ client: RandomID) throws -> ClientKeyFile {
    do {
      let path = unlocked.vault.layout.clientKey(client)
      let file = try ClientKeyFile.decode(unlocked.pendingFile(path) ?? FileSystem.readFile(path, limit: ClientKeyFile.maximumFileSize))
      guard file.client == client else { throw FormatError.invalidField("the key file names another client") }
      return file
    } catch {
      throw VaultError.integrity([Finding(.error, "clientkeys/\(client.hex)", "client key is missing or damaged (\(VaultError.from(error)))")])
    }
  }

  /// The keys of `client` this unlock can open; nil when it holds no grant for them.
  func keyRing(_ client: RandomID) throws -> ClientKeyRing? {
    let file = try keyFile(client)
    do { return try file.open(as: unlocked.holder, keys: unlocked.keys, vault: vaultID) } catch {
      throw VaultError.integrity([Finding(.error, "clientkeys/\(client.hex)", "client key does not open (modified, or moved from another client): \(VaultError.from(error))")])
    }
  }

  // MARK: Reading content

  /// One version of the client's record.
  func record(_ client: Client, _ version: RecordVersion) throws -> ClientRecord {
    let plain = try read(version.revision.object, as: .clientRecord, client: client.id, keys: client.keys.clinical)
    do { return try ClientRecord.decode(plain) } catch { throw integrity(version.revision.object, "\(error)") }
  }

  /// The latest version of the client's record.
  func currentRecord(_ client: Client) throws -> ClientRecord {
    try record(client, client.index.records[client.index.records.count - 1])
  }

  /// The text of a note version or addendum.
  func text(_ client: Client, _ revision: Revision) throws -> String {
    let plain = try read(revision.object, as: .note, client: client.id, keys: client.keys.clinical, limit: NoteText.maximumBytes)
    guard let text = String(validating: plain, as: UTF8.self) else { throw integrity(revision.object, "note text is not UTF-8") }
    return text
  }

  // MARK: Internals

  /// "updated phone, email", short enough for the client index (1000 bytes).
  static func summary(of changed: [String]) -> String {
    let full = "updated " + changed.joined(separator: ", ")
    return full.utf8.count <= 200 ? full : "updated \(changed.count) fields"
  }

  /// Writes the client's new index object, commits the vault index, and removes the index object it replaced.
  func save(_ client: Client, _ index: ClientIndex) throws -> Client {
    var vaultIndex = try unlocked.readIndex()
    guard let i = vaultIndex.entries.firstIndex(where: { $0.client == client.id }) else {
      throw VaultError.internalError("client vanished from the index while it was being changed")
    }
    let object = try put(index.encoded(), as: .clientIndex, client: client.id, key: client.key)
    let old = vaultIndex.entries[i]
    vaultIndex.entries[i].clientIndex = object
    vaultIndex.entries[i].register = try register(index, client: client.id, keys: client.keys, in: vaultIndex)
    try unlocked.commit(vaultIndex, replacing: [old.clientIndex] + (old.register.map { [$0] } ?? []))
    return Client(
      id: client.id, code: client.code, keys: client.keys, index: index, indexObject: object, registerObject: vaultIndex.entries[i].register)
  }

  /// Writes the client's register object, which an index of revision 1 names next to every
  /// client index object (nil in a vault without practitioners).
  func register(_ index: ClientIndex, client: RandomID, keys: ClientKeyRing, in vaultIndex: VaultIndex) throws -> ObjectID? {
    guard vaultIndex.revision == 1 else { return nil }
    return try put(index.register.encoded(), as: .register, client: client, key: keys.register)
  }

  func put(_ bytes: [UInt8], as type: ObjectType, client: RandomID, key: SecretKey) throws -> ObjectID {
    try unlocked.markUnfinished()
    return try wrap { try store.put(bytes, binding: ObjectBinding(type: type, client: client), key: key, vault: vaultID) }
  }

  func read(_ id: ObjectID, as type: ObjectType, client: RandomID, keys: [SecretKey], limit: Int? = nil) throws -> [UInt8] {
    guard !keys.isEmpty else {
      let actor = unlocked.actor
      throw AccessError.roleRefused(
        name: actor.name, role: actor.role, what: "a client's clinical record (their key opens only its register)", allowed: [.owner, .clinician, .supervisor])
    }
    do {
      return try store.get(
        id, binding: ObjectBinding(type: type, client: client), keys: keys, vault: vaultID, limit: limit ?? type.maximumContent, scratch: scratch)
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
