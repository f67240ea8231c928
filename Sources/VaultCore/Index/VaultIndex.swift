// Index/ owns the one mutable file that says what the vault contains. Every change to the
// vault's records is new objects plus one atomic replacement of this file (FORMAT.md §7).
#if canImport(Glibc)
  import Glibc
#endif
import VaultCrypto

/// One client in the index: where their record list lives.
public struct IndexEntry: Sendable, Equatable {
  /// The client's random id (also the name of their key file).
  public var client: RandomID
  /// The object holding the client's index (their records and versions).
  public var clientIndex: ObjectID
  /// The client's register object (FORMAT.md §17.5): in a practice with practitioners only.
  public var register: ObjectID?

  /// Creates an entry.
  public init(client: RandomID, clientIndex: ObjectID, register: ObjectID? = nil) {
    self.client = client
    self.clientIndex = clientIndex
    self.register = register
  }
}

/// The vault index: a generation counter and one entry per client, encrypted and
/// authenticated as a whole under the index key.
///
/// Adding a note rewrites one client's index object and this file, whose size depends on
/// the number of clients, not on the number of notes: the cost of a write stays flat as a
/// practice's notes accumulate. The generation only grows, which lets the access log and
/// backups detect a vault rolled back to an older index.
public struct VaultIndex: Sendable, Equatable {
  /// Incremented by every commit.
  public var generation: UInt64
  /// Clients, in the order they were added.
  public var entries: [IndexEntry]
  /// 1 once the practice has practitioners: every entry then names a register object too.
  public var revision: UInt8
  /// Revision 1: the generation of the practitioner registry this index was written with; a
  /// registry older than this was rolled back (FORMAT.md §17.1).
  public var registryGeneration: UInt64 = 0

  /// An index with `generation` and `entries`.
  public init(generation: UInt64 = 0, entries: [IndexEntry] = [], revision: UInt8 = 0) {
    self.generation = generation
    self.entries = entries
    self.revision = revision
  }

  /// Bytes per entry.
  var entrySize: Int { revision == 0 ? 48 : 80 }

  /// The most clients an index lists (FORMAT.md §7): 65,536, far beyond a practice, and the
  /// bound that keeps a whole index (3 MiB at most) cheap to hold while it is checked.
  static let maxEntries = 1 << 16

  /// The largest index file: header, nonce, generation, count, every entry, tag, checksum.
  public static let maximumFileSize = FileHeader.size + 24 + 20 + maxEntries * 80 + 16 + 32

  /// The index file: header ‖ nonce ‖ sealed body ‖ checksum.
  public func encoded(keys: VaultKeys, vault: RandomID) throws -> [UInt8] {
    var w = ByteWriter()
    w.write(generation)
    if revision == 1 { w.write(registryGeneration) }
    w.write(UInt32(entries.count))
    for e in entries {
      w.write(e.client.bytes)
      w.write(e.clientIndex.bytes)
      if revision == 1 { w.write((e.register ?? ObjectID.zero).bytes) }
    }
    let sealed = try AEAD.seal(w.bytes, using: keys.index, binding: Self.associatedData(vault: vault, revision: revision))
    return try ChecksummedFile.encode(.index, revision: revision, body: sealed)
  }

  /// The layout revision of the index file at `path`, from its header alone (nil if unreadable):
  /// whether the vault has moved to the practice layout, known without decrypting anything.
  static func revision(ofFileAt path: String) -> UInt8? {
    guard let fd = try? FileSystem.open(path, O_RDONLY) else { return nil }
    defer { close(fd) }
    var header = [UInt8](repeating: 0, count: FileHeader.size)
    guard (try? header.withUnsafeMutableBytes { try FileSystem.readFull(fd, into: $0, path: path) }) == FileHeader.size else { return nil }
    return header[7]
  }

  /// Keyless structural check: header, checksum, and room for the AEAD.
  public static func checkStructure(_ bytes: [UInt8]) throws {
    let body = try ChecksummedFile.decode(.index, bytes, revisions: 0...1).body
    guard body.count >= AEAD.overhead + 12 else { throw FormatError.truncated }
  }

  /// Opens and parses the index.
  /// - Throws: `CryptoError.authenticationFailed` if it was modified or belongs to another vault.
  public static func decode(_ bytes: [UInt8], keys: VaultKeys, vault: RandomID) throws -> VaultIndex {
    let (revision, body) = try ChecksummedFile.decode(.index, bytes, revisions: 0...1)
    var r = ByteReader(try AEAD.open(body, using: keys.index, binding: associatedData(vault: vault, revision: revision)))
    let generation = try r.readUInt64()
    let registryGeneration = revision == 1 ? try r.readUInt64() : 0
    let count = Int(try r.readUInt32())
    let size = revision == 0 ? 48 : 80
    guard count <= maxEntries, count * size == r.remaining else { throw FormatError.invalidField("entry count does not match size") }
    var entries: [IndexEntry] = []
    entries.reserveCapacity(count)
    for _ in 0..<count {
      var entry = IndexEntry(client: try RandomID(bytes: r.read(RandomID.size)), clientIndex: try ObjectID(bytes: r.read(32)))
      if revision == 1 {
        let register = try ObjectID(bytes: r.read(32))
        entry.register = register == .zero ? nil : register
      }
      entries.append(entry)
    }
    try r.expectEnd()
    guard Set(entries.map(\.client)).count == entries.count else { throw FormatError.invalidField("a client appears twice") }
    var index = VaultIndex(generation: generation, entries: entries, revision: revision)
    index.registryGeneration = registryGeneration
    return index
  }

  static func associatedData(vault: RandomID, revision: UInt8 = 0) -> [UInt8] {
    Binding.index + vault.bytes + FileHeader.encode(.index, revision: revision)
  }
}
