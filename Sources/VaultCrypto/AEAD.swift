internal import Clibsodium

/// XChaCha20-Poly1305 (IETF) for small blobs: key slots, wrapped keys, indexes.
///
/// A sealed value is nonce (24) ‖ ciphertext ‖ tag (16). The nonce is random: 192 bits make
/// collisions negligible without any counter state on disk.
public enum AEAD {
  /// Nonce length in bytes.
  public static let nonceSize = Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
  /// Authentication tag length in bytes.
  public static let tagSize = Int(crypto_aead_xchacha20poly1305_ietf_ABYTES)
  /// Bytes a sealed value adds to its plaintext.
  public static let overhead = nonceSize + tagSize

  /// Encrypts and authenticates `plaintext`, binding `associatedData` (which is not stored).
  public static func seal(_ plaintext: UnsafeRawBufferPointer, using key: SecretKey, binding associatedData: [UInt8]) throws -> [UInt8] {
    let nonce = try Random.bytes(nonceSize)
    var out = [UInt8](repeating: 0, count: nonceSize + plaintext.count + tagSize)
    let rc = out.withUnsafeMutableBufferPointer { o in
      o.baseAddress!.update(from: nonce, count: nonceSize)
      var clen: UInt64 = 0
      return key.withUnsafeBytes { k in
        associatedData.withUnsafeBufferPointer { ad in
          crypto_aead_xchacha20poly1305_ietf_encrypt(
            o.baseAddress! + nonceSize, &clen,
            plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
            ad.baseAddress, UInt64(ad.count), nil, nonce,
            k.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
      }
    }
    guard rc == 0 else { throw CryptoError.operationFailed("XChaCha20-Poly1305 encryption") }
    return out
  }

  /// Seals a byte array.
  public static func seal(_ plaintext: [UInt8], using key: SecretKey, binding associatedData: [UInt8]) throws -> [UInt8] {
    try plaintext.withUnsafeBytes { p in try seal(p, using: key, binding: associatedData) }
  }

  /// Seals a key (to wrap it under another key).
  public static func seal(_ wrapped: SecretKey, using key: SecretKey, binding associatedData: [UInt8]) throws -> [UInt8] {
    try wrapped.storage.withUnsafeBytes { p in try seal(p, using: key, binding: associatedData) }
  }

  /// Opens a sealed value into secure memory.
  /// - Throws: `.authenticationFailed` for a wrong key, modified bytes or different associated data.
  public static func openSecret(_ sealed: [UInt8], using key: SecretKey, binding associatedData: [UInt8]) throws -> SecureBytes {
    guard sealed.count >= overhead else { throw CryptoError.invalidLength(expected: overhead, actual: sealed.count) }
    let out = try SecureBytes(count: sealed.count - overhead)
    let rc = out.withUnsafeMutableBytes { o in
      sealed.withUnsafeBufferPointer { s in
        key.withUnsafeBytes { k in
          associatedData.withUnsafeBufferPointer { ad in
            crypto_aead_xchacha20poly1305_ietf_decrypt(
              o.baseAddress?.assumingMemoryBound(to: UInt8.self), nil, nil,
              s.baseAddress! + nonceSize, UInt64(s.count - nonceSize),
              ad.baseAddress, UInt64(ad.count), s.baseAddress!,
              k.baseAddress!.assumingMemoryBound(to: UInt8.self))
          }
        }
      }
    }
    guard rc == 0 else { throw CryptoError.authenticationFailed }
    return out
  }

  /// Opens a sealed value that holds a wrapped key.
  public static func openKey(_ sealed: [UInt8], using key: SecretKey, binding associatedData: [UInt8]) throws -> SecretKey {
    try SecretKey(openSecret(sealed, using: key, binding: associatedData))
  }

  /// Opens a sealed value whose plaintext is not key material, straight into an array
  /// (no secure allocation: sodium_malloc costs two mprotect calls, too much per log entry).
  public static func open(_ sealed: [UInt8], using key: SecretKey, binding associatedData: [UInt8]) throws -> [UInt8] {
    guard sealed.count >= overhead else { throw CryptoError.invalidLength(expected: overhead, actual: sealed.count) }
    var out = [UInt8](repeating: 0, count: sealed.count - overhead)
    let rc = out.withUnsafeMutableBufferPointer { o in
      sealed.withUnsafeBufferPointer { s in
        key.withUnsafeBytes { k in
          associatedData.withUnsafeBufferPointer { ad in
            crypto_aead_xchacha20poly1305_ietf_decrypt(
              o.baseAddress, nil, nil, s.baseAddress! + nonceSize, UInt64(s.count - nonceSize),
              ad.baseAddress, UInt64(ad.count), s.baseAddress!, k.baseAddress!.assumingMemoryBound(to: UInt8.self))
          }
        }
      }
    }
    guard rc == 0 else { throw CryptoError.authenticationFailed }
    return out
  }
}
