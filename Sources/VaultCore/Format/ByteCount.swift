import Foundation

/// Sizes for people: "512 B", "12.3 KiB", "1.5 MiB", "2.00 GiB".
public enum ByteCount {
  /// `n` bytes in binary units.
  public static func format(_ n: UInt64) -> String {
    n < 1024 ? "\(n) B"
      : n < 1 << 20 ? String(format: "%.1f KiB", Double(n) / 1024)
      : n < 1 << 30 ? String(format: "%.1f MiB", Double(n) / 1_048_576) : String(format: "%.2f GiB", Double(n) / 1_073_741_824)
  }
}
