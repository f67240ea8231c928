import VaultCrypto

/// The name of an object: the BLAKE2b-256 of its whole file, so anyone can check it with `b2sum -l 256`.
///
/// Held as four big-endian words, not an array: a backup's index holds tens of thousands of
/// ids, and words need no allocation, hash in four steps and compare in byte order.
public struct ObjectID: Hashable, Sendable, Comparable, CustomStringConvertible {
  private let w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

  /// The 32 digest bytes.
  public var bytes: [UInt8] {
    var out = [UInt8](repeating: 0, count: 32)
    out.withUnsafeMutableBytes { b in
      for (i, w) in [w0, w1, w2, w3].enumerated() { b.storeBytes(of: w.bigEndian, toByteOffset: i * 8, as: UInt64.self) }
    }
    return out
  }

  /// Wraps a 32-byte digest.
  public init(bytes: [UInt8]) throws(FormatError) {
    guard bytes.count == Hasher.digestSize else { throw .invalidField("object id must be 32 bytes") }
    (w0, w1, w2, w3) = bytes.withUnsafeBytes { b in
      (UInt64(bigEndian: b.loadUnaligned(fromByteOffset: 0, as: UInt64.self)), UInt64(bigEndian: b.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
       UInt64(bigEndian: b.loadUnaligned(fromByteOffset: 16, as: UInt64.self)), UInt64(bigEndian: b.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
    }
  }

  /// Parses the 64-character lowercase hex spelling used in file names.
  public init?(hex: String) {
    guard hex.utf8.count == 64, let b = Hex.decode(hex, lowercaseOnly: true), let id = try? ObjectID(bytes: b) else { return nil }
    self = id
  }

  /// 64 lowercase hex characters.
  public var hex: String { Hex.encode(bytes) }
  /// All zero: "no object" where a field is fixed-size (FORMAT.md §17.5).
  public static let zero = ObjectID(zeroBytes: ())

  private init(zeroBytes: Void) { (w0, w1, w2, w3) = (0, 0, 0, 0) }
  /// The hex spelling.
  public var description: String { hex }
  /// Orders ids by their bytes, as a directory listing of their hex names does.
  public static func < (a: ObjectID, b: ObjectID) -> Bool { (a.w0, a.w1, a.w2, a.w3) < (b.w0, b.w1, b.w2, b.w3) }
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
