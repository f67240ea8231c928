internal import Clibcrypto

/// PBKDF2-HMAC-SHA-256 (RFC 8018), OpenSSL's: the one password KDF a browser's WebCrypto offers,
/// used only for the self-decrypting HTML export (FORMAT.md, "HTML export"), whose generated
/// passphrase carries over 100 bits, so the KDF's cost is not what protects it.
public enum PBKDF2 {
  /// The most iterations a caller may ask for (a file states its count; a reader caps it too).
  public static let maxIterations: UInt32 = 10_000_000

  /// A 32-byte key from `passphrase` and `salt` with `iterations` rounds.
  public static func sha256(passphrase: SecureBytes, salt: [UInt8], iterations: UInt32) throws -> SecretKey {
    guard iterations >= 1, iterations <= maxIterations else { throw CryptoError.invalidKDFParameters }
    let out = try SecureBytes(count: SecretKey.size)
    let rc = out.withUnsafeMutableBytes { o in
      passphrase.withUnsafeBytes { p in
        // OpenSSL wants a pointer even for an empty passphrase.
        p.count == 0
          ? PKCS5_PBKDF2_HMAC("", 0, salt, Int32(salt.count), Int32(iterations), EVP_sha256(), Int32(SecretKey.size), o.baseAddress!.assumingMemoryBound(to: UInt8.self))
          : PKCS5_PBKDF2_HMAC(
            p.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(p.count), salt, Int32(salt.count), Int32(iterations), EVP_sha256(),
            Int32(SecretKey.size), o.baseAddress!.assumingMemoryBound(to: UInt8.self))
      }
    }
    guard rc == 1 else { throw CryptoError.kdfFailed }
    return try SecretKey(out)
  }
}

/// AES-256-GCM (NIST SP 800-38D) with a 12-byte nonce and a 16-byte tag, OpenSSL's: what a
/// browser's WebCrypto decrypts (`AES-GCM`, tag appended to the ciphertext). Sealing streams, so
/// a large document is encrypted without being held in memory.
public final class AES256GCM {
  /// Bytes of the nonce.
  public static let nonceSize = 12
  /// Bytes of the tag.
  public static let tagSize = 16
  private let ctx: OpaquePointer
  private var finished = false

  /// Starts sealing one message under `key` with `nonce` (never reused under one key) and
  /// `associatedData` (authenticated, not encrypted).
  public init(sealingWith key: SecretKey, nonce: [UInt8], associatedData: [UInt8]) throws {
    guard nonce.count == Self.nonceSize else { throw CryptoError.invalidLength(expected: Self.nonceSize, actual: nonce.count) }
    guard let c = EVP_CIPHER_CTX_new() else { throw CryptoError.operationFailed("EVP_CIPHER_CTX_new") }
    ctx = c
    var ok = EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), nil, nil, nil) == 1
    ok = ok && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, Int32(Self.nonceSize), nil) == 1
    ok = ok && key.withUnsafeBytes { k in EVP_EncryptInit_ex(c, nil, nil, k.baseAddress!.assumingMemoryBound(to: UInt8.self), nonce) == 1 }
    var outl: Int32 = 0
    if ok && !associatedData.isEmpty { ok = EVP_EncryptUpdate(c, nil, &outl, associatedData, Int32(associatedData.count)) == 1 }
    guard ok else {
      EVP_CIPHER_CTX_free(c)
      throw CryptoError.operationFailed("AES-256-GCM initialisation")
    }
  }

  // Frees the context, which wipes the expanded key it holds.
  deinit { EVP_CIPHER_CTX_free(ctx) }

  /// Encrypts the next bytes of the message; returns as many bytes of ciphertext (GCM is a stream cipher).
  public func update(_ plaintext: UnsafeRawBufferPointer) throws -> [UInt8] {
    precondition(!finished, "AES-256-GCM message already finished")
    guard plaintext.count > 0 else { return [] }
    var out = [UInt8](repeating: 0, count: plaintext.count)
    var done = 0
    // EVP lengths are Int32: large buffers go through in slices.
    while done < plaintext.count {
      let n = Swift.min(plaintext.count - done, 1 << 30)
      var outl: Int32 = 0
      let ok = out.withUnsafeMutableBufferPointer { o in
        EVP_EncryptUpdate(ctx, o.baseAddress! + done, &outl, plaintext.baseAddress!.assumingMemoryBound(to: UInt8.self) + done, Int32(n)) == 1
      }
      guard ok, Int(outl) == n else { throw CryptoError.operationFailed("AES-256-GCM encryption") }
      done += n
    }
    return out
  }

  /// Ends the message; returns the 16-byte tag that follows the ciphertext.
  public func finish() throws -> [UInt8] {
    precondition(!finished, "AES-256-GCM message already finished")
    finished = true
    var outl: Int32 = 0
    var scratch = [UInt8](repeating: 0, count: 16)
    var tag = [UInt8](repeating: 0, count: Self.tagSize)
    guard EVP_EncryptFinal_ex(ctx, &scratch, &outl) == 1, outl == 0,
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(Self.tagSize), &tag) == 1
    else { throw CryptoError.operationFailed("AES-256-GCM finalisation") }
    return tag
  }

  /// Seals a whole message: ciphertext ‖ tag.
  public static func seal(_ plaintext: [UInt8], key: SecretKey, nonce: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
    let s = try AES256GCM(sealingWith: key, nonce: nonce, associatedData: associatedData)
    return try plaintext.withUnsafeBytes { try s.update($0) } + s.finish()
  }

  /// Opens ciphertext ‖ tag (for tests and readers in Swift).
  /// - Throws: `.authenticationFailed` for a wrong key, nonce or associated data, or modified bytes.
  public static func open(_ sealed: [UInt8], key: SecretKey, nonce: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
    guard sealed.count >= tagSize, nonce.count == nonceSize else { throw CryptoError.authenticationFailed }
    guard let c = EVP_CIPHER_CTX_new() else { throw CryptoError.operationFailed("EVP_CIPHER_CTX_new") }
    defer { EVP_CIPHER_CTX_free(c) }
    let n = sealed.count - tagSize
    var out = [UInt8](repeating: 0, count: n + 16)
    var tag = Array(sealed[n...])
    var outl: Int32 = 0
    var ok = EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), nil, nil, nil) == 1
    ok = ok && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceSize), nil) == 1
    ok = ok && key.withUnsafeBytes { k in EVP_DecryptInit_ex(c, nil, nil, k.baseAddress!.assumingMemoryBound(to: UInt8.self), nonce) == 1 }
    if ok && !associatedData.isEmpty { ok = EVP_DecryptUpdate(c, nil, &outl, associatedData, Int32(associatedData.count)) == 1 }
    if ok && n > 0 { ok = sealed.withUnsafeBufferPointer { s in EVP_DecryptUpdate(c, &out, &outl, s.baseAddress!, Int32(n)) == 1 } }
    ok = ok && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, Int32(tagSize), &tag) == 1
    var fin: Int32 = 0
    ok = ok && out.withUnsafeMutableBufferPointer { o in EVP_DecryptFinal_ex(c, o.baseAddress! + n, &fin) == 1 }
    guard ok else { throw CryptoError.authenticationFailed }
    return Array(out[..<n])
  }
}
