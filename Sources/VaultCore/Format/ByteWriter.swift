// Format/ owns the byte-level encoding shared by every vault file (FORMAT.md §2, §3):
// little-endian integers, length-prefixed strings, the common header and its checksum.
// It knows nothing about keys or the file system.

/// Builds a byte buffer field by field, little-endian.
public struct ByteWriter {
  /// The bytes written so far.
  public private(set) var bytes: [UInt8] = []

  /// An empty writer.
  public init() {}

  /// Appends raw bytes.
  public mutating func write(_ b: [UInt8]) { bytes += b }
  /// Appends one byte.
  public mutating func write(_ v: UInt8) { bytes.append(v) }
  /// Appends a little-endian UInt16.
  public mutating func write(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
  /// Appends a little-endian UInt32.
  public mutating func write(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
  /// Appends a little-endian UInt64.
  public mutating func write(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
  /// Appends a little-endian Int64.
  public mutating func write(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
  /// Appends a UTF-8 string prefixed by its byte length as UInt16.
  /// Callers bound their strings far below 65535 bytes; a longer one is a programming error.
  public mutating func writeString(_ s: String) {
    let u = Array(s.utf8)
    precondition(u.count <= Int(UInt16.max), "string field longer than 65535 bytes")
    write(UInt16(u.count))
    bytes += u
  }
}
