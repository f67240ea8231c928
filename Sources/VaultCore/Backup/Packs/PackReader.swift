/// Reads a pack front to back, once: each entry either handed to the caller (as a reader of
/// exactly its bytes) or skipped, then the pack's own trailer checked against the index's copy.
/// Reading whole packs in order suits both a local disk and an object store (one GET per pack).
struct PackReader {
  let store: any BlobStore
  let id: ObjectID
  /// The trailer as the index lists it.
  let trailer: PackTrailer

  /// Calls `visit` with each entry `wanted` accepts; `visit` may read any part of the entry's
  /// bytes (the rest is skipped). Throws `FormatError` when the pack's header, length or own
  /// trailer differ from what the index says.
  func walk(wanted: (PackEntry) -> Bool, visit: (PackEntry, EntryReader) throws -> Void) throws {
    let reader = try store.open(BackupRepository.packName(id))
    let encoded = trailer.encoded
    guard UInt64(reader.size) == trailer.packSize else {
      throw FormatError.invalidField("pack \(id.hex.prefix(12))… is \(reader.size) bytes, its index says \(trailer.packSize)")
    }
    var header = [UInt8](repeating: 0, count: FileHeader.size)
    guard try header.withUnsafeMutableBytes({ try reader.read(into: $0) }) == header.count, header == FileHeader.encode(.backupPack) else {
      throw FormatError.invalidField("pack \(id.hex.prefix(12))… does not start with a pack header")
    }
    for entry in trailer.entries {
      let sub = EntryReader(reader, length: entry.length)
      if wanted(entry) { try visit(entry, sub) }
      try sub.skipRest()
    }
    var tail = [UInt8](repeating: 0, count: encoded.count + 4)
    let n = try tail.withUnsafeMutableBytes { try reader.read(into: $0) }
    guard n == tail.count, Array(tail.prefix(encoded.count)) == encoded, tail.suffix(4) == withUnsafeBytes(of: UInt32(encoded.count).littleEndian, Array.init)[...] else {
      throw FormatError.invalidField("pack \(id.hex.prefix(12))… ends in a list of entries other than its index's")
    }
  }
}

/// The bytes of one pack entry, read in order from the pack.
final class EntryReader: BlobReader {
  private let pack: any BlobReader
  private var remaining: UInt64
  let size: Int

  init(_ pack: any BlobReader, length: UInt64) {
    self.pack = pack
    remaining = length
    size = Int(length)
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard remaining > 0 else { return 0 }
    let want = Int(min(UInt64(buffer.count), remaining))
    let n = try pack.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer.prefix(want)))
    guard n == want else { throw FormatError.truncated }
    remaining -= UInt64(n)
    return n
  }

  /// Reads past what the caller left.
  func skipRest() throws {
    guard remaining > 0 else { return }
    var scratch = [UInt8](repeating: 0, count: Int(min(remaining, 1 << 20)))
    while remaining > 0 { _ = try scratch.withUnsafeMutableBytes { try read(into: $0) } }
  }

  /// Hashes the rest of the entry with the hash its kind names; true when it matches `id`.
  func matches(_ kind: PackEntryKind, _ id: ObjectID, copyingTo sink: ((UnsafeRawBufferPointer) throws -> Void)? = nil) throws -> Bool {
    let digest = try kind.digest()
    var buffer = [UInt8](repeating: 0, count: max(1, min(size, 1 << 20)))
    while true {
      let n = try buffer.withUnsafeMutableBytes { try read(into: $0) }
      if n == 0 { break }
      try buffer.withUnsafeBytes { b in
        let chunk = UnsafeRawBufferPointer(rebasing: b.prefix(n))
        digest.update(chunk)
        try sink?(chunk)
      }
    }
    return digest.finalize() == id.bytes
  }
}
