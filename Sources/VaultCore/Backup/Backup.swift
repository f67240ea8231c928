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
  /// Packs written.
  public let packsWritten: Int
}

/// Backup, restore and prune of a backup repository (FORMAT.md §16). All keyless.
public enum BackupEngine {
  /// Copies `vault` into `repo` and writes a snapshot. Call with the repository's exclusive lock.
  ///
  /// The vault's small files are read under its shared lock (and the log's, so no append is
  /// half copied); objects are copied afterwards without holding it, since they never change.
  /// If one disappears meanwhile (a writer replaced a client index), the capture is repeated,
  /// and the last attempt holds the lock throughout. Packs are made durable, then the index
  /// that names them, then the snapshot: a crash leaves earlier snapshots intact and, at
  /// worst, packs the next run removes (no index names them) or reuses (an index does).
  /// `record` logs the snapshot (id, objects copied, bytes) once it is written; if it throws,
  /// the snapshot is taken back, so no backup exists that the vault's log does not name.
  public static func backup(
    _ vault: Vault, to repo: BackupRepository, wait: Double = 0, now: Date = Date(), progress: @escaping (Int, Int) -> Void = { _, _ in },
    record: (Snapshot, Int, UInt64) throws -> Void = { _, _, _ in }
  ) throws -> BackupResult {
    var repo = repo
    var reclaimed = try repo.reclaimLeftovers()
    if repo.revision < BackupRepository.currentRevision { reclaimed += try convert(&repo) }
    // A damaged index hides its packs: what they held is packed again, harmlessly. A pack an
    // index names but that is gone (deleted by hand, lost by the disk) is dropped from the
    // index, so the vault's own copies replace what it held.
    var (index, _) = try repo.loadIndex()
    // A pack the listing lacks is asked for by name before it is given up: a listing cut short
    // must not make the index forget packs that are there.
    let listed = Set(try repo.listPacks().packs)
    let present = listed.union(index.packs.keys.filter { !listed.contains($0) && repo.store.exists(BackupRepository.packName($0)) })
    if index.packs.keys.contains(where: { !present.contains($0) }) {
      index = index.keeping(present)
      try consolidate(repo, index, force: true)
    }
    let run = PackRun(store: repo.store)
    for attempt in 1...3 {
      let last = attempt == 3
      var held: VaultLock? = try vault.lock(.shared, wait: wait)
      let (files, objects, head) = try capture(vault, into: run, index: index)
      if !last { held = nil }  // releases the vault: objects never change, so copying needs no lock
      let copied: (count: Int, bytes: UInt64)
      do {
        copied = try copyMissing(objects, from: vault.layout.objectStore, into: run, index: index, progress: progress)
      } catch ObjectError.missing where !last {
        continue
      }
      var list: [UInt8] = []
      list.reserveCapacity(objects.count * 32)
      for id in objects.sorted() { list += id.bytes }
      let listID = try ObjectID(bytes: try Hasher.blake2b256(list))
      if !index.contains(listID) && !run.contains(listID) { try run.add(data: list) }
      let packs = try run.finish()
      if !packs.isEmpty {
        // One sync makes every pack durable before the index that names them exists.
        try repo.store.sync()
        let written = try repo.writeIndex(packs)
        for p in packs { index.add(pack: p.id, p.trailer) }
        index.files += written.map { [$0] } ?? []
        try consolidate(repo, index)
      }
      let stamp = LogEntry.format(now)
      // Milliseconds in the id, so snapshots taken in the same second still sort in order.
      let millis = Int(now.timeIntervalSince1970 * 1000) % 1000
      let compact = stamp.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "").dropLast()
      let snapshot = Snapshot(
        id: "\(compact).\(String(format: "%03d", millis))Z-\(Hex.encode(try Random.bytes(4)))", time: stamp, vault: vault.config.vaultID.hex,
        logCount: head.count, logHead: head.head, files: files, objectList: listID.hex, objectCount: objects.count)
      do { try repo.write(snapshot) } catch {
        // Renamed into place but not made durable: take it back, as if it had not been written.
        try? repo.removeSnapshot(snapshot.id)
        throw error
      }
      do { try record(snapshot, copied.count, copied.bytes) } catch {
        // The packs stay, named by the index: the next run reuses them.
        try? repo.removeSnapshot(snapshot.id)
        throw error
      }
      withExtendedLifetime(held) {}
      return BackupResult(
        snapshot: snapshot, objectsCopied: copied.count, bytesCopied: copied.bytes, objectsPresent: objects.count - copied.count,
        leftoversReclaimed: reclaimed, packsWritten: packs.count)
    }
    throw VaultError.internalError("backup capture did not settle")
  }

  /// Index files one backup reads before it is folded into one: each nightly backup adds one,
  /// and on a remote store each costs a request.
  static let indexFilesToConsolidate = 32

  /// Writes one index of every pack in place of many small ones (the new one is durable
  /// before any old one goes; a crash between leaves duplicates, which readers accept).
  static func consolidate(_ repo: BackupRepository, _ index: RepositoryIndex, force: Bool = false) throws {
    guard force || index.files.count >= indexFilesToConsolidate else { return }
    let all = index.packs.map { (id: $0.key, trailer: $0.value) }.sorted { $0.id < $1.id }
    let fresh = try repo.writeIndex(all)
    for name in index.files where name != fresh { try repo.store.delete(name, durable: true) }
  }

  /// Packs the vault's small files the repository lacks, lists its objects and reads the log's
  /// head, under the lock the caller holds.
  static func capture(_ vault: Vault, into run: PackRun, index: RepositoryIndex) throws -> ([Snapshot.SnapshotFile], [ObjectID], LogHead) {
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
      let path = "\(l.root)/\(p)"
      // Hashed first, packed only if new, and hashed again while packed: a file that changed in
      // between is refused, not stored under the wrong name.
      let (digest, size) = try BackupRepository.hash(path)
      let id = try ObjectID(bytes: digest)
      if !index.contains(id) && !run.contains(id) {
        let reader = try LocalBlobReader(path: path)
        do { try run.add(.data, id, from: reader) } catch let e as FormatError {
          throw FormatError.invalidField("\(path) changed while it was backed up (\(e))")
        }
      }
      files.append(Snapshot.SnapshotFile(path: p, blob: id.hex, size: size))
    }
    let (objects, _) = try l.objectStore.list()
    return (files, objects, head)
  }

  /// Packs the objects the repository lacks, checking each against its name on the way, on
  /// every core (a first backup is tens of thousands of small files).
  static func copyMissing(_ ids: [ObjectID], from source: ObjectStore, into run: PackRun, index: RepositoryIndex, progress: @escaping (Int, Int) -> Void) throws -> (count: Int, bytes: UInt64) {
    let missing = ids.filter { !index.contains($0) && !run.contains($0) }
    let bytes = try run.copy(missing, from: source, progress: progress)
    return (missing.count, bytes)
  }

  // MARK: Restore

  /// Recreates the vault of `snapshot` at `target`, which must not exist (or be an empty
  /// directory). Built in a hidden sibling directory and renamed into place at the end.
  /// `durable` false: a throwaway copy (the keyed check of `backup verify --full`), not synced.
  public static func restore(
    _ snapshot: Snapshot, from repo: BackupRepository, to target: String, durable: Bool = true, progress: @escaping (Int, Int) -> Void = { _, _ in }
  ) throws {
    if FileStatus.exists(target) {
      guard FileStatus.isDirectory(target), (try? Directories.list(target))?.isEmpty == true else { throw BackupError.targetExists(target) }
    }
    let (index, _) = try repo.loadIndex()
    let ids = try repo.objectIDs(of: snapshot, index: index)
    let parent = SystemPath.parent(target)
    // A restore killed part way left its staging directory (a full ciphertext copy): remove it.
    StagingDirectory.removeAbandoned(in: parent, kind: "restore")
    let staging = StagingDirectory.name(for: target, kind: "restore", random: Hex.encode(try Random.bytes(4)))
    try Directories.makeDirectory(staging)
    do {
      let layout = VaultLayout(root: staging)
      for d in layout.directories { try Directories.makeDirectory(d) }
      var wanted: [ObjectID: String] = [:]
      for f in snapshot.files {
        let parts = f.path.split(separator: "/")
        guard ["config", "index", "practitioners", "log/entries", "log/checkpoints"].contains(f.path) || (parts.count == 2 && ["slots", "clientkeys"].contains(String(parts[0])) && !parts[1].hasPrefix(".")) else {
          throw FormatError.invalidField("snapshot names an unexpected file '\(f.path)'")
        }
        guard let id = ObjectID(hex: f.blob) else { throw FormatError.invalidField("snapshot lists a malformed blob id") }
        wanted[id] = "\(staging)/\(f.path)"
      }
      for folder in Set(ids.map { $0.hex.prefix(2) }) { try Directories.makeDirectory("\(layout.objects)/\(folder)") }
      for id in ids { wanted[id] = "\(layout.objects)/\(id.hex.prefix(2))/\(id.hex)" }
      try RestoreWriter(repo: repo, index: index).write(wanted, progress: progress)
      if durable { try syncFileSystem(staging) }
      try AtomicFile.write([], to: layout.lock, temporaryDirectory: layout.tmp)
      if FileStatus.exists(target) { try Directories.removeDirectory(target) }
      try FileSystem.rename(staging, target)
      try Directories.syncDirectory(parent)
    } catch {
      Directories.removeTree(staging)
      throw error
    }
  }

  static func syncFileSystem(_ path: String) throws {
    guard vault_syncfs(path) == 0 else { throw StorageError(path: path, operation: "syncfs", code: errno) }
  }

  // MARK: Prune

  /// What prune did (or would do, for a dry run).
  public struct PruneResult: Sendable {
    /// Kept snapshot ids, with the rules that keep each.
    public let kept: [(id: String, reasons: [String])]
    /// Removed snapshot ids.
    public let removed: [String]
    /// Entries (objects, files, object lists) no kept snapshot needs, dropped unless dry run.
    public let objectsRemoved: Int
    /// Packs deleted, and packs whose needed entries were copied into new packs first.
    public let packsRemoved: Int
    public let packsRepacked: Int
  }

  /// Removes the snapshots `policy` does not keep, then every entry no kept snapshot names:
  /// packs holding nothing needed are deleted, packs mostly unneeded are repacked. Call with the
  /// repository's exclusive lock, which a running backup also holds.
  public static func prune(_ repo: BackupRepository, policy: RetentionPolicy, dryRun: Bool) throws -> PruneResult {
    guard !policy.isEmpty else { throw BackupError.emptyPolicy }
    var repo = repo
    if !dryRun {
      try repo.reclaimLeftovers()
      if repo.revision < BackupRepository.currentRevision { try convert(&repo) }
    }
    let (snapshots, damagedSnapshots) = try repo.snapshots()
    let (index, damagedIndexes) = try repo.loadIndex()
    guard damagedSnapshots.isEmpty, damagedIndexes.isEmpty else {
      throw FormatError.invalidField("the backup has damaged snapshots or indexes; run 'vault backup verify' and a new backup before pruning")
    }
    let keep = policy.keep(snapshots)
    let kept = snapshots.filter { keep[$0.id] != nil }
    let removed = snapshots.filter { keep[$0.id] == nil }
    var needed = Set<ObjectID>()
    for s in kept {
      needed.formUnion(try repo.objectIDs(of: s, index: index))
      needed.formUnion(s.files.compactMap { ObjectID(hex: $0.blob) })
      if let list = s.objectList.flatMap(ObjectID.init(hex:)) { needed.insert(list) }
    }
    let plan = PrunePlan(index: index, needed: needed)
    if !dryRun {
      // Manifests first: a crash part way leaves entries nobody needs (dropped by the next
      // prune), never a snapshot missing its entries.
      for s in removed { try repo.removeSnapshot(s.id) }
      try plan.apply(to: repo, index: index)
    }
    return PruneResult(
      kept: kept.map { ($0.id, keep[$0.id] ?? []) }, removed: removed.map(\.id), objectsRemoved: plan.entriesDropped,
      packsRemoved: plan.delete.count, packsRepacked: plan.repack.count)
  }

  // MARK: Conversion

  /// Moves a repository of the first layout (loose copies) to packs: every copy is packed
  /// (checked against its name; a damaged one is left out, and the next backup copies the
  /// object again from the vault), the index written, then the marker's revision changed,
  /// then the loose copies deleted. Killed before the marker changes, the repository is still
  /// of the first layout (the next run removes the unindexed packs and starts over); after,
  /// it is of the new one, and the next run deletes the loose copies left.
  @discardableResult
  static func convert(_ repo: inout BackupRepository) throws -> Int {
    let (loose, _) = try repo.loadIndex()
    let run = PackRun(store: repo.store)
    var converted = BackupRepository(store: repo.store)
    converted.revision = BackupRepository.currentRevision
    try converted.makeFolders()
    for (id, location) in loose.locations.sorted(by: { $0.key < $1.key }) {
      // Checked first, on a reader of its own: a damaged copy is left out alone (packing it
      // would abandon the open pack and every intact copy in it). A copy that cannot be read
      // (EIO, EACCES) stops the conversion: its loose copies must not be deleted.
      let whole = try repo.open(id, at: location, index: loose)
      guard try EntryReader(whole, length: UInt64(whole.size)).matches(location.kind, id) else { continue }
      try run.add(location.kind, id, from: try repo.open(id, at: location, index: loose))
    }
    let packs = try run.finish()
    try repo.store.sync()
    try converted.writeIndex(packs)
    try repo.store.put(BackupRepository.markerName, bytes: try BackupRepository.marker(try repo.vaultID()))
    let removed = try converted.removeLooseCopies()
    repo = converted
    return removed
  }
}

/// The packs one backup, prune or conversion writes: a writer per core, and what they hold.
final class PackRun: @unchecked Sendable {
  let store: any BlobStore
  /// The writer of the calling thread (small files, object lists, repacked entries).
  private let main: PackWriter
  private let lock = NSLock()
  private var workers: [PackWriter] = []
  private var added = Set<ObjectID>()

  init(store: any BlobStore) {
    self.store = store
    main = PackWriter(store: store)
  }

  /// True if an entry with this id was written in this run.
  func contains(_ id: ObjectID) -> Bool { lock.withLock { added.contains(id) } }

  /// Streams one entry into the calling thread's pack (see `PackWriter.add`).
  func add(_ kind: PackEntryKind, _ id: ObjectID, from reader: any BlobReader) throws {
    try main.add(kind, id, from: reader)
    lock.withLock { _ = added.insert(id) }
  }

  /// Adds `bytes` as a data entry.
  func add(data bytes: [UInt8]) throws {
    let id = try main.add(data: bytes)
    lock.withLock { _ = added.insert(id) }
  }

  /// Copies objects from `source` into packs, on every core; returns the bytes copied.
  func copy(_ ids: [ObjectID], from source: ObjectStore, progress: @escaping (Int, Int) -> Void = { _, _ in }) throws -> UInt64 {
    guard !ids.isEmpty else { return 0 }
    let count = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
    let writers = (0..<count).map { _ in PackWriter(store: store) }
    lock.withLock { workers += writers }
    let results = CopyResults(count: count, items: ids.count, progress: progress)
    DispatchQueue.concurrentPerform(iterations: count) { w in
      for i in stride(from: w, to: ids.count, by: count) {
        do {
          let reader = try source.openBlob(ids[i])
          results.add(w, try writers[w].add(.object, ids[i], from: reader))
        } catch is FormatError {
          results.fail(ObjectError.corrupted(ids[i], "content does not match its name (hash mismatch); the vault's copy is damaged"))
          return
        } catch {
          results.fail(error)
          return
        }
        if results.failed { return }
      }
    }
    if let error = results.error { throw error }
    lock.withLock { added.formUnion(ids) }
    return results.total
  }

  /// Commits every open pack; returns every pack this run wrote.
  func finish() throws -> [(id: ObjectID, trailer: PackTrailer)] {
    try main.flush()
    for w in workers { try w.flush() }
    return lock.withLock { main.written + workers.flatMap(\.written) }
  }
}

/// Per-worker byte counts, items done and the first error, shared by the copy workers; progress
/// is reported under the same lock, so reports arrive one at a time and in order.
final class CopyResults: @unchecked Sendable {
  private let lock = NSLock()
  private var bytes: [UInt64]
  private var done = 0
  private let items: Int
  private let progress: (Int, Int) -> Void
  private(set) var error: (any Error)?

  init(count: Int, items: Int = 0, progress: @escaping (Int, Int) -> Void = { _, _ in }) {
    bytes = [UInt64](repeating: 0, count: count)
    self.items = items
    self.progress = progress
  }

  /// Adds a worker's bytes for one item done.
  func add(_ worker: Int, _ n: UInt64) {
    lock.withLock {
      bytes[worker] += n
      done += 1
      progress(done, items)
    }
  }
  func fail(_ e: any Error) { lock.withLock { if error == nil { error = e } } }
  var failed: Bool { lock.withLock { error != nil } }
  var total: UInt64 { lock.withLock { bytes.reduce(0, +) } }
}
