import VaultCrypto

/// Where every entry of a backup repository is: read from its index files (FORMAT.md §16.3), or,
/// in a repository of the first layout, from the names of its loose copies (§16.5).
///
/// An index file is `header ‖ count (u32) ‖ count × (pack id (32) ‖ trailer length (u32) ‖
/// trailer)`, named by its own BLAKE2b-256: each pack's trailer is copied as it stands in the
/// pack, so the index checks against the pack names without reading a pack.
struct RepositoryIndex {
  /// Each entry's location (an id in several packs: any of them).
  private(set) var locations: [ObjectID: PackLocation] = [:]
  /// Every indexed pack and its trailer.
  private(set) var packs: [ObjectID: PackTrailer] = [:]
  /// The index files this was read from.
  var files: [BlobName] = []

  /// The largest index file a reader accepts (about 1.6 million entries).
  static let maximumFileSize = 64 << 20

  init() {}

  /// True if the repository holds `id`.
  func contains(_ id: ObjectID) -> Bool { locations[id] != nil }

  /// Records a pack's entries.
  mutating func add(pack id: ObjectID, _ trailer: PackTrailer) {
    packs[id] = trailer
    for (entry, offset) in trailer.located where locations[entry.id] == nil {
      locations[entry.id] = PackLocation(kind: entry.kind, pack: id, offset: offset, length: entry.length)
    }
  }

  /// The same index without the packs not in `present`.
  func keeping(_ present: Set<ObjectID>) -> RepositoryIndex {
    var out = RepositoryIndex()
    for (id, trailer) in packs.sorted(by: { $0.key < $1.key }) where present.contains(id) { out.add(pack: id, trailer) }
    out.files = files
    return out
  }

  /// Records a loose copy (first layout).
  mutating func addLoose(_ kind: PackEntryKind, _ id: ObjectID) {
    locations[id] = PackLocation(kind: kind, pack: nil, offset: 0, length: 0)
  }

  /// The bytes of an index file listing `packs`.
  static func encode(_ packs: [(id: ObjectID, trailer: PackTrailer)]) -> [UInt8] {
    var w = ByteWriter()
    w.write(FileHeader.encode(.backupIndex))
    w.write(UInt32(packs.count))
    for p in packs {
      let t = p.trailer.encoded
      w.write(p.id.bytes)
      w.write(UInt32(t.count))
      w.write(t)
    }
    return w.bytes
  }

  /// Parses an index file named `name` (its id), checking the name and every pack id.
  static func decode(_ bytes: [UInt8], name: String) throws -> [(id: ObjectID, trailer: PackTrailer)] {
    guard Hex.encode(try Hasher.blake2b256(bytes)) == name else { throw FormatError.invalidField("index \(name.prefix(12))… does not match its name") }
    var r = ByteReader(bytes)
    try FileHeader.read(.backupIndex, from: &r)
    let count = Int(try r.readUInt32())
    guard count <= bytes.count / 36 else { throw FormatError.truncated }
    var out: [(ObjectID, PackTrailer)] = []
    for _ in 0..<count {
      let id = try ObjectID(bytes: try r.read(32))
      let length = Int(try r.readUInt32())
      let raw = try r.read(length)
      let trailer = try PackTrailer.decode(raw)
      guard try Hasher.blake2b256(raw) == id.bytes else { throw FormatError.invalidField("index \(name.prefix(12))… lists pack \(id.hex.prefix(12))… with a list that is not its own") }
      out.append((id, trailer))
    }
    try r.expectEnd()
    return out
  }
}
