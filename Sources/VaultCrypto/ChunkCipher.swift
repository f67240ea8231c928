internal import Clibcrypto
internal import Clibsodium

/// XChaCha20-Poly1305 (IETF) for chunks sealed independently, so several threads can seal or open
/// the chunks of one object at once (objects of revision 1, FORMAT.md §6.8).
///
/// Chunk i of an object is `crypto_aead_xchacha20poly1305_ietf` under the object's key with the
/// 24-byte nonce `prefix (16, random per object) ‖ i (u64, little-endian)`. That construction is
/// computed as libsodium computes it: the subkey HChaCha20(key, prefix) once per object, then
/// ChaCha20-Poly1305 (RFC 8439) with the nonce `0⁴ ‖ i` per chunk, here OpenSSL's (AVX2, about
/// 1.6× libsodium's). `openReference` opens a chunk with libsodium itself, for tests.
public final class ChunkCipher: @unchecked Sendable {
  /// Bytes of the random nonce prefix stored in each object.
  public static let noncePrefixSize = 16
  /// Bytes each chunk adds to its plaintext (the Poly1305 tag).
  public static let tagSize = 16

  /// HChaCha20(key, prefix): the per-object ChaCha20-Poly1305 key. Read-only after init, so
  /// contexts on several threads share it.
  private let subkey: SecureBytes

  /// Prepares the chunks of one object: `key` is the object's key, `noncePrefix` its 16 random
  /// bytes. `subkeyBuffer` (at least 32 bytes of secure memory, not in use elsewhere until this
  /// cipher and its contexts are released) saves a secure allocation for a small object.
  public init(key: SecretKey, noncePrefix: [UInt8], subkeyBuffer: SecureBytes? = nil) throws {
    try Sodium.ready()
    guard noncePrefix.count == Self.noncePrefixSize else {
      throw CryptoError.invalidLength(expected: Self.noncePrefixSize, actual: noncePrefix.count)
    }
    subkey = try subkeyBuffer.flatMap { $0.count >= 32 ? $0 : nil } ?? SecureBytes(count: 32)
    let rc = subkey.withUnsafeMutableBytes { s in
      key.withUnsafeBytes { k in
        crypto_core_hchacha20(
          s.baseAddress!.assumingMemoryBound(to: UInt8.self), noncePrefix, k.baseAddress!.assumingMemoryBound(to: UInt8.self), nil)
      }
    }
    guard rc == 0 else { throw CryptoError.operationFailed("HChaCha20") }
  }

  /// A context for one thread (OpenSSL cipher contexts are not shared between threads).
  public func context() throws -> Context { try Context(subkey: subkey) }

  /// One thread's sealing and opening state.
  public final class Context {
    private let ctx: OpaquePointer

    fileprivate init(subkey: SecureBytes) throws {
      guard let c = EVP_CIPHER_CTX_new() else { throw CryptoError.operationFailed("EVP_CIPHER_CTX_new") }
      ctx = c
      let rc = subkey.withUnsafeBytes { k in
        EVP_CipherInit_ex(c, EVP_chacha20_poly1305(), nil, k.baseAddress!.assumingMemoryBound(to: UInt8.self), nil, -1)
      }
      guard rc == 1 else {
        EVP_CIPHER_CTX_free(c)
        throw CryptoError.operationFailed("ChaCha20-Poly1305 initialisation")
      }
    }

    // Frees the context, which wipes the expanded key it holds.
    deinit { EVP_CIPHER_CTX_free(ctx) }

    private func start(_ index: UInt64, encrypting: Bool, associatedData: UnsafeRawBufferPointer) -> Bool {
      var iv = [UInt8](repeating: 0, count: 12)
      withUnsafeBytes(of: index.littleEndian) { for i in 0..<8 { iv[4 + i] = $0[i] } }
      guard EVP_CipherInit_ex(ctx, nil, nil, nil, iv, encrypting ? 1 : 0) == 1 else { return false }
      var outl: Int32 = 0
      if associatedData.count > 0 {
        guard
          EVP_CipherUpdate(ctx, nil, &outl, associatedData.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(associatedData.count))
            == 1
        else { return false }
      }
      return true
    }

    /// Seals chunk `index`: `output` receives ciphertext ‖ tag (`plaintext.count + 16` bytes).
    public func seal(
      _ index: UInt64, _ plaintext: UnsafeRawBufferPointer, associatedData: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) {
      precondition(output.count >= plaintext.count + ChunkCipher.tagSize && plaintext.count < Int(Int32.max))
      let ok = start(index, encrypting: true, associatedData: associatedData) && evpSeal(ctx, plaintext, into: output, tagSize: ChunkCipher.tagSize)
      // Fails only on a programming error (sizes are checked above) or memory exhaustion.
      precondition(ok, "ChaCha20-Poly1305 sealing failed")
    }

    /// Opens chunk `index` (ciphertext ‖ tag) into `output` (`chunk.count − 16` bytes). What
    /// `output` holds when it throws is not plaintext to use.
    /// - Throws: `.authenticationFailed` for a modified, moved or foreign chunk.
    public func open(
      _ index: UInt64, _ chunk: UnsafeRawBufferPointer, associatedData: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws {
      guard chunk.count >= ChunkCipher.tagSize else { throw CryptoError.authenticationFailed }
      let n = chunk.count - ChunkCipher.tagSize
      precondition(output.count >= n && n < Int(Int32.max))
      let out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
      let input = chunk.baseAddress!.assumingMemoryBound(to: UInt8.self)
      var outl: Int32 = 0
      var ok = start(index, encrypting: false, associatedData: associatedData)
      if ok && n > 0 { ok = EVP_CipherUpdate(ctx, out, &outl, input, Int32(n)) == 1 }
      ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, Int32(ChunkCipher.tagSize), UnsafeMutableRawPointer(mutating: input + n)) == 1
      var fin: Int32 = 0
      ok = ok && EVP_CipherFinal_ex(ctx, out + Int(outl), &fin) == 1
      guard ok else { throw CryptoError.authenticationFailed }
    }
  }

  /// Opens chunk `index` of an object with libsodium's `crypto_aead_xchacha20poly1305_ietf_decrypt`
  /// and the full 24-byte nonce: the reference the fast path is tested against.
  public static func openReference(
    key: SecretKey, noncePrefix: [UInt8], index: UInt64, _ chunk: [UInt8], associatedData: [UInt8]
  ) throws -> [UInt8] {
    try Sodium.ready()
    guard chunk.count >= tagSize, noncePrefix.count == noncePrefixSize else { throw CryptoError.authenticationFailed }
    var nonce = noncePrefix
    withUnsafeBytes(of: index.littleEndian) { nonce += $0 }
    var out = [UInt8](repeating: 0, count: chunk.count - tagSize)
    let rc = key.withUnsafeBytes { k in
      crypto_aead_xchacha20poly1305_ietf_decrypt(
        &out, nil, nil, chunk, UInt64(chunk.count), associatedData, UInt64(associatedData.count), nonce,
        k.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }
    guard rc == 0 else { throw CryptoError.authenticationFailed }
    return out
  }
}
