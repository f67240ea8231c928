internal import Clibsodium

/// Public randomness (nonces, salts, identifiers) from the system CSPRNG.
public enum Random {
  /// `count` random bytes; not for secrets, which belong in `SecureBytes.random(count:)`.
  public static func bytes(_ count: Int) throws -> [UInt8] {
    try Sodium.ready()
    var out = [UInt8](repeating: 0, count: count)
    out.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) }
    return out
  }

}
