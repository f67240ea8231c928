#if canImport(Glibc)
  import Glibc
#endif
import VaultCrypto

/// Streams an object's plaintext one authenticated chunk at a time, with memory bounded by one chunk.
///
/// The content hash is checked against the name at the end; a caller that writes plaintext
/// somewhere before then must discard it if `readAll` throws.
public final class ObjectReader {
  private let id: ObjectID
  private let fd: Int32
  private let path: String
  private let decryptor: SecretStream.Decryptor
  private let ad: [UInt8]
  private let hasher: Hasher
  private let chunkSize: Int

  init(store: ObjectStore, id: ObjectID, expected: ObjectHeader, key: SecretKey, vault: RandomID) throws {
    self.id = id
    let path = store.path(for: id)
    self.path = path
    let fd: Int32
    do {
      fd = try FileSystem.open(path, O_RDONLY)
    } catch let e as StorageError where e.isNotFound {
      throw ObjectError.missing(id)
    }
    self.fd = fd
    do {
      var head = [UInt8](repeating: 0, count: ObjectHeader.size + SecretStream.headerSize)
      let n = try head.withUnsafeMutableBytes { try FileSystem.readFull(fd, into: $0, path: path) }
      guard n == head.count else { throw ObjectError.corrupted(id, "file is truncated") }
      let header: ObjectHeader
      do { header = try ObjectHeader.decode(Array(head.prefix(ObjectHeader.size))) } catch {
        throw ObjectError.corrupted(id, error.description)
      }
      guard header.type == expected.type, header.client == expected.client else {
        throw ObjectError.corrupted(id, "holds a \(header.type) of another client or kind than the index says")
      }
      chunkSize = Int(header.chunkSize)
      ad = header.associatedData(vault: vault)
      hasher = try Hasher()
      hasher.update(head)
      do {
        decryptor = try SecretStream.Decryptor(key: key, header: Array(head.suffix(SecretStream.headerSize)))
      } catch { throw ObjectError.corrupted(id, "stream header does not authenticate") }
    } catch {
      close(fd)
      throw error
    }
  }

  deinit { close(fd) }

  /// Calls `body` with each chunk of plaintext in order, then checks the final tag and the name.
  /// - Throws: `ObjectError.corrupted` for a modified, truncated or extended object.
  public func readAll(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
    let cipherSize = chunkSize + SecretStream.chunkOverhead
    var cipher = [UInt8](repeating: 0, count: cipherSize)
    var plain = [UInt8](repeating: 0, count: chunkSize)
    defer { plain.withUnsafeMutableBytes { _ = memset($0.baseAddress!, 0, $0.count) } }
    while true {
      let got = try cipher.withUnsafeMutableBytes { try FileSystem.readFull(fd, into: $0, path: path) }
      if got == 0 { break }
      let n: Int
      do {
        n = try cipher.withUnsafeBytes { c in
          try plain.withUnsafeMutableBytes { p in
            try decryptor.pull(UnsafeRawBufferPointer(rebasing: c.prefix(got)), associatedData: ad, into: p)
          }
        }
      } catch let e as CryptoError {
        throw ObjectError.corrupted(id, Self.explain(e))
      }
      cipher.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0.prefix(got))) }
      // A short read that is not the final chunk means the file was cut.
      if got < cipherSize && !decryptor.isFinished { throw ObjectError.corrupted(id, Self.explain(.truncated)) }
      try plain.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0.prefix(n))) }
    }
    do { try decryptor.finish() } catch let e as CryptoError { throw ObjectError.corrupted(id, Self.explain(e)) }
    guard hasher.finalize() == id.bytes else { throw ObjectError.corrupted(id, "content does not match its name (hash mismatch)") }
  }

  static func explain(_ e: CryptoError) -> String {
    switch e {
    case .truncated: "object is truncated (no final chunk)"
    case .trailingData: "data follows the final chunk"
    default: "a chunk does not authenticate (modified, reordered or from another object)"
    }
  }
}
