/// Lowercase hexadecimal, the spelling of every id and hash in file names and output.
public enum Hex {
  private static let digits = Array("0123456789abcdef".utf8)

  /// Encodes bytes as lowercase hex.
  public static func encode(_ bytes: [UInt8]) -> String {
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
      out.append(digits[Int(b >> 4)])
      out.append(digits[Int(b & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Decodes lowercase or uppercase hex (only lowercase with `lowercaseOnly`); nil for odd
  /// length or any other character.
  public static func decode(_ s: String, lowercaseOnly: Bool = false) -> [UInt8]? {
    var s = s
    return s.withUTF8 { u -> [UInt8]? in
      guard u.count % 2 == 0 else { return nil }
      var out = [UInt8]()
      out.reserveCapacity(u.count / 2)
      var i = 0
      while i < u.count {
        guard let hi = value(u[i], lowercaseOnly), let lo = value(u[i + 1], lowercaseOnly) else { return nil }
        out.append(hi << 4 | lo)
        i += 2
      }
      return out
    }
  }

  private static func value(_ c: UInt8, _ lowercaseOnly: Bool) -> UInt8? {
    switch c {
    case 48...57: c - 48
    case 97...102: c - 87
    case 65...70 where !lowercaseOnly: c - 55
    default: nil
    }
  }
}
