/// Reads fields from untrusted bytes; every read is bounds-checked and throws on short input.
public struct ByteReader {
  private let bytes: [UInt8]
  /// The offset of the next byte to read.
  public private(set) var offset = 0

  /// A reader positioned at the start of `bytes`.
  public init(_ bytes: [UInt8]) { self.bytes = bytes }

  /// Bytes not yet read.
  public var remaining: Int { bytes.count - offset }

  /// Reads exactly `count` bytes.
  public mutating func read(_ count: Int) throws(FormatError) -> [UInt8] {
    guard count >= 0, count <= remaining else { throw .truncated }
    defer { offset += count }
    return Array(bytes[offset..<offset + count])
  }

  /// Reads one byte.
  public mutating func readUInt8() throws(FormatError) -> UInt8 { try read(1)[0] }
  /// Reads a little-endian UInt16.
  public mutating func readUInt16() throws(FormatError) -> UInt16 { UInt16(truncatingIfNeeded: try readLE(2)) }
  /// Reads a little-endian UInt32.
  public mutating func readUInt32() throws(FormatError) -> UInt32 { UInt32(truncatingIfNeeded: try readLE(4)) }
  /// Reads a little-endian UInt64.
  public mutating func readUInt64() throws(FormatError) -> UInt64 { try readLE(8) }
  /// Reads a little-endian Int64.
  public mutating func readInt64() throws(FormatError) -> Int64 { Int64(bitPattern: try readLE(8)) }

  /// Reads a UInt16-length-prefixed UTF-8 string of at most `maxBytes` bytes.
  public mutating func readString(maxBytes: Int) throws(FormatError) -> String {
    let n = Int(try readUInt16())
    guard n <= maxBytes else { throw .invalidField("string longer than \(maxBytes) bytes") }
    let raw = try read(n)
    guard let s = String(validating: raw, as: UTF8.self) else { throw .invalidField("string is not UTF-8") }
    return s
  }

  /// Throws unless every byte was consumed: trailing bytes are a format violation, not padding.
  public func expectEnd() throws(FormatError) {
    guard remaining == 0 else { throw .trailingBytes }
  }

  private mutating func readLE(_ n: Int) throws(FormatError) -> UInt64 {
    LittleEndian.u64(try read(n))
  }
}
