#if canImport(Glibc)
  import Glibc
#endif
import CVaultSystem
import Foundation
import VaultCrypto

/// What a backup did.
public struct BackupResult: Sendable {
  /// The snapshot written.
  public let snapshot: Snapshot
  /// Objects the repository lacked and received.
  public let objectsCopied: Int
  /// Their bytes.
  public let bytesCopied: UInt64
  /// Objects already present (not copied).
  public let objectsPresent: Int
  /// Files an interrupted earlier backup or prune left, removed first.
  public let leftoversReclaimed: Int
}

/// Backup, restore, verify and prune of a backup repository (FORMAT.md §16). All keyless.
public enum BackupEngine {
  /// Copies `vault` into `repo` and writes a snapshot. Call with the repository's exclusive lock.
  ///
  /// The vault's small files are read under its shared lock (and the log's, so no append is
  /// half copied); objects are copied afterwards without holding it, since they never change.
  /// If one disappears meanwhile (a writer replaced a client index), the capture is repeated,
  /// and the last attempt holds the lock throughout. Only then is the snapshot written, at
  /// once: a crash leaves earlier snapshots intact and, at worst, objects the next run reuses.
  /// `record` logs the snapshot (id, objects copied, bytes) once it is written; if it throws,
  /// the snapshot is taken back, so no backup exists that the vault's log does not name.
  public static func backup(
    _ vault: Vault, to repo: BackupRepository, wait: Double = 0, now: Date = Date(), progress: (Int, Int) -> Void = { _, _ in },
    record: (Snapshot, Int, UInt64) throws -> Void = { _, _, _ in }
  ) throws -> BackupResult {
    let reclaimed = try repo.reclaimLeftovers()
    try repo.markUnfinished()
    for attempt in 1...3 {
      let last = attempt == 3
      var held: VaultLock? = try vault.lock(.shared, wait: wait)
      let (files, objects, head) = try capture(vault, into: repo)
      if !last { held = nil }  // releases the vault: objects never change, so copying needs no lock
      let copied: (count: Int, bytes: UInt64)
      do {
        copied = try copyMissing(objects, from: vault.layout.objectStore, to: repo, progress: progress)
      } catch ObjectError.missing where !last {
        continue
      }
      // One syncfs makes every copy durable before the manifest that names them exists (blobs
      // are written with their own fsync; with no new object there is nothing more to flush).
      if copied.count > 0 { try repo.store.sync() }
      let stamp = LogEntry.format(now)
      // Milliseconds in the id, so snapshots taken in the same second still sort in order.
      let millis = Int(now.timeIntervalSince1970 * 1000) % 1000
      let compact = stamp.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "").dropLast()
      let snapshot = Snapshot(
        id: "\(compact).\(String(format: "%03d", millis))Z-\(Hex.encode(try Random.bytes(4)))", time: stamp, vault: vault.config.vaultID.hex, logCount: head.count,
        logHead: head.head, files: files, objects: objects.map(\.hex).sorted())
      do { try repo.write(snapshot) } catch {
        // Renamed into place but not made durable: take it back, as if it had not been written.
        try? repo.removeSnapshot(snapshot.id)
        throw error
      }
      do { try record(snapshot, copied.count, copied.bytes) } catch {
        // The marker stays: the next run reclaims the objects only this snapshot named.
        try? repo.removeSnapshot(snapshot.id)
        throw error
      }
      repo.clearUnfinished()
      withExtendedLifetime(held) {}
      return BackupResult(
        snapshot: snapshot, objectsCopied: copied.count, bytesCopied: copied.bytes, objectsPresent: objects.count - copied.count,
        leftoversReclaimed: reclaimed)
    }
    throw VaultError.internalError("backup capture did not settle")
  }

  /// Reads the vault's small files into blobs and lists its objects, under the lock the caller holds.
  static func capture(_ vault: Vault, into repo: BackupRepository) throws -> ([Snapshot.SnapshotFile], [ObjectID], LogHead) {
    let l = vault.layout
    var paths = ["config", "index"] + (FileStatus.exists(l.practitioners) ? ["practitioners"] : [])
    for dir in ["slots", "clientkeys"] { paths += ((try? Directories.list("\(l.root)/\(dir)")) ?? []).sorted().map { "\(dir)/\($0)" } }
    // The log is copied under its own shared flock: an append in progress finishes first.
    let logFD = (try? FileSystem.open(l.logEntries, O_RDONLY)) ?? -1
    if logFD >= 0 { flock(logFD, LOCK_SH) }
    defer { if logFD >= 0 { close(logFD) } }
    let head = try AccessLog(vault: vault).head()
    paths += ["log/entries", "log/checkpoints"].filter { FileStatus.exists("\(l.root)/\($0)") }
    var files: [Snapshot.SnapshotFile] = []
    for p in paths {
      let (blob, size) = try repo.putBlob(copying: "\(l.root)/\(p)")
      files.append(Snapshot.SnapshotFile(path: p, blob: blob, size: size))
    }
    let (objects, _) = try l.objectStore.list()
    return (files, objects, head)
  }

  /// Copies the objects `repo` lacks, checking each against its name on the way. What the
  /// repository holds is read by listing its directories once (not a stat per object), and the
  /// copies run on every core: a first backup is tens of thousands of small files.
  static func copyMissing(_ ids: [ObjectID], from source: ObjectStore, to repo: BackupRepository, progress: (Int, Int) -> Void) throws -> (count: Int, bytes: UInt64) {
    let present = Set(try repo.objects.list().objects)
    let missing = ids.filter { !present.contains($0) }
    let bytes = try copy(missing, from: source, to: repo.objects)
    progress(missing.count, missing.count)
    return (missing.count, bytes)
  }

  /// Copies `ids` (hashed, not made durable: the caller syncs the target's store) on every core.
  static func copy(_ missing: [ObjectID], from source: ObjectStore, to target: ObjectStore) throws -> UInt64 {
    guard !missing.isEmpty else { return 0 }
    // Fan-out folders first, so parallel copies never race to create one.
    for folder in Set(missing.compactMap { target.name(for: $0).folder }) { try target.backend.makeFolder(folder) }
    let workers = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
    let results = Results(count: workers)
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      for i in stride(from: w, to: missing.count, by: workers) {
        do {
          results.add(w, try copyObject(missing[i], from: source, to: target, sync: false))
        } catch {
          results.fail(error)
          return
        }
        if results.failed { return }
      }
    }
    if let error = results.error { throw error }
    return results.total
  }

  /// Per-worker byte counts and the first error, shared by the copy workers.
  private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt64]
    private(set) var error: (any Error)?
    init(count: Int) { bytes = [UInt64](repeating: 0, count: count) }
    func add(_ worker: Int, _ n: UInt64) { lock.withLock { bytes[worker] += n } }
    func fail(_ e: any Error) { lock.withLock { if error == nil { error = e } } }
    var failed: Bool { lock.withLock { error != nil } }
    var total: UInt64 { lock.withLock { bytes.reduce(0, +) } }
  }

  /// Streams one object's ciphertext into `target` as a new blob, hashing it: a damaged
  /// source object is refused rather than copied into the backup. Keyless: nothing is decrypted.
  /// With `sync` false the caller makes the copies durable at once (`BlobStore.sync`) before
  /// anything refers to them: thousands of fsyncs would dominate a first backup.
  @discardableResult
  static func copyObject(_ id: ObjectID, from source: ObjectStore, to target: ObjectStore, sync: Bool = true) throws -> UInt64 {
    let src = try source.openBlob(id)
    let dst = try target.backend.makeWriter()
    do {
      let hasher = try ObjectDigest()
      var buffer = [UInt8](repeating: 0, count: max(1, min(1 << 20, src.size)))
      var total: UInt64 = 0
      while true {
        let n = try buffer.withUnsafeMutableBytes { try src.read(into: $0) }
        if n == 0 { break }
        try buffer.withUnsafeBytes { b in
          let chunk = UnsafeRawBufferPointer(rebasing: b.prefix(n))
          hasher.update(chunk)
          try dst.write(chunk)
        }
        total += UInt64(n)
      }
      guard hasher.finalize() == id.bytes else { throw ObjectError.corrupted(id, "content does not match its name (hash mismatch); the vault's copy is damaged") }
      try dst.commit(as: target.name(for: id), mode: .contentAddressed, durable: sync)
      return total
    } catch {
      dst.abandon()
      throw error
    }
  }

  static func syncFileSystem(_ path: String) throws {
    guard vault_syncfs(path) == 0 else { throw StorageError(path: path, operation: "syncfs", code: errno) }
  }

  // MARK: Restore

  /// Recreates the vault of `snapshot` at `target`, which must not exist (or be an empty
  /// directory). Built in a hidden sibling directory and renamed into place at the end.
  public static func restore(_ snapshot: Snapshot, from repo: BackupRepository, to target: String, progress: (Int, Int) -> Void = { _, _ in }) throws {
    if FileStatus.exists(target) {
      guard FileStatus.isDirectory(target), (try? Directories.list(target))?.isEmpty == true else { throw BackupError.targetExists(target) }
    }
    let parent = SystemPath.parent(target)
    // A restore killed part way left its staging directory (a full ciphertext copy): remove it.
    StagingDirectory.removeAbandoned(in: parent, kind: "restore")
    let staging = StagingDirectory.name(for: target, kind: "restore", random: Hex.encode(try Random.bytes(4)))
    try Directories.makeDirectory(staging)
    do {
      let layout = VaultLayout(root: staging)
      for d in layout.directories { try Directories.makeDirectory(d) }
      for f in snapshot.files {
        let parts = f.path.split(separator: "/")
        guard ["config", "index", "practitioners", "log/entries", "log/checkpoints"].contains(f.path) || (parts.count == 2 && ["slots", "clientkeys"].contains(String(parts[0])) && !parts[1].hasPrefix(".")) else {
          throw FormatError.invalidField("snapshot names an unexpected file '\(f.path)'")
        }
        try repo.restoreBlob(f.blob, to: "\(staging)/\(f.path)", temporaryDirectory: layout.tmp)
      }
      let ids = try snapshot.objects.map { hex in
        guard let id = ObjectID(hex: hex) else { throw FormatError.invalidField("snapshot lists a malformed object id") }
        return id
      }
      _ = try copy(ids, from: repo.objects, to: layout.objectStore)
      progress(ids.count, ids.count)
      try syncFileSystem(staging)
      try AtomicFile.write([], to: layout.lock, temporaryDirectory: layout.tmp)
      if FileStatus.exists(target) { try Directories.removeDirectory(target) }
      try FileSystem.rename(staging, target)
      try Directories.syncDirectory(parent)
    } catch {
      Directories.removeTree(staging)
      throw error
    }
  }

  // MARK: Verify

  // MARK: Prune

  /// What prune did (or would do, for a dry run).
  public struct PruneResult: Sendable {
    /// Kept snapshot ids, with the rules that keep each.
    public let kept: [(id: String, reasons: [String])]
    /// Removed snapshot ids.
    public let removed: [String]
    /// Objects and blobs no kept snapshot needs (removed unless dry run).
    public let objectsRemoved: Int
    public let blobsRemoved: Int
  }

  /// Removes the snapshots `policy` does not keep, then every object and blob no kept snapshot
  /// names. Call with the repository's exclusive lock, which a running backup also holds.
  public static func prune(_ repo: BackupRepository, policy: RetentionPolicy, dryRun: Bool) throws -> PruneResult {
    guard !policy.isEmpty else { throw BackupError.emptyPolicy }
    if !dryRun { try repo.reclaimLeftovers() }
    let (snapshots, _) = try repo.snapshots()
    let keep = policy.keep(snapshots)
    let kept = snapshots.filter { keep[$0.id] != nil }
    let removed = snapshots.filter { keep[$0.id] == nil }
    let neededObjects = Set(kept.flatMap(\.objects))
    let neededBlobs = Set(kept.flatMap { $0.files.map(\.blob) })
    let unusedObjects = try repo.objects.list().objects.filter { !neededObjects.contains($0.hex) }
    let unusedBlobs = try repo.blobs().filter { !neededBlobs.contains($0) }
    if !dryRun {
      // Manifests first: a crash part way leaves objects nobody needs (reclaimed by the next
      // backup or prune, which find the marker), never a snapshot missing its objects.
      try repo.markUnfinished()
      for s in removed { try repo.removeSnapshot(s.id) }
      for id in unusedObjects { try repo.objects.remove(id) }
      for hex in unusedBlobs { if let name = try? repo.blobName(hex) { try repo.store.delete(name) } }
      repo.clearUnfinished()
    }
    return PruneResult(
      kept: kept.map { ($0.id, keep[$0.id] ?? []) }, removed: removed.map(\.id), objectsRemoved: unusedObjects.count, blobsRemoved: unusedBlobs.count)
  }
}
