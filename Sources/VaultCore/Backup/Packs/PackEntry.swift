import VaultCrypto

/// What a pack entry holds, which says how its id is computed (FORMAT.md §16.2).
public enum PackEntryKind: UInt8, Sendable, Equatable {
  /// A copy of a vault object, byte for byte; its id is the object's name (`ObjectDigest`).
  case object = 1
  /// Other bytes (a vault file such as `config` or `log/entries`, a snapshot's object list);
  /// its id is the BLAKE2b-256 of the bytes.
  case data = 2

  /// A fresh digest of the kind's hash.
  func digest() throws -> EntryDigest { try EntryDigest(self) }
}

/// The hash that names an entry of `kind`, fed the entry's bytes in order.
final class EntryDigest {
  private let object: ObjectDigest?
  private let data: Hasher?

  init(_ kind: PackEntryKind) throws {
    object = kind == .object ? try ObjectDigest() : nil
    data = kind == .data ? try Hasher() : nil
  }

  func update(_ bytes: UnsafeRawBufferPointer) {
    object?.update(bytes)
    data?.update(bytes)
  }

  func finalize() -> [UInt8] { object?.finalize() ?? data?.finalize() ?? [] }
}

/// One entry of a pack: its kind, its id and its length. Entries lie back to back after the
/// pack's header, so an entry's offset is the sum of the lengths before it.
public struct PackEntry: Sendable, Equatable {
  public let kind: PackEntryKind
  public let id: ObjectID
  public let length: UInt64

  /// Bytes of one entry record in a trailer: kind, id, length.
  static let encodedSize = 1 + 32 + 8
}

/// Where an entry's bytes are in the repository.
public struct PackLocation: Sendable, Equatable {
  public let kind: PackEntryKind
  /// The pack (its id), or nil for a loose copy (a repository of the first layout, §16.5).
  public let pack: ObjectID?
  public let offset: UInt64
  public let length: UInt64
}

/// The list of a pack's entries, stored at its end and copied into the index (FORMAT.md §16.2):
///
///     trailer = count (u32) ‖ count × (kind (u8) ‖ id (32) ‖ length (u64))
///
/// A pack's id is the BLAKE2b-256 of its trailer: with every entry checked against its own id,
/// that covers every byte of the pack, so a keyless check hashes each byte once.
public struct PackTrailer: Sendable, Equatable {
  public var entries: [PackEntry]

  /// The most entries a trailer may list: bounds what a hostile length makes a reader allocate.
  static let maximumEntries = 1 << 20

  public init(entries: [PackEntry]) { self.entries = entries }

  /// The trailer's bytes.
  public var encoded: [UInt8] {
    var w = ByteWriter()
    w.write(UInt32(entries.count))
    for e in entries {
      w.write(e.kind.rawValue)
      w.write(e.id.bytes)
      w.write(e.length)
    }
    return w.bytes
  }

  /// The pack's id: BLAKE2b-256 of the trailer.
  public var packID: ObjectID {
    get throws { try ObjectID(bytes: try Hasher.blake2b256(encoded)) }
  }

  /// Bytes the entries take (the pack is 8 + this + the trailer + 4).
  public var contentLength: UInt64 { entries.reduce(0) { $0 + $1.length } }

  /// The pack's whole size.
  public var packSize: UInt64 { UInt64(FileHeader.size) + contentLength + UInt64(encoded.count) + 4 }

  /// Each entry with its offset in the pack.
  public var located: [(entry: PackEntry, offset: UInt64)] {
    var offset = UInt64(FileHeader.size)
    return entries.map { e in
      defer { offset += e.length }
      return (e, offset)
    }
  }

  /// Parses a trailer (without the pack's final length field).
  public static func decode(_ bytes: [UInt8]) throws -> PackTrailer {
    var r = ByteReader(bytes)
    let trailer = try decode(from: &r)
    try r.expectEnd()
    return trailer
  }

  /// Parses a trailer from `reader`, leaving what follows it.
  static func decode(from r: inout ByteReader) throws -> PackTrailer {
    let count = Int(try r.readUInt32())
    guard count > 0, count <= maximumEntries else { throw FormatError.invalidField("a pack lists \(count) entries") }
    var entries: [PackEntry] = []
    entries.reserveCapacity(count)
    var total: UInt64 = 0
    for _ in 0..<count {
      guard let kind = PackEntryKind(rawValue: try r.readUInt8()) else { throw FormatError.invalidField("a pack entry of unknown kind") }
      let id = try ObjectID(bytes: try r.read(32))
      let length = try r.readUInt64()
      // Bounded one by one and in total, so that offsets and sizes never overflow.
      total += min(length, 1 << 50)
      guard length <= 1 << 50, total <= 1 << 50 else { throw FormatError.invalidField("a pack's entries add up to more than 2^50 bytes") }
      entries.append(PackEntry(kind: kind, id: id, length: length))
    }
    return PackTrailer(entries: entries)
  }
}
