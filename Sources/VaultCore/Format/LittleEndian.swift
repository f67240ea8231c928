/// Little-endian integers from bytes already bounds-checked by the caller (FORMAT.md §1).
public enum LittleEndian {
  /// The first 4 bytes as a UInt32.
  public static func u32<C: Collection<UInt8>>(_ bytes: C) -> UInt32 {
    bytes.prefix(4).enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
  }

  /// The first 8 bytes as a UInt64.
  public static func u64<C: Collection<UInt8>>(_ bytes: C) -> UInt64 {
    bytes.prefix(8).enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
  }
}
