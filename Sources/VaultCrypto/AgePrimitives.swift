internal import Clibsodium
internal import Clibcrypto

// The primitives the age file format (age-encryption.org/v1) is built from, which vault's own
// format does not use: X25519, HKDF-SHA-256, ChaCha20-Poly1305 with explicit nonces, scrypt.
// Exports for clients are written in that format so that the standard `age` tool opens them.

/// X25519 Diffie-Hellman (RFC 7748).
public enum X25519 {
  /// Key and share length in bytes.
  public static let size = 32

  /// The public key (or share) of `secret`.
  public static func publicKey(of secret: SecureBytes) throws -> [UInt8] {
    guard secret.count == size else { throw CryptoError.invalidLength(expected: size, actual: secret.count) }
    var out = [UInt8](repeating: 0, count: size)
    let rc = secret.withUnsafeBytes { crypto_scalarmult_curve25519_base(&out, $0.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
    guard rc == 0 else { throw CryptoError.operationFailed("X25519") }
    return out
  }

  /// The shared secret of `secret` and `point`.
  /// - Throws: `.authenticationFailed` for a low-order point (an all-zero result), which age rejects.
  public static func sharedSecret(_ secret: SecureBytes, _ point: [UInt8]) throws -> SecureBytes {
    guard secret.count == size else { throw CryptoError.invalidLength(expected: size, actual: secret.count) }
    guard point.count == size else { throw CryptoError.invalidLength(expected: size, actual: point.count) }
    let out = try SecureBytes(count: size)
    let rc = out.withUnsafeMutableBytes { o in
      secret.withUnsafeBytes { s in
        crypto_scalarmult_curve25519(
          o.baseAddress!.assumingMemoryBound(to: UInt8.self), s.baseAddress!.assumingMemoryBound(to: UInt8.self), point)
      }
    }
    guard rc == 0 else { throw CryptoError.authenticationFailed }
    return out
  }
}

/// SHA-256, HMAC-SHA-256 and HKDF-SHA-256 (RFC 5869).
///
/// SHA-256 is OpenSSL's (libcrypto), which uses the CPU's SHA extensions where it has them
/// (about twice as fast as BLAKE2b here, five times libsodium's portable SHA-256): it names
/// large objects (FORMAT.md §6.5) and checks every file of an export.
public enum SHA256 {
  /// Digest length in bytes.
  public static let size = 32

  /// SHA-256 of `bytes`.
  public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: size)
    out.withUnsafeMutableBytes { hash(bytes, into: $0) }
    return out
  }

  /// SHA-256 of `bytes` into the first 32 bytes of `out` (no allocation; safe from any thread).
  public static func hash(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
    precondition(out.count >= size)
    var empty: UInt8 = 0
    withUnsafePointer(to: &empty) { e in
      _ = Clibcrypto.SHA256(
        bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? e, bytes.count, out.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }
  }

  /// Incremental SHA-256, for files hashed as they stream.
  public final class Stream {
    private let context: OpaquePointer

    /// A fresh hash.
    public init() {
      // Fails only when memory is exhausted: nothing useful can continue.
      guard let c = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
      context = c
      let rc = EVP_DigestInit_ex(c, EVP_sha256(), nil)
      precondition(rc == 1, "SHA-256 initialisation failed")
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds bytes.
    public func update(_ bytes: UnsafeRawBufferPointer) {
      guard bytes.count > 0 else { return }
      let rc = EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
      precondition(rc == 1, "SHA-256 update after finalize")
    }

    /// Adds bytes.
    public func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// Starts over, as a fresh hash (after `finalize`, to hash something else with the same state).
    public func reset() {
      let rc = EVP_DigestInit_ex(context, EVP_sha256(), nil)
      precondition(rc == 1, "SHA-256 initialisation failed")
    }

    /// The digest; the hash must not be used afterwards.
    public func finalize() -> [UInt8] {
      var out = [UInt8](repeating: 0, count: SHA256.size)
      var n: UInt32 = 0
      let rc = EVP_DigestFinal_ex(context, &out, &n)
      precondition(rc == 1 && n == 32, "SHA-256 finalized twice")
      return out
    }
  }

  /// HMAC-SHA-256 of `message` under `key` (any length).
  public static func hmac(key: UnsafeRawBufferPointer, _ message: UnsafeRawBufferPointer) -> [UInt8] {
    var state = crypto_auth_hmacsha256_state()
    // libsodium wants a pointer even for an empty key.
    var empty: UInt8 = 0
    withUnsafePointer(to: &empty) { e in
      _ = crypto_auth_hmacsha256_init(&state, key.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? e, key.count)
    }
    crypto_auth_hmacsha256_update(&state, message.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(message.count))
    var out = [UInt8](repeating: 0, count: size)
    crypto_auth_hmacsha256_final(&state, &out)
    return out
  }

  /// HKDF-SHA-256 extract-and-expand into a 32-byte key in secure memory.
  public static func hkdf(_ ikm: UnsafeRawBufferPointer, salt: [UInt8], info: [UInt8]) throws -> SecureBytes {
    // Extract: PRK = HMAC(salt, IKM), an empty salt meaning 32 zero bytes (RFC 5869 §2.2).
    let prk = try SecureBytes(count: size)
    let zeros = [UInt8](repeating: 0, count: size)
    var prkBytes = (salt.isEmpty ? zeros : salt).withUnsafeBytes { hmac(key: $0, ikm) }
    prk.withUnsafeMutableBytes { $0.copyBytes(from: prkBytes) }
    // Expand, one block: T(1) = HMAC(PRK, info ‖ 0x01).
    let okm = try SecureBytes(count: size)
    var block = prk.withUnsafeBytes { p in (info + [1]).withUnsafeBytes { hmac(key: p, $0) } }
    okm.withUnsafeMutableBytes { $0.copyBytes(from: block) }
    // The intermediate copies held key material in ordinary memory.
    prkBytes.withUnsafeMutableBytes { sodium_memzero($0.baseAddress, $0.count) }
    block.withUnsafeMutableBytes { sodium_memzero($0.baseAddress, $0.count) }
    return okm
  }
}

/// ChaCha20-Poly1305 (IETF, RFC 8439) with caller-chosen 12-byte nonces, as age's STREAM uses.
public enum ChaChaPoly {
  /// Nonce length.
  public static let nonceSize = 12
  /// Tag length.
  public static let tagSize = 16

  /// Encrypts `plaintext` into `out` (plaintext count + 16 bytes).
  public static func seal(_ plaintext: UnsafeRawBufferPointer, key: SecureBytes, nonce: [UInt8], into out: UnsafeMutableRawBufferPointer) throws {
    guard key.count == 32 else { throw CryptoError.invalidLength(expected: 32, actual: key.count) }
    guard nonce.count == nonceSize else { throw CryptoError.invalidLength(expected: nonceSize, actual: nonce.count) }
    guard out.count >= plaintext.count + tagSize else { throw CryptoError.invalidLength(expected: plaintext.count + tagSize, actual: out.count) }
    var clen: UInt64 = 0
    let rc = key.withUnsafeBytes { k in
      crypto_aead_chacha20poly1305_ietf_encrypt(
        out.baseAddress!.assumingMemoryBound(to: UInt8.self), &clen, plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self),
        UInt64(plaintext.count), nil, 0, nil, nonce, k.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }
    guard rc == 0 else { throw CryptoError.operationFailed("ChaCha20-Poly1305 encryption") }
  }

  /// Decrypts and authenticates `ciphertext` into `out` (ciphertext count − 16 bytes).
  public static func open(_ ciphertext: UnsafeRawBufferPointer, key: SecureBytes, nonce: [UInt8], into out: UnsafeMutableRawBufferPointer) throws {
    guard key.count == 32, nonce.count == nonceSize, ciphertext.count >= tagSize, out.count >= ciphertext.count - tagSize else {
      throw CryptoError.authenticationFailed
    }
    var mlen: UInt64 = 0
    let rc = key.withUnsafeBytes { k in
      crypto_aead_chacha20poly1305_ietf_decrypt(
        out.baseAddress!.assumingMemoryBound(to: UInt8.self), &mlen, nil, ciphertext.baseAddress!.assumingMemoryBound(to: UInt8.self),
        UInt64(ciphertext.count), nil, 0, nonce, k.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }
    guard rc == 0 else { throw CryptoError.authenticationFailed }
  }
}

extension ChaChaPoly {
  /// Seals many messages under one key with OpenSSL's ChaCha20-Poly1305 (AVX2, about 1.6×
  /// libsodium's), the same RFC 8439 construction as `seal`. One per thread: a sealer is not shared.
  public final class Sealer {
    private let ctx: OpaquePointer

    /// A sealer under `key` (32 bytes).
    public init(key: SecureBytes) throws {
      guard key.count == 32 else { throw CryptoError.invalidLength(expected: 32, actual: key.count) }
      guard let c = EVP_CIPHER_CTX_new() else { throw CryptoError.operationFailed("EVP_CIPHER_CTX_new") }
      ctx = c
      let rc = key.withUnsafeBytes { k in
        EVP_CipherInit_ex(c, EVP_chacha20_poly1305(), nil, k.baseAddress!.assumingMemoryBound(to: UInt8.self), nil, 1)
      }
      guard rc == 1 else {
        EVP_CIPHER_CTX_free(c)
        throw CryptoError.operationFailed("ChaCha20-Poly1305 initialisation")
      }
    }

    // Frees the context, which wipes the expanded key it holds.
    deinit { EVP_CIPHER_CTX_free(ctx) }

    /// Encrypts `plaintext` under `nonce` (12 bytes) into `out` (plaintext count + 16 bytes), no AD.
    public func seal(_ plaintext: UnsafeRawBufferPointer, nonce: [UInt8], into out: UnsafeMutableRawBufferPointer) {
      precondition(nonce.count == ChaChaPoly.nonceSize && out.count >= plaintext.count + ChaChaPoly.tagSize && plaintext.count < Int(Int32.max))
      let ok = EVP_CipherInit_ex(ctx, nil, nil, nil, nonce, 1) == 1 && evpSeal(ctx, plaintext, into: out, tagSize: ChaChaPoly.tagSize)
      // Fails only on a programming error (sizes are checked above) or memory exhaustion.
      precondition(ok, "ChaCha20-Poly1305 sealing failed")
    }
  }
}

/// scrypt (RFC 7914) with r = 8, p = 1, as age's passphrase recipient uses.
public enum Scrypt {
  /// A 32-byte key from `password` and `salt` at cost N = 2^`logN`.
  public static func derive(_ password: SecureBytes, salt: [UInt8], logN: Int) throws -> SecureBytes {
    guard (1...30).contains(logN) else { throw CryptoError.invalidKDFParameters }
    let out = try SecureBytes(count: 32)
    let rc = out.withUnsafeMutableBytes { o in
      password.withUnsafeBytes { p in
        crypto_pwhash_scryptsalsa208sha256_ll(
          p.baseAddress!.assumingMemoryBound(to: UInt8.self), p.count, salt, salt.count, UInt64(1) << UInt64(logN), 8, 1,
          o.baseAddress!.assumingMemoryBound(to: UInt8.self), 32)
      }
    }
    guard rc == 0 else { throw CryptoError.kdfFailed }
    return out
  }
}
