import VaultCrypto

/// The name of an object: the BLAKE2b-256 of its whole file, so anyone can check it with `b2sum -l 256`.
public struct ObjectID: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The 32 digest bytes.
  public let bytes: [UInt8]

  /// Wraps a 32-byte digest.
  public init(bytes: [UInt8]) throws(FormatError) {
    guard bytes.count == Hasher.digestSize else { throw .invalidField("object id must be 32 bytes") }
    self.bytes = bytes
  }

  /// Parses the 64-character lowercase hex spelling used in file names.
  public init?(hex: String) {
    guard hex.utf8.count == 64, let b = Hex.decode(hex, lowercaseOnly: true) else { return nil }
    bytes = b
  }

  /// Hashes the digest as four words: a dictionary of tens of thousands of ids (a backup's
  /// index) would otherwise hash each byte on its own. All 32 bytes count, so ids written into
  /// a hostile index with a common prefix do not collide.
  public func hash(into hasher: inout Swift.Hasher) {
    bytes.withUnsafeBytes { b in
      for i in stride(from: 0, to: b.count - 7, by: 8) { hasher.combine(b.loadUnaligned(fromByteOffset: i, as: UInt64.self)) }
    }
  }

  /// 64 lowercase hex characters.
  public var hex: String { Hex.encode(bytes) }
  /// All zero: "no object" where a field is fixed-size (FORMAT.md §17.5).
  public static let zero = ObjectID(zeroBytes: ())

  private init(zeroBytes: Void) { bytes = [UInt8](repeating: 0, count: Hasher.digestSize) }
  /// The hex spelling.
  public var description: String { hex }
  /// Orders ids by their hex spelling, as a directory listing does.
  public static func < (a: ObjectID, b: ObjectID) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}

/// A random 16-byte identifier (vault, client, key slot); never derived from names or dates.
public struct RandomID: Hashable, Sendable, CustomStringConvertible {
  /// Identifier length in bytes.
  public static let size = 16
  /// The identifier bytes.
  public let bytes: [UInt8]

  /// A fresh random identifier.
  public static func generate() throws -> RandomID { try RandomID(bytes: Random.bytes(size)) }

  /// Wraps 16 bytes read from disk.
  public init(bytes: [UInt8]) throws(FormatError) {
    guard bytes.count == Self.size else { throw .invalidField("identifier must be \(Self.size) bytes") }
    self.bytes = bytes
  }

  /// Parses the 32-character hex spelling.
  public init?(hex: String) {
    guard hex.utf8.count == Self.size * 2, hex == hex.lowercased(), let b = Hex.decode(hex) else { return nil }
    bytes = b
  }

  /// The all-zero id, used where an object belongs to no client.
  public static let none = RandomID(zeroed: ())

  private init(zeroed: Void) { bytes = [UInt8](repeating: 0, count: Self.size) }

  /// 32 lowercase hex characters.
  public var hex: String { Hex.encode(bytes) }
  /// The hex spelling.
  public var description: String { hex }
}
