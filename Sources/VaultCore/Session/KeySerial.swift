/// The kernel's number for one key (the first column of /proc/keys, in hex).
public struct KeySerial: Hashable, Sendable, CustomStringConvertible {
  /// The serial as the system calls take it.
  public let rawValue: Int32

  /// Wraps a serial returned by the kernel.
  public init(rawValue: Int32) { self.rawValue = rawValue }

  /// Eight lowercase hex digits, as /proc/keys spells it.
  public var description: String {
    let h = String(UInt32(bitPattern: rawValue), radix: 16)
    return String(repeating: "0", count: max(0, 8 - h.count)) + h
  }
}
