internal import Clibcrypto

/// The end of an OpenSSL AEAD seal, shared by age's ChaCha20-Poly1305 and the chunk cipher:
/// `ctx` already holds the key, the nonce and any additional data; `plaintext` is encrypted into
/// `out`, followed by its `tagSize`-byte tag. False when OpenSSL fails (callers treat that as a
/// programming error or memory exhaustion: sizes are checked before).
func evpSeal(_ ctx: OpaquePointer, _ plaintext: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, tagSize: Int) -> Bool {
  let o = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
  var outl: Int32 = 0
  if plaintext.count > 0 {
    guard EVP_CipherUpdate(ctx, o, &outl, plaintext.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(plaintext.count)) == 1 else { return false }
  }
  var fin: Int32 = 0
  guard EVP_CipherFinal_ex(ctx, o + Int(outl), &fin) == 1, Int(outl + fin) == plaintext.count else { return false }
  return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, Int32(tagSize), o + plaintext.count) == 1
}
