import VaultCrypto

/// Writes entries into new packs of about `targetSize` bytes each (FORMAT.md §16.2), streamed:
/// memory stays at one copy buffer whatever the entries' sizes.
///
/// Each entry is hashed while it is written and refused if it does not match its id, so a
/// damaged source never enters a backup. A refused entry abandons the open pack (its earlier
/// entries with it): the caller fails the backup, and nothing names the abandoned bytes.
/// Not thread-safe: each copy worker has its own.
final class PackWriter: @unchecked Sendable {
  let store: any BlobStore
  let targetSize: UInt64
  /// Packs committed so far, with their trailers (the index of this run names them).
  private(set) var written: [(id: ObjectID, trailer: PackTrailer)] = []
  private var open: (writer: any BlobWriter, entries: [PackEntry], size: UInt64)?
  private var buffer = [UInt8](repeating: 0, count: 1 << 20)

  /// The size packs are closed at: large enough that a backup is a few requests per GiB, small
  /// enough that prune's repacking and a retried upload stay cheap.
  static let defaultTargetSize: UInt64 = 16 << 20

  init(store: any BlobStore, targetSize: UInt64 = defaultTargetSize) {
    self.store = store
    self.targetSize = targetSize
  }

  deinit { open?.writer.abandon() }

  /// Streams `reader`'s bytes in as entry `id` of `kind`; returns the entry's length.
  /// - Throws: `FormatError` when the bytes do not hash to `id`.
  @discardableResult
  func add(_ kind: PackEntryKind, _ id: ObjectID, from reader: any BlobReader) throws -> UInt64 {
    let writer = try currentWriter()
    let digest = try kind.digest()
    var length: UInt64 = 0
    do {
      while true {
        let n = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
        if n == 0 { break }
        try buffer.withUnsafeBytes { b in
          let chunk = UnsafeRawBufferPointer(rebasing: b.prefix(n))
          digest.update(chunk)
          try writer.write(chunk)
        }
        length += UInt64(n)
      }
      guard digest.finalize() == id.bytes else {
        throw FormatError.invalidField("\(kind == .object ? "object" : "data") \(id.hex.prefix(12))… does not match its name (hash mismatch)")
      }
    } catch {
      abandon()
      throw error
    }
    try appended(PackEntry(kind: kind, id: id, length: length))
    return length
  }

  /// Adds `bytes` as a data entry; returns its id.
  @discardableResult
  func add(data bytes: [UInt8]) throws -> ObjectID {
    let id = try ObjectID(bytes: try Hasher.blake2b256(bytes))
    let writer = try currentWriter()
    do { try bytes.withUnsafeBytes { try writer.write($0) } } catch {
      abandon()
      throw error
    }
    try appended(PackEntry(kind: .data, id: id, length: UInt64(bytes.count)))
    return id
  }

  /// Commits the open pack, if any (without making it durable: the caller syncs the store
  /// before an index names it).
  func flush() throws {
    guard let (writer, entries, _) = open else { return }
    open = nil
    let trailer = PackTrailer(entries: entries)
    let bytes = trailer.encoded
    do {
      try bytes.withUnsafeBytes { try writer.write($0) }
      try withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { try writer.write($0) }
      let id = try trailer.packID
      try writer.commit(as: BackupRepository.packName(id), mode: .contentAddressed, durable: false)
      written.append((id, trailer))
    } catch {
      writer.abandon()
      throw error
    }
  }

  private func currentWriter() throws -> any BlobWriter {
    if let open { return open.writer }
    let writer = try store.makeWriter()
    do { try FileHeader.encode(.backupPack).withUnsafeBytes { try writer.write($0) } } catch {
      writer.abandon()
      throw error
    }
    open = (writer, [], UInt64(FileHeader.size))
    return writer
  }

  private func appended(_ entry: PackEntry) throws {
    guard var o = open else { return }
    o.entries.append(entry)
    o.size += entry.length
    open = o
    if o.size >= targetSize || o.entries.count >= PackTrailer.maximumEntries { try flush() }
  }

  private func abandon() {
    open?.writer.abandon()
    open = nil
  }
}

