internal import Clibsodium

/// Argon2id cost parameters, stored with each key slot so they can be raised later.
public struct KDFParameters: Sendable, Equatable, Hashable {
  /// Number of passes (crypto_pwhash opslimit).
  public var opsLimit: UInt64
  /// Memory in bytes (crypto_pwhash memlimit).
  public var memLimit: UInt64

  /// Creates parameters; `validate()` decides whether they are acceptable.
  public init(opsLimit: UInt64, memLimit: UInt64) {
    self.opsLimit = opsLimit
    self.memLimit = memLimit
  }

  /// libsodium's MODERATE limits (3 passes, 256 MiB): the default for a passphrase slot.
  public static let moderate = KDFParameters(
    opsLimit: UInt64(crypto_pwhash_OPSLIMIT_MODERATE), memLimit: UInt64(crypto_pwhash_MEMLIMIT_MODERATE))
  /// libsodium's SENSITIVE limits (4 passes, 1 GiB).
  public static let sensitive = KDFParameters(
    opsLimit: UInt64(crypto_pwhash_OPSLIMIT_SENSITIVE), memLimit: UInt64(crypto_pwhash_MEMLIMIT_SENSITIVE))
  /// Minimal limits, for tests and demos only: a slot with these falls to brute force quickly.
  public static let insecureTest = KDFParameters(
    opsLimit: UInt64(crypto_pwhash_OPSLIMIT_MIN), memLimit: UInt64(crypto_pwhash_MEMLIMIT_MIN))

  /// The largest values a reader accepts from disk: a hostile slot must not make unlocking
  /// take hours or exhaust memory (FORMAT.md §Key slots).
  public static let maxOpsLimit: UInt64 = 16
  /// 4 GiB: four times SENSITIVE.
  public static let maxMemLimit: UInt64 = 4 << 30

  /// Throws `.invalidKDFParameters` unless both values are within libsodium's minimums and our caps.
  public func validate() throws {
    guard opsLimit >= UInt64(crypto_pwhash_OPSLIMIT_MIN), opsLimit <= Self.maxOpsLimit,
      memLimit >= UInt64(crypto_pwhash_MEMLIMIT_MIN), memLimit <= Self.maxMemLimit
    else { throw CryptoError.invalidKDFParameters }
  }
}

/// Argon2id13 (crypto_pwhash): turns a passphrase into a key-encryption key.
public enum PasswordKDF {
  /// Salt length in bytes.
  public static let saltSize = Int(crypto_pwhash_SALTBYTES)

  /// Derives a 32-byte key from `passphrase` and `salt` with `parameters`.
  public static func derive(_ passphrase: SecureBytes, salt: [UInt8], parameters: KDFParameters) throws -> SecretKey {
    try parameters.validate()
    guard salt.count == saltSize else { throw CryptoError.invalidLength(expected: saltSize, actual: salt.count) }
    let out = try SecureBytes(count: SecretKey.size)
    let rc = out.withUnsafeMutableBytes { o in
      passphrase.withUnsafeBytes { p in
        crypto_pwhash(
          o.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(SecretKey.size),
          p.baseAddress!.assumingMemoryBound(to: CChar.self), UInt64(p.count), salt,
          parameters.opsLimit, Int(parameters.memLimit), crypto_pwhash_ALG_ARGON2ID13)
      }
    }
    guard rc == 0 else { throw CryptoError.kdfFailed }
    return try SecretKey(out)
  }
}
