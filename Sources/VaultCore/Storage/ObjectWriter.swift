#if canImport(Glibc)
  import Glibc
#endif
import CVaultSystem
import VaultCrypto

/// Streams plaintext into a new object with memory bounded by a few chunks, whatever the size.
///
/// New objects are of revision 1 (FORMAT.md §6.8), sealed and hashed on every core; a header of
/// revision 0 asks for the single secretstream of §6.3 (kept for tests of the old layout).
public final class ObjectWriter {
  private let impl: any ObjectWriting

  init(store: ObjectStore, header: ObjectHeader, binding: ObjectBinding, key: SecretKey, vault: RandomID) throws {
    guard ObjectHeader.chunkSizeRange.contains(header.chunkSize), ObjectHeader.revisions.contains(header.revision) else {
      throw FormatError.invalidField("chunk size \(header.chunkSize) out of range")
    }
    impl =
      header.revision == 0
      ? try StreamObjectWriter(store: store, header: header, binding: binding, key: key, vault: vault)
      : try ChunkedObjectWriter(store: store, header: header, binding: binding, key: key, vault: vault)
  }

  /// Appends plaintext.
  public func write(_ bytes: UnsafeRawBufferPointer) throws { try impl.write(bytes) }

  /// Writes the final (padded) chunk, makes the object durable and returns its id.
  public func finish() throws -> ObjectID { try impl.finish() }

  /// Deletes the partial object; used when the caller gives up or an error occurs.
  public func abandon() { impl.abandon() }
}

/// One revision's writer.
protocol ObjectWriting: AnyObject {
  func write(_ bytes: UnsafeRawBufferPointer) throws
  func finish() throws -> ObjectID
  func abandon()
}

/// Revision 0: one secretstream, named by BLAKE2b (FORMAT.md §6.3).
final class StreamObjectWriter: ObjectWriting {
  private let store: ObjectStore
  /// Where the ciphertext goes: a new blob of the store's backend, named by its hash only when
  /// finished (a local store: an unnamed O_TMPFILE file linked into place, so a writer killed at
  /// any instant, SIGKILL included, leaves nothing). The backend never sees the key.
  private let blob: any BlobWriter
  private let encryptor: SecretStream.Encryptor
  private let header: ObjectHeader
  private let ad: [UInt8]
  private let hasher: ObjectDigest
  private let chunkSize: Int
  /// Client plaintext, so it lives in secure memory (not swapped, wiped on release).
  private let plain: SecureBytes
  private var filled = 0
  private var cipher: [UInt8]
  private var done = false

  init(store: ObjectStore, header: ObjectHeader, binding: ObjectBinding, key: SecretKey, vault: RandomID) throws {
    guard ObjectHeader.chunkSizeRange.contains(header.chunkSize) else {
      throw FormatError.invalidField("chunk size \(header.chunkSize) out of range")
    }
    self.store = store
    self.header = header
    chunkSize = Int(header.chunkSize)
    plain = try SecureBytes(count: chunkSize)
    cipher = [UInt8](repeating: 0, count: ObjectHeader.lengthPrefixSize + chunkSize + SecretStream.chunkOverhead)
    ad = header.associatedData(vault: vault, binding: binding)
    encryptor = try SecretStream.Encryptor(key: key)
    hasher = try ObjectDigest()
    blob = try store.backend.makeWriter()
    do {
      try emit(header.encoded + encryptor.header)
    } catch {
      abandon()
      throw error
    }
  }

  deinit {
    if !done { abandon() }
  }

  /// Appends plaintext.
  func write(_ bytes: UnsafeRawBufferPointer) throws {
    precondition(!done, "write after finish")
    var offset = 0
    while offset < bytes.count {
      if filled == chunkSize { try flush(isFinal: false) }
      let n = min(chunkSize - filled, bytes.count - offset)
      plain.withUnsafeMutableBytes { dst in
        (dst.baseAddress! + filled).copyMemory(from: bytes.baseAddress! + offset, byteCount: n)
      }
      filled += n
      offset += n
    }
  }

  /// Writes the final (padded) chunk, makes the object durable and returns its id.
  func finish() throws -> ObjectID {
    precondition(!done, "finish called twice")
    do {
      // The trailer must fit in the final chunk; if the tail leaves no room, it goes out as a
      // (short) message chunk of its own and the final chunk holds only padding.
      if filled + ObjectHeader.trailerSize > chunkSize { try flush(isFinal: false) }
      let tail = filled
      let total = header.paddedFinalLength(tail: tail)
      let padding = total - tail - ObjectHeader.trailerSize
      plain.withUnsafeMutableBytes { p in
        _ = memset(p.baseAddress! + tail, 0, padding)
        withUnsafeBytes(of: UInt32(padding).littleEndian) { (p.baseAddress! + tail + padding).copyMemory(from: $0.baseAddress!, byteCount: 4) }
      }
      filled = total
      try flush(isFinal: true)
      let id = try ObjectID(bytes: hasher.finalize())
      // Content-addressed: an object already there under this name holds these very bytes.
      try blob.commit(as: store.name(for: id), mode: .contentAddressed, durable: true)
      done = true
      return id
    } catch {
      abandon()
      throw error
    }
  }

  /// Deletes the partial object; used when the caller gives up or an error occurs.
  func abandon() {
    blob.abandon()
    done = true
  }

  private func flush(isFinal: Bool) throws {
    let n = filled
    let length = n + SecretStream.chunkOverhead
    plain.withUnsafeBytes { p in
      cipher.withUnsafeMutableBytes { c in
        withUnsafeBytes(of: UInt32(length).littleEndian) { c.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: 4) }
        encryptor.push(
          UnsafeRawBufferPointer(rebasing: p.prefix(n)), isFinal: isFinal, associatedData: ad,
          into: UnsafeMutableRawBufferPointer(rebasing: c[ObjectHeader.lengthPrefixSize...]))
      }
    }
    filled = 0
    try cipher.withUnsafeBytes { c in
      let out = UnsafeRawBufferPointer(rebasing: c.prefix(ObjectHeader.lengthPrefixSize + length))
      hasher.update(out)
      try blob.write(out)
    }
  }

  private func emit(_ bytes: [UInt8]) throws {
    hasher.update(bytes)
    try bytes.withUnsafeBytes { try blob.write($0) }
  }
}
