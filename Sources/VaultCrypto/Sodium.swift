// VaultCrypto is the only code that calls libsodium. It exposes vault-level verbs (seal, open,
// derive, sign) over keys that live in sodium_malloc'd memory, and throws CryptoError, never nil.
internal import Clibsodium

enum Sodium {
  /// sodium_init is idempotent but not free; a static let runs it once, thread-safely.
  private static let status: Int32 = sodium_init()

  /// Throws if libsodium could not initialise (no entropy source, for example).
  static func ready() throws {
    if status < 0 { throw CryptoError.initializationFailed }
  }
}

/// Constant-time comparison of two byte sequences of equal length; false when lengths differ.
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
  guard a.count == b.count else { return false }
  if a.isEmpty { return true }
  return a.withUnsafeBytes { pa in
    b.withUnsafeBytes { pb in sodium_memcmp(pa.baseAddress!, pb.baseAddress!, a.count) == 0 }
  }
}
