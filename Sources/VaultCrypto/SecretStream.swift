internal import Clibsodium

/// crypto_secretstream_xchacha20poly1305: large plaintexts as a sequence of authenticated chunks.
///
/// Chunk framing (sizes, where chunks begin) belongs to the caller; this type guarantees that
/// chunks cannot be reordered, dropped or truncated without `pull` or `finish` throwing.
public enum SecretStream {
  /// Length of the stream header written before the first chunk.
  public static let headerSize = Int(crypto_secretstream_xchacha20poly1305_HEADERBYTES)
  /// Bytes each chunk adds to its plaintext.
  public static let chunkOverhead = Int(crypto_secretstream_xchacha20poly1305_ABYTES)
  /// Bytes of a stream state (for callers that reuse a state buffer).
  public static let stateSize = crypto_secretstream_xchacha20poly1305_statebytes()

  /// Encrypts one stream. Its state lives in secure memory and is wiped on release.
  public final class Encryptor {
    private let state: SecureBytes
    /// The header to store before the first chunk.
    public let header: [UInt8]
    private var finished = false

    /// Starts a stream under `key`.
    public init(key: SecretKey) throws {
      state = try SecureBytes(count: SecretStream.stateSize)
      var h = [UInt8](repeating: 0, count: SecretStream.headerSize)
      let rc = state.withUnsafeMutableBytes { s in
        key.withUnsafeBytes { k in
          crypto_secretstream_xchacha20poly1305_init_push(
            s.baseAddress!.assumingMemoryBound(to: crypto_secretstream_xchacha20poly1305_state.self), &h,
            k.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
      }
      guard rc == 0 else { throw CryptoError.operationFailed("secretstream initialisation") }
      header = h
    }

    /// Encrypts one chunk into `output` (which must hold `chunk.count + chunkOverhead` bytes).
    /// `isFinal` marks the last chunk; nothing may be pushed after it.
    public func push(_ chunk: UnsafeRawBufferPointer, isFinal: Bool, associatedData: [UInt8], into output: UnsafeMutableRawBufferPointer) {
      precondition(!finished, "push after the final chunk")
      precondition(output.count >= chunk.count + SecretStream.chunkOverhead)
      finished = isFinal
      let tag = UInt8(isFinal ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
      let rc = state.withUnsafeMutableBytes { s in
        associatedData.withUnsafeBufferPointer { ad in
          crypto_secretstream_xchacha20poly1305_push(
            s.baseAddress!.assumingMemoryBound(to: crypto_secretstream_xchacha20poly1305_state.self),
            output.baseAddress!.assumingMemoryBound(to: UInt8.self), nil,
            chunk.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(chunk.count),
            ad.baseAddress, UInt64(ad.count), tag)
        }
      }
      // Fails only for a chunk longer than libsodium's message limit (about 256 GiB): a programming error.
      precondition(rc == 0, "secretstream push failed")
    }

    /// Encrypts one chunk and returns the ciphertext.
    public func push(_ chunk: [UInt8], isFinal: Bool, associatedData: [UInt8] = []) -> [UInt8] {
      var out = [UInt8](repeating: 0, count: chunk.count + SecretStream.chunkOverhead)
      chunk.withUnsafeBytes { c in out.withUnsafeMutableBytes { push(c, isFinal: isFinal, associatedData: associatedData, into: $0) } }
      return out
    }
  }

  /// Decrypts one stream, releasing plaintext only one authenticated chunk at a time.
  public final class Decryptor {
    private let state: SecureBytes
    /// True once the final chunk has been authenticated.
    public private(set) var isFinished = false

    /// Starts decrypting a stream whose header is `header`. `stateBuffer` (at least `stateSize`
    /// bytes of secure memory) is reused for the state instead of a fresh allocation; it must not
    /// be shared with a decryptor still in use.
    public init(key: SecretKey, header: [UInt8], stateBuffer: SecureBytes? = nil) throws {
      guard header.count == SecretStream.headerSize else {
        throw CryptoError.invalidLength(expected: SecretStream.headerSize, actual: header.count)
      }
      state = try stateBuffer.flatMap { $0.count >= SecretStream.stateSize ? $0 : nil } ?? SecureBytes(count: SecretStream.stateSize)
      let rc = state.withUnsafeMutableBytes { s in
        key.withUnsafeBytes { k in
          crypto_secretstream_xchacha20poly1305_init_pull(
            s.baseAddress!.assumingMemoryBound(to: crypto_secretstream_xchacha20poly1305_state.self), header,
            k.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
      }
      guard rc == 0 else { throw CryptoError.authenticationFailed }
    }

    /// Authenticates and decrypts one chunk into `output` (at least `chunk.count - chunkOverhead` bytes).
    /// - Returns: the number of plaintext bytes written.
    /// - Throws: `.authenticationFailed` for a modified, reordered or foreign chunk; `.trailingData`
    ///   for a chunk after the final one.
    public func pull(_ chunk: UnsafeRawBufferPointer, associatedData: [UInt8], into output: UnsafeMutableRawBufferPointer) throws -> Int {
      if isFinished { throw CryptoError.trailingData }
      guard chunk.count >= SecretStream.chunkOverhead else { throw CryptoError.truncated }
      precondition(output.count >= chunk.count - SecretStream.chunkOverhead)
      var tag: UInt8 = 0
      var mlen: UInt64 = 0
      let rc = state.withUnsafeMutableBytes { s in
        associatedData.withUnsafeBufferPointer { ad in
          crypto_secretstream_xchacha20poly1305_pull(
            s.baseAddress!.assumingMemoryBound(to: crypto_secretstream_xchacha20poly1305_state.self),
            output.baseAddress?.assumingMemoryBound(to: UInt8.self), &mlen, &tag,
            chunk.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(chunk.count),
            ad.baseAddress, UInt64(ad.count))
        }
      }
      guard rc == 0 else { throw CryptoError.authenticationFailed }
      // Writers only ever use MESSAGE and FINAL; an authenticated PUSH or REKEY tag means the
      // stream was not written by vault, so it is refused rather than interpreted.
      switch tag {
      case UInt8(crypto_secretstream_xchacha20poly1305_TAG_FINAL): isFinished = true
      case UInt8(crypto_secretstream_xchacha20poly1305_TAG_MESSAGE): break
      default: throw CryptoError.authenticationFailed
      }
      return Int(mlen)
    }

    /// Decrypts one chunk and returns its plaintext.
    public func pull(_ chunk: [UInt8], associatedData: [UInt8] = []) throws -> [UInt8] {
      var out = [UInt8](repeating: 0, count: Swift.max(chunk.count - SecretStream.chunkOverhead, 0))
      let n = try chunk.withUnsafeBytes { c in
        try out.withUnsafeMutableBytes { o in try pull(c, associatedData: associatedData, into: o) }
      }
      return Array(out.prefix(n))
    }

    /// Call at end of input: throws `.truncated` unless the final chunk was seen.
    public func finish() throws {
      if !isFinished { throw CryptoError.truncated }
    }
  }
}
