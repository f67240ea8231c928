#if canImport(Glibc)
  import Glibc
#endif
import VaultCrypto

/// Streams an object's plaintext one authenticated chunk (or batch of chunks) at a time, with
/// memory bounded by a few chunks; reads objects of either revision (FORMAT.md §6).
///
/// The content hash is checked against the name at the end; a caller that writes plaintext
/// somewhere before then must discard it if `readAll` throws.
public final class ObjectReader {
  private let impl: any ObjectReading
  /// The object's size on disk (ciphertext and framing) when it was opened.
  public let ciphertextSize: Int

  /// Opens `id` with the first of `keys` under which its first chunk authenticates (a client's
  /// keys, newest epoch first; usually one).
  init(store: ObjectStore, id: ObjectID, binding: ObjectBinding, keys: [SecretKey], vault: RandomID, scratch: ReadScratch? = nil) throws {
    precondition(!keys.isEmpty, "an object reader needs a key")
    let blob = try store.openBlob(id)
    ciphertextSize = blob.size
    var head = [UInt8](repeating: 0, count: ObjectHeader.size)
    let n = try head.withUnsafeMutableBytes { try blob.read(into: $0) }
    guard n == head.count else { throw ObjectError.corrupted(id, "file is truncated") }
    let header: ObjectHeader
    do { header = try ObjectHeader.decode(head) } catch { throw ObjectError.corrupted(id, error.description) }
    impl =
      header.revision == 0
      ? try StreamObjectReader(id: id, blob: blob, header: header, binding: binding, keys: keys, vault: vault, scratch: scratch)
      : try ChunkedObjectReader(id: id, blob: blob, header: header, binding: binding, keys: keys, vault: vault, scratch: scratch)
  }

  /// Calls `body` with the content in order (padding removed), then checks the end of the
  /// object and its name.
  /// - Throws: `ObjectError.corrupted` for a modified, truncated, extended or mis-bound object.
  public func readAll(_ body: (UnsafeRawBufferPointer) throws -> Void) throws { try impl.readAll(body) }

  static func explain(_ e: CryptoError) -> String {
    switch e {
    case .truncated: "object is truncated (no final chunk)"
    case .trailingData: "data follows the final chunk"
    default: "a chunk does not authenticate (modified, reordered, from another object, or not the client or kind the index says)"
    }
  }
}

/// One revision's reader.
protocol ObjectReading: AnyObject {
  func readAll(_ body: (UnsafeRawBufferPointer) throws -> Void) throws
}

/// Revision 0: one secretstream, named by BLAKE2b (FORMAT.md §6.3).
final class StreamObjectReader: ObjectReading {
  private let id: ObjectID
  /// The ciphertext, read straight from the backend (a local store: the file's descriptor).
  private let blob: any BlobReader
  private var decryptor: SecretStream.Decryptor
  /// Older epochs' keys still to try if the first chunk does not open (FORMAT.md §17.4).
  private var otherKeys: ArraySlice<SecretKey>
  private let streamHeader: [UInt8]
  private let ad: [UInt8]
  private let hasher: ObjectDigest
  private let header: ObjectHeader

  private let scratch: ReadScratch?

  init(id: ObjectID, blob: any BlobReader, header: ObjectHeader, binding: ObjectBinding, keys: [SecretKey], vault: RandomID, scratch: ReadScratch?) throws {
    self.scratch = scratch
    otherKeys = keys.dropFirst()
    self.id = id
    self.blob = blob
    var stream = [UInt8](repeating: 0, count: SecretStream.headerSize)
    let n = try stream.withUnsafeMutableBytes { try blob.read(into: $0) }
    guard n == stream.count else { throw ObjectError.corrupted(id, "file is truncated") }
    self.header = header
    ad = header.associatedData(vault: vault, binding: binding)
    hasher = try ObjectDigest()
    hasher.update(header.encoded + stream)
    streamHeader = stream
    do {
      decryptor = try SecretStream.Decryptor(key: keys[0], header: streamHeader, stateBuffer: scratch?.streamState)
    } catch { throw ObjectError.corrupted(id, "stream header does not authenticate") }
  }

  /// Pulls a chunk; the first one is retried under each older key while it fails to authenticate.
  private func pull(_ chunk: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int {
    while true {
      do {
        let n = try decryptor.pull(chunk, associatedData: ad, into: output)
        otherKeys = []
        return n
      } catch CryptoError.authenticationFailed where !otherKeys.isEmpty {
        decryptor = try SecretStream.Decryptor(key: otherKeys.removeFirst(), header: streamHeader, stateBuffer: scratch?.streamState)
      }
    }
  }

  /// Calls `body` with each chunk of content in order (padding removed), then checks the final
  /// tag, that nothing follows it, and the name.
  /// - Throws: `ObjectError.corrupted` for a modified, truncated, extended or mis-bound object.
  func readAll(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
    let chunkSize = Int(header.chunkSize)
    let maxCipher = chunkSize + SecretStream.chunkOverhead
    // No chunk is longer than the file, so a small object needs only small buffers.
    let fileSize = blob.size
    var cipher = [UInt8](repeating: 0, count: max(1, min(maxCipher, fileSize)))
    let plain = try scratch.flatMap { $0.plain.count >= chunkSize ? $0.plain : nil } ?? SecureBytes(count: max(1, min(chunkSize, fileSize)))
    var prefix = [UInt8](repeating: 0, count: ObjectHeader.lengthPrefixSize)
    while true {
      let got = try prefix.withUnsafeMutableBytes { try blob.read(into: $0) }
      if got == 0 {
        if decryptor.isFinished { break }
        throw ObjectError.corrupted(id, ObjectReader.explain(.truncated))
      }
      if decryptor.isFinished { throw ObjectError.corrupted(id, ObjectReader.explain(.trailingData)) }
      guard got == prefix.count else { throw ObjectError.corrupted(id, ObjectReader.explain(.truncated)) }
      hasher.update(prefix)
      let length = Int(LittleEndian.u32(prefix))
      guard length > SecretStream.chunkOverhead, length <= maxCipher else {
        throw ObjectError.corrupted(id, "a chunk length is out of range")
      }
      let read = try cipher.withUnsafeMutableBytes {
        try blob.read(into: UnsafeMutableRawBufferPointer(rebasing: $0.prefix(length)))
      }
      guard read == length else { throw ObjectError.corrupted(id, ObjectReader.explain(.truncated)) }
      cipher.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0.prefix(length))) }
      let n: Int
      do {
        n = try cipher.withUnsafeBytes { c in
          try plain.withUnsafeMutableBytes { p in
            try pull(UnsafeRawBufferPointer(rebasing: c.prefix(length)), into: p)
          }
        }
      } catch let e as CryptoError {
        throw ObjectError.corrupted(id, ObjectReader.explain(e))
      }
      let content = decryptor.isFinished ? try unpad(plain, count: n) : n
      if content > 0 { try plain.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0.prefix(content))) } }
    }
    guard hasher.finalize() == id.bytes else { throw ObjectError.corrupted(id, "content does not match its name (hash mismatch)") }
  }

  /// The content length of a final chunk: it ends in zero padding and a u32 padding length.
  private func unpad(_ buffer: SecureBytes, count n: Int) throws -> Int {
    try buffer.withUnsafeBytes { try unpad($0, count: n) }
  }

  private func unpad(_ plain: UnsafeRawBufferPointer, count n: Int) throws -> Int {
    guard n >= ObjectHeader.trailerSize else { throw ObjectError.corrupted(id, "final chunk has no padding trailer") }
    let t = n - ObjectHeader.trailerSize
    let padding = Int(LittleEndian.u32(plain[t..<(t + 4)]))
    // Exactly the writer's padding, so there is one valid encoding of each content and keyless
    // and keyed checks agree on what a well-formed object is.
    guard padding <= t, plain[(t - padding)..<t].allSatisfy({ $0 == 0 }),
      n == header.paddedFinalLength(tail: t - padding)
    else {
      throw ObjectError.corrupted(id, "final chunk has invalid padding")
    }
    return t - padding
  }
}

/// Secure memory reused across object reads: each secure allocation (guard pages, mlock) costs several system calls,
/// which dominates reading many small objects (a search over every note, keyed verification).
/// One reader at a time may use it.
public final class ReadScratch {
  let plain: SecureBytes
  let streamState: SecureBytes
  /// A revision-1 object's subkey (ChunkCipher), so a small object costs no secure allocation.
  let subkey: SecureBytes

  /// Buffers for objects with the default chunk size (larger chunks fall back to a fresh allocation).
  public init() throws {
    plain = try SecureBytes(count: Int(ObjectHeader.defaultChunkSize))
    streamState = try SecureBytes(count: SecretStream.stateSize)
    subkey = try SecureBytes(count: 32)
  }
}
