#if canImport(Glibc)
  import Glibc
#endif
import Foundation

/// Writes entries of a repository to local files, each checked against its id on the way:
/// pack by pack, each pack read once from front to back, on every core.
struct RestoreWriter {
  let repo: BackupRepository
  let index: RepositoryIndex

  /// Writes each entry of `wanted` (id → new file's path; the file must not exist) and returns
  /// how many were written. The files are not synced: the caller syncs the file system once.
  /// - Throws: `FormatError` when the repository lacks an entry or holds it damaged.
  @discardableResult
  func write(_ wanted: [ObjectID: String], progress: @escaping (Int, Int) -> Void = { _, _ in }) throws -> Int {
    var byPack: [ObjectID: Set<ObjectID>] = [:]
    var loose: [ObjectID] = []
    for id in wanted.keys {
      guard let location = index.locations[id] else {
        throw FormatError.invalidField("the backup lacks \(id.hex.prefix(12))… that the snapshot names; run 'vault backup verify'")
      }
      if let pack = location.pack { byPack[pack, default: []].insert(id) } else { loose.append(id) }
    }
    let jobs: [(pack: ObjectID?, ids: Set<ObjectID>)] = byPack.map { ($0.key, $0.value) } + loose.map { (nil, [$0]) }
    let workers = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
    let restored = Counter()
    let results = CopyResults(count: workers, items: jobs.count, progress: progress)
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      for j in stride(from: w, to: jobs.count, by: workers) {
        do {
          try restore(jobs[j].pack, jobs[j].ids, wanted)
          restored.add(jobs[j].ids.count)
          results.add(w, 0)
        } catch {
          results.fail(error)
          return
        }
        if results.failed { return }
      }
    }
    if let error = results.error { throw error }
    return restored.count
  }

  private func restore(_ pack: ObjectID?, _ ids: Set<ObjectID>, _ wanted: [ObjectID: String]) throws {
    guard let pack, let trailer = index.packs[pack] else {
      for id in ids {
        guard let location = index.locations[id] else { continue }
        try write(id, location.kind, from: repo.open(id, at: location, index: index), to: wanted[id]!)
      }
      return
    }
    var left = ids
    try PackReader(store: repo.store, id: pack, trailer: trailer).walk(wanted: { left.contains($0.id) }) { entry, reader in
      left.remove(entry.id)
      try write(entry.id, entry.kind, from: reader, to: wanted[entry.id]!)
    }
  }

  private func write(_ id: ObjectID, _ kind: PackEntryKind, from reader: any BlobReader, to path: String) throws {
    let fd = try FileSystem.open(path, O_WRONLY | O_CREAT | O_EXCL)
    defer { close(fd) }
    let entry = reader as? EntryReader ?? EntryReader(reader, length: UInt64(reader.size))
    guard try entry.matches(kind, id, copyingTo: { try FileSystem.writeAll(fd, $0, path: path) }) else {
      throw FormatError.invalidField("the backup's copy of \(id.hex.prefix(12))… does not match its name; run 'vault backup verify'")
    }
  }
}

/// A count shared by workers.
private final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var value = 0
  func add(_ n: Int) { lock.withLock { value += n } }
  var count: Int { lock.withLock { value } }
}
