import Foundation

/// Reads a blob one part at a time (ranged GETs), each pinned to the ETag the first one saw.
final class S3BlobReader: BlobReader {
  private let store: S3BlobStore
  private let name: BlobName
  private let etag: String?
  let size: Int
  /// The part in hand and where it starts in the blob.
  private var part: Data
  private var partStart = 0
  private var position = 0

  init(store: S3BlobStore, name: BlobName, first: (bytes: Data, size: Int, etag: String?)) {
    self.store = store
    self.name = name
    etag = first.etag
    size = first.size
    part = first.bytes
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    var filled = 0
    while filled < buffer.count && position < size {
      if position - partStart >= part.count {
        let next = try store.fetch(name, from: position, etag: etag)
        guard next.size == size, !next.bytes.isEmpty else {
          throw StorageError(path: store.path(of: name), operation: "read (the blob changed while it was read; read it again)", code: EIO)
        }
        part = next.bytes
        partStart = position
      }
      let from = position - partStart
      let n = min(buffer.count - filled, part.count - from)
      part.withUnsafeBytes { src in
        (buffer.baseAddress! + filled).copyMemory(from: src.baseAddress! + from, byteCount: n)
      }
      filled += n
      position += n
    }
    return filled
  }
}
