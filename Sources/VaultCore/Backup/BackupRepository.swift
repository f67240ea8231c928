#if canImport(Glibc)
  import Glibc
#endif
import Foundation
import VaultCrypto

/// Why a backup operation failed, for the messages and exit statuses of `vault backup`.
public enum BackupError: Error, Equatable, Sendable, CustomStringConvertible {
  /// DEST holds something that is not this vault's backup repository.
  case notARepository(String)
  /// DEST belongs to another vault.
  case otherVault(String)
  /// DEST cannot be created or written.
  case notWritable(String, String)
  /// No snapshot has this id.
  case unknownSnapshot(String)
  /// The repository has no snapshot yet.
  case noSnapshots
  /// `restore --to` points at something that exists.
  case targetExists(String)
  /// No --keep rule was given.
  case emptyPolicy

  public var description: String {
    switch self {
    case .notARepository(let p): "\(p) is not empty and is not a vault backup; choose an empty directory or an existing backup"
    case .otherVault(let p): "\(p) holds the backups of another vault; give each vault its own backup directory"
    case .notWritable(let p, let why): "the backup destination \(p) is not writable (\(why)); check that the disk is mounted and has space"
    case .unknownSnapshot(let id): "there is no snapshot '\(id)'; see 'vault backup list'"
    case .noSnapshots: "the backup has no snapshot yet; run 'vault backup --to DEST' first"
    case .targetExists(let p): "\(p) already exists; restore into a new directory (vault never overwrites a vault)"
    case .emptyPolicy: "give at least one --keep-daily, --keep-weekly, --keep-monthly or --keep-yearly (prune would otherwise delete every snapshot)"
    }
  }
}

/// A backup repository: a directory of immutable, content-addressed copies of a vault's objects
/// and files, and one manifest per snapshot (FORMAT.md §16). Anyone can check it without a key.
public struct BackupRepository: Sendable {
  /// The directory.
  public let root: String

  var marker: String { "\(root)/vault-backup" }
  var lockPath: String { "\(root)/lock" }
  var tmp: String { "\(root)/tmp" }
  var snapshotsDir: String { "\(root)/snapshots" }
  var filesDir: String { "\(root)/files" }
  /// The copies of the vault's objects, named and checked as in a vault.
  public var objects: ObjectStore { ObjectStore(directory: "\(root)/objects", temporaryDirectory: tmp) }

  /// The repository at `root` (not checked; see `open` and `create`).
  public init(root: String) {
    self.root = root
    FileSystem.confine(root)
  }

  /// Opens the repository at `root` for `vault`, creating it in a missing or empty directory.
  public static func openOrCreate(_ root: String, for vault: RandomID) throws -> BackupRepository {
    let repo = BackupRepository(root: root)
    if FileSystem.exists(repo.marker) {
      try repo.check(vault: vault)
      try repo.makeDirectories()
      return repo
    }
    if FileSystem.exists(root) {
      // Empty, or holding only the temporary file of a creation that was interrupted.
      let entries = (try? FileSystem.list(root)) ?? ["?"]
      guard FileSystem.isDirectory(root), entries.allSatisfy({ $0.hasPrefix(AtomicFile.temporaryPrefix) }) else {
        throw BackupError.notARepository(root)
      }
      for name in entries { try? FileSystem.remove("\(root)/\(name)") }
    } else {
      do { try FileSystem.makeDirectory(root) } catch let e as StorageError {
        throw BackupError.notWritable(root, String(cString: strerror(e.code)).lowercased())
      }
    }
    do {
      // The marker comes first, atomically: a creation killed at any point leaves either an
      // empty directory (give or take a temporary file) or a repository.
      try AtomicFile.write(ChecksummedFile.encode(.backupRepository, body: vault.bytes), to: repo.marker, temporaryDirectory: root)
      try repo.makeDirectories()
    } catch let e as StorageError {
      throw BackupError.notWritable(root, String(cString: strerror(e.code)).lowercased())
    }
    return repo
  }

  /// Opens an existing repository, checking its marker.
  public static func open(_ root: String) throws -> (BackupRepository, RandomID) {
    let repo = BackupRepository(root: root)
    guard FileSystem.exists(repo.marker) else { throw BackupError.notARepository(root) }
    let body = try ChecksummedFile.decode(.backupRepository, try FileSystem.readFile(repo.marker, limit: 4096))
    // A creation killed right after the marker left no subdirectories: they are empty by definition.
    try? repo.makeDirectories()
    return (repo, try RandomID(bytes: body))
  }

  func check(vault: RandomID) throws {
    let (_, owner) = try Self.open(root)
    guard owner == vault else { throw BackupError.otherVault(root) }
  }

  func makeDirectories() throws {
    for d in [root, tmp, snapshotsDir, filesDir, "\(root)/objects"] where !FileSystem.isDirectory(d) {
      do { try FileSystem.makeDirectory(d) } catch let e as StorageError {
        throw BackupError.notWritable(root, String(cString: strerror(e.code)).lowercased())
      }
    }
  }

  /// Takes the repository's lock (backup and prune are exclusive; list and verify shared).
  public func lock(_ mode: VaultLock.Mode, wait: Double = 0) throws -> VaultLock {
    try VaultLock(path: lockPath, mode: mode, wait: wait)
  }

  /// Present while a backup or prune is changing the repository: one that finds it knows an
  /// earlier run was interrupted and left objects or blobs that no snapshot names.
  var unfinishedMarker: String { "\(tmp)/unfinished" }

  /// Removes leftovers of interrupted runs: temporary files, and, if a run was interrupted, the
  /// objects and blobs no snapshot names. Call under the exclusive lock; returns how many went.
  @discardableResult
  public func reclaimLeftovers() throws -> Int {
    var removed = 0
    let interrupted = FileSystem.exists(unfinishedMarker)
    for name in (try? FileSystem.list(tmp)) ?? [] where "\(tmp)/\(name)" != unfinishedMarker {
      try? FileSystem.remove("\(tmp)/\(name)")
      removed += 1
    }
    guard interrupted else { return removed }
    var neededObjects = Set<String>()
    var neededBlobs = Set<String>()
    let damaged = try forEachSnapshot { s in
      neededObjects.formUnion(s.objects)
      neededBlobs.formUnion(s.files.map(\.blob))
    }
    // A manifest that cannot be read may still name objects: keep everything until it is fixed.
    guard damaged.isEmpty else { return removed }
    for id in try objects.list().objects where !neededObjects.contains(id.hex) {
      try objects.remove(id)
      removed += 1
    }
    for hex in try blobs() where !neededBlobs.contains(hex) {
      try FileSystem.remove(blobPath(hex))
      removed += 1
    }
    try FileSystem.remove(unfinishedMarker)
    return removed
  }

  /// Marks the repository as being changed (durably, before the first change).
  func markUnfinished() throws {
    guard !FileSystem.exists(unfinishedMarker) else { return }
    let fd = try FileSystem.open(unfinishedMarker, O_WRONLY | O_CREAT)
    close(fd)
    try FileSystem.syncDirectory(tmp)
  }

  /// The run finished: every object and blob it wrote is named by a snapshot, or was meant to go.
  func clearUnfinished() { try? FileSystem.remove(unfinishedMarker) }

  // MARK: Snapshots

  /// Every snapshot, oldest first; damaged manifests are reported in `damaged`.
  /// Calls `body` with each readable snapshot, oldest first, one in memory at a time; returns
  /// the names of damaged manifests.
  public func forEachSnapshot(_ body: (Snapshot) throws -> Void) throws -> [String] {
    var damaged: [String] = []
    for name in try FileSystem.list(snapshotsDir).sorted() {
      let s: Snapshot
      do { s = try snapshot(name) } catch {
        damaged.append(name)
        continue
      }
      try body(s)
    }
    return damaged
  }

  /// The newest readable snapshot, reading manifests from the newest back.
  public func latestSnapshot() throws -> Snapshot? {
    for name in try FileSystem.list(snapshotsDir).sorted().reversed() {
      if let s = try? snapshot(name) { return s }
    }
    return nil
  }

  /// Every snapshot at once (listing and retention need them together; checking does not).
  public func snapshots() throws -> (snapshots: [Snapshot], damaged: [String]) {
    var out: [Snapshot] = []
    var damaged: [String] = []
    for name in try FileSystem.list(snapshotsDir).sorted() {
      do { out.append(try snapshot(name)) } catch { damaged.append(name) }
    }
    return (out, damaged)
  }

  /// The snapshot named `id`.
  public func snapshot(_ id: String) throws -> Snapshot {
    let path = "\(snapshotsDir)/\(id)"
    guard !id.contains("/"), FileSystem.exists(path) else { throw BackupError.unknownSnapshot(id) }
    let body = try ChecksummedFile.decode(.backupSnapshot, try FileSystem.readFile(path, limit: Snapshot.maximumFileSize))
    let s = try JSONDecoder().decode(Snapshot.self, from: Data(body))
    guard s.id == id else { throw FormatError.invalidField("snapshot \(id) names itself \(s.id)") }
    // Names become paths: anything but a 64-digit hex id (a "../" say) is damage, never opened.
    guard s.files.allSatisfy({ ObjectID(hex: $0.blob) != nil }), s.objects.allSatisfy({ ObjectID(hex: $0) != nil }) else {
      throw FormatError.invalidField("snapshot \(id) names a blob or object that is not a 64-digit hex id")
    }
    return s
  }

  func write(_ snapshot: Snapshot) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    let body = Array(try e.encode(snapshot))
    guard body.count + FileHeader.size + 32 <= Snapshot.maximumFileSize else {
      throw VaultError.invalidArgument(
        "the vault holds \(snapshot.objects.count) objects, more than one snapshot of this backup format can list; nothing was written. Until a release that stores backups in pack files, copy the vault directory off-site with rsync or restic (it holds only ciphertext)")
    }
    try AtomicFile.write(try ChecksummedFile.encode(.backupSnapshot, body: body), to: "\(snapshotsDir)/\(snapshot.id)", temporaryDirectory: tmp)
  }

  func removeSnapshot(_ id: String) throws {
    try FileSystem.remove("\(snapshotsDir)/\(id)")
    try FileSystem.syncDirectory(snapshotsDir)
  }

  // MARK: Blobs (the vault's small files)

  func blobPath(_ hex: String) -> String { "\(filesDir)/\(hex.prefix(2))/\(hex)" }

  /// Stores the file at `source` as a blob unless present; returns its id and size. Streamed in
  /// 1 MiB blocks (a decade's access log is hundreds of MB): hashed first, copied only if new,
  /// and the copy hashed again, so a file that changed in between is refused, not stored wrong.
  func putBlob(copying source: String) throws -> (id: String, size: UInt64) {
    let (digest, size) = try Self.hash(source)
    let hex = Hex.encode(digest)
    let path = blobPath(hex)
    if FileSystem.exists(path) { return (hex, size) }
    let dir = FileSystem.parent(path)
    if !FileSystem.isDirectory(dir) {
      try FileSystem.makeDirectory(dir)
      try FileSystem.syncDirectory(filesDir)
    }
    let tmpPath = try AtomicFile.temporaryPath(in: tmp)
    do {
      let copied = try Self.copy(source, to: tmpPath)
      guard copied == digest else { throw FormatError.invalidField("\(source) changed while it was backed up") }
      try AtomicFile.commit(tmpPath, to: path)
    } catch {
      try? FileSystem.remove(tmpPath)
      throw error
    }
    return (hex, size)
  }

  /// Keyless check that a blob's bytes hash to its name.
  func checkBlob(_ hex: String) throws {
    guard Hex.encode(try Self.hash(blobPath(hex)).digest) == hex else {
      throw FormatError.invalidField("blob \(hex.prefix(12))… does not match its name")
    }
  }

  /// Copies a blob to `target` (through a temporary file in `temporaryDirectory`), checking it against its name.
  func restoreBlob(_ hex: String, to target: String, temporaryDirectory: String) throws {
    let tmpPath = try AtomicFile.temporaryPath(in: temporaryDirectory)
    do {
      guard Hex.encode(try Self.copy(blobPath(hex), to: tmpPath)) == hex else {
        throw FormatError.invalidField("blob \(hex.prefix(12))… does not match its name")
      }
      try AtomicFile.commit(tmpPath, to: target)
    } catch {
      try? FileSystem.remove(tmpPath)
      throw error
    }
  }

  /// BLAKE2b-256 and size of a file, read in 1 MiB blocks.
  static func hash(_ path: String) throws -> (digest: [UInt8], size: UInt64) {
    let fd = try FileSystem.open(path, O_RDONLY | O_NONBLOCK)
    defer { close(fd) }
    let hasher = try VaultCrypto.Hasher()
    var size: UInt64 = 0
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let n = try buffer.withUnsafeMutableBytes { try FileSystem.readFull(fd, into: $0, path: path) }
      if n == 0 { break }
      buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0.prefix(n))) }
      size += UInt64(n)
    }
    return (hasher.finalize(), size)
  }

  /// Copies `source` to a new file `target` (0600, fsynced), returning the BLAKE2b-256 of what was copied.
  static func copy(_ source: String, to target: String) throws -> [UInt8] {
    let src = try FileSystem.open(source, O_RDONLY | O_NONBLOCK)
    defer { close(src) }
    let dst = try FileSystem.open(target, O_WRONLY | O_CREAT | O_EXCL)
    defer { close(dst) }
    let hasher = try VaultCrypto.Hasher()
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let n = try buffer.withUnsafeMutableBytes { try FileSystem.readFull(src, into: $0, path: source) }
      if n == 0 { break }
      try buffer.withUnsafeBytes { b in
        let chunk = UnsafeRawBufferPointer(rebasing: b.prefix(n))
        hasher.update(chunk)
        try FileSystem.writeAll(dst, chunk, path: target)
      }
    }
    try FileSystem.sync(dst, path: target)
    return hasher.finalize()
  }

  /// Every blob id present.
  func blobs() throws -> [String] {
    try FileSystem.list(filesDir).flatMap { sub in ((try? FileSystem.list("\(filesDir)/\(sub)")) ?? []) }
  }
}
