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
  /// The vault has more objects than one snapshot manifest of this format can list.
  case tooManyObjects(Int)

  public var description: String {
    switch self {
    case .notARepository(let p): "\(p) is not empty and is not a vault backup; choose an empty directory or an existing backup"
    case .otherVault(let p): "\(p) holds the backups of another vault; give each vault its own backup directory"
    case .notWritable(let p, let why): "the backup destination \(p) is not writable (\(why)); check that the disk is mounted and has space"
    case .unknownSnapshot(let id): "there is no snapshot '\(id)'; see 'vault backup list'"
    case .noSnapshots: "the backup has no snapshot yet; run 'vault backup --to DEST' first"
    case .targetExists(let p): "\(p) already exists; restore into a new directory (vault never overwrites a vault)"
    case .tooManyObjects(let n):
      "the vault holds \(n) objects, more than one snapshot of this backup format can list; nothing was written. Until a release that stores backups in pack files, copy the vault directory off-site with rsync or restic (it holds only ciphertext)"
    case .emptyPolicy: "give at least one --keep-daily, --keep-weekly, --keep-monthly or --keep-yearly (prune would otherwise delete every snapshot)"
    }
  }
}

/// A backup repository: immutable, content-addressed copies of a vault's objects and files,
/// and one manifest per snapshot (FORMAT.md §16), kept in a `BlobStore` (a local directory; the
/// layout is the same in any store). Anyone can check it without a key.
public struct BackupRepository: Sendable {
  /// Where it is (the directory of a local repository).
  public let root: String
  /// Where its blobs live.
  public let store: any BlobStore

  static let markerName = BlobName(unchecked: "vault-backup")
  static let lockName = BlobName(unchecked: "lock")
  static let tmpFolder = BlobName(unchecked: "tmp")
  static let snapshotsFolder = BlobName(unchecked: "snapshots")
  static let filesFolder = BlobName(unchecked: "files")
  static let objectsFolder = BlobName(unchecked: "objects")
  /// Present while a backup or prune is changing the repository: one that finds it knows an
  /// earlier run was interrupted and left objects or blobs that no snapshot names.
  static let unfinishedName = BlobName(unchecked: "tmp/unfinished")

  var marker: String { store.path(of: Self.markerName) }
  var tmp: String { store.path(of: Self.tmpFolder) }
  var snapshotsDir: String { store.path(of: Self.snapshotsFolder) }
  var filesDir: String { store.path(of: Self.filesFolder) }
  /// The copies of the vault's objects, named and checked as in a vault.
  public var objects: ObjectStore { ObjectStore(backend: store, folder: Self.objectsFolder) }

  /// The repository in the directory `root` (not checked; see `open` and `create`).
  public init(root: String) {
    var r = root
    while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
    self.init(store: LocalBlobStore(root: r, temporaryDirectory: "\(r)/tmp"))
  }

  /// The repository in `store` (not checked).
  public init(store: any BlobStore) {
    self.store = store
    root = store.location
  }

  /// Opens the repository at `root` for `vault`, creating it in a missing or empty directory.
  public static func openOrCreate(_ root: String, for vault: RandomID) throws -> BackupRepository {
    let repo = BackupRepository(root: root)
    if FileStatus.exists(repo.marker) {
      try repo.check(vault: vault)
      try repo.makeDirectories()
      return repo
    }
    if FileStatus.exists(root) {
      // Empty, or holding only the temporary file of a creation that was interrupted.
      let entries = (try? Directories.list(root)) ?? ["?"]
      guard FileStatus.isDirectory(root), entries.allSatisfy({ $0.hasPrefix(AtomicFile.temporaryPrefix) }) else {
        throw BackupError.notARepository(root)
      }
      for name in entries { try? FileSystem.remove("\(root)/\(name)") }
    } else {
      do { try Directories.makeDirectory(root) } catch let e as StorageError {
        throw BackupError.notWritable(root, String(cString: strerror(e.code)).lowercased())
      }
    }
    do {
      // The marker comes first, atomically: a creation killed at any point leaves either an
      // empty directory (give or take a temporary file) or a repository. Its temporary file is
      // made beside it, since tmp/ does not exist yet.
      let bare = LocalBlobStore(root: repo.root, temporaryDirectory: nil)
      try bare.put(Self.markerName, bytes: ChecksummedFile.encode(.backupRepository, body: vault.bytes))
      try repo.makeDirectories()
    } catch let e as StorageError {
      throw BackupError.notWritable(root, String(cString: strerror(e.code)).lowercased())
    }
    return repo
  }

  /// Opens an existing repository, checking its marker.
  public static func open(_ root: String) throws -> (BackupRepository, RandomID) {
    let repo = BackupRepository(root: root)
    guard repo.store.exists(Self.markerName) else { throw BackupError.notARepository(root) }
    return try open(repo)
  }

  /// Opens the repository in `repo`'s store, checking its marker.
  public static func open(_ repo: BackupRepository) throws -> (BackupRepository, RandomID) {
    guard repo.store.exists(Self.markerName) else { throw BackupError.notARepository(repo.root) }
    let body = try ChecksummedFile.decode(.backupRepository, try repo.store.get(Self.markerName, limit: 4096))
    // A creation killed right after the marker left no subdirectories: they are empty by definition.
    try? repo.makeDirectories()
    return (repo, try RandomID(bytes: body))
  }

  func check(vault: RandomID) throws {
    let (_, owner) = try Self.open(self)
    guard owner == vault else { throw BackupError.otherVault(root) }
  }

  func makeDirectories() throws {
    do {
      if store is LocalBlobStore && !FileStatus.isDirectory(root) { try Directories.makeDirectory(root) }
      for folder in [Self.tmpFolder, Self.snapshotsFolder, Self.filesFolder, Self.objectsFolder] { try store.makeFolder(folder) }
    } catch let e as StorageError {
      throw BackupError.notWritable(root, String(cString: strerror(e.code)).lowercased())
    }
  }

  /// Takes the repository's lock (backup and prune are exclusive; list and verify shared).
  public func lock(_ mode: VaultLock.Mode, wait: Double = 0) throws -> any BlobLock {
    try store.lock(Self.lockName, mode, wait: wait)
  }

  var unfinishedMarker: String { store.path(of: Self.unfinishedName) }

  /// Removes leftovers of interrupted runs: temporary files, and, if a run was interrupted, the
  /// objects and blobs no snapshot names. Call under the exclusive lock; returns how many went.
  @discardableResult
  public func reclaimLeftovers() throws -> Int {
    var removed = 0
    let interrupted = store.exists(Self.unfinishedName)
    for entry in (try? store.list(Self.tmpFolder)) ?? [] where entry.name != Self.unfinishedName.lastComponent {
      guard let name = try? Self.tmpFolder.appending(entry.name) else { continue }
      try? store.delete(name)
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
      // A stray that is not a blob id was never written by a backup: verify reports it.
      guard let name = try? blobName(hex) else { continue }
      try store.delete(name)
      removed += 1
    }
    try store.delete(Self.unfinishedName)
    return removed
  }

  /// Marks the repository as being changed (durably, before the first change).
  func markUnfinished() throws {
    guard !store.exists(Self.unfinishedName) else { return }
    try store.put(Self.unfinishedName, bytes: [])
  }

  /// The run finished: every object and blob it wrote is named by a snapshot, or was meant to go.
  func clearUnfinished() { try? store.delete(Self.unfinishedName) }

  // MARK: Snapshots

  /// The names in snapshots/, sorted (oldest first).
  func snapshotNames() throws -> [String] {
    try store.list(Self.snapshotsFolder).map(\.name).sorted()
  }

  /// Calls `body` with each readable snapshot, oldest first, one in memory at a time; returns
  /// the names of damaged manifests.
  public func forEachSnapshot(_ body: (Snapshot) throws -> Void) throws -> [String] {
    var damaged: [String] = []
    for name in try snapshotNames() {
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
    for name in try snapshotNames().reversed() {
      if let s = try? snapshot(name) { return s }
    }
    return nil
  }

  /// Every snapshot at once (listing and retention need them together; checking does not).
  public func snapshots() throws -> (snapshots: [Snapshot], damaged: [String]) {
    var out: [Snapshot] = []
    var damaged: [String] = []
    for name in try snapshotNames() {
      do { out.append(try snapshot(name)) } catch { damaged.append(name) }
    }
    return (out, damaged)
  }

  /// The snapshot named `id`.
  public func snapshot(_ id: String) throws -> Snapshot {
    guard !id.contains("/"), let name = try? Self.snapshotsFolder.appending(id), store.exists(name) else {
      throw BackupError.unknownSnapshot(id)
    }
    let body = try ChecksummedFile.decode(.backupSnapshot, try store.get(name, limit: Snapshot.maximumFileSize))
    let s: Snapshot
    do { s = try JSONDecoder().decode(Snapshot.self, from: Data(body)) } catch {
      // The checksum is unkeyed: a manifest edited and re-summed must still be damage, not a crash.
      throw FormatError.invalidField("snapshot \(id) is not a valid manifest")
    }
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
      throw BackupError.tooManyObjects(snapshot.objects.count)
    }
    try store.put(try Self.snapshotsFolder.appending(snapshot.id), bytes: try ChecksummedFile.encode(.backupSnapshot, body: body))
  }

  func removeSnapshot(_ id: String) throws {
    try store.delete(try Self.snapshotsFolder.appending(id), durable: true)
  }

  // MARK: Blobs (the vault's small files)

  /// The name of the blob `hex` (a 64-digit hex id): `files/xx/<hex>`.
  func blobName(_ hex: String) throws -> BlobName {
    guard ObjectID(hex: hex) != nil else { throw FormatError.invalidField("a blob id is not a 64-digit hex id") }
    return BlobName(unchecked: "files/\(hex.prefix(2))/\(hex)")
  }

  func blobPath(_ hex: String) -> String { store.path(of: (try? blobName(hex)) ?? Self.filesFolder) }

  /// Stores the file at `source` as a blob unless present; returns its id and size. Streamed in
  /// 1 MiB blocks (a decade's access log is hundreds of MB): hashed first, copied only if new,
  /// and the copy hashed again, so a file that changed in between is refused, not stored wrong.
  func putBlob(copying source: String) throws -> (id: String, size: UInt64) {
    let (digest, size) = try Self.hash(source)
    let hex = Hex.encode(digest)
    let name = try blobName(hex)
    if store.exists(name) { return (hex, size) }
    let writer = try store.makeWriter()
    do {
      let copied = try Self.copy(source, to: writer)
      guard copied == digest else { throw FormatError.invalidField("\(source) changed while it was backed up") }
      try writer.commit(as: name, mode: .contentAddressed, durable: true)
    } catch {
      writer.abandon()
      throw error
    }
    return (hex, size)
  }

  /// Keyless check that a blob's bytes hash to its name.
  func checkBlob(_ hex: String) throws {
    let reader = try store.open(try blobName(hex))
    guard Hex.encode(try Self.hash(reader, path: blobPath(hex)).digest) == hex else {
      throw FormatError.invalidField("blob \(hex.prefix(12))… does not match its name")
    }
  }

  /// Copies a blob to `target` (through a temporary file in `temporaryDirectory`), checking it against its name.
  func restoreBlob(_ hex: String, to target: String, temporaryDirectory: String) throws {
    let reader = try store.open(try blobName(hex))
    let tmpPath = try AtomicFile.temporaryPath(in: temporaryDirectory)
    do {
      let dst = try FileSystem.open(tmpPath, O_WRONLY | O_CREAT | O_EXCL)
      defer { close(dst) }
      let hasher = try VaultCrypto.Hasher()
      var buffer = [UInt8](repeating: 0, count: max(1, min(1 << 20, reader.size)))
      while true {
        let n = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
        if n == 0 { break }
        try buffer.withUnsafeBytes { b in
          let chunk = UnsafeRawBufferPointer(rebasing: b.prefix(n))
          hasher.update(chunk)
          try FileSystem.writeAll(dst, chunk, path: tmpPath)
        }
      }
      try FileSystem.sync(dst, path: tmpPath)
      guard Hex.encode(hasher.finalize()) == hex else {
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

  /// BLAKE2b-256 and size of a blob, read in blocks of up to 1 MiB.
  static func hash(_ reader: any BlobReader, path: String) throws -> (digest: [UInt8], size: UInt64) {
    let hasher = try VaultCrypto.Hasher()
    var size: UInt64 = 0
    var buffer = [UInt8](repeating: 0, count: max(1, min(1 << 20, reader.size)))
    while true {
      let n = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
      if n == 0 { break }
      buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0.prefix(n))) }
      size += UInt64(n)
    }
    return (hasher.finalize(), size)
  }

  /// Streams the file `source` into `writer`, returning the BLAKE2b-256 of what was copied.
  static func copy(_ source: String, to writer: any BlobWriter) throws -> [UInt8] {
    let src = try FileSystem.open(source, O_RDONLY | O_NONBLOCK)
    defer { close(src) }
    let hasher = try VaultCrypto.Hasher()
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let n = try buffer.withUnsafeMutableBytes { try FileSystem.readFull(src, into: $0, path: source) }
      if n == 0 { break }
      try buffer.withUnsafeBytes { b in
        let chunk = UnsafeRawBufferPointer(rebasing: b.prefix(n))
        hasher.update(chunk)
        try writer.write(chunk)
      }
    }
    return hasher.finalize()
  }

  /// Every blob id present (the names in files/xx/ folders; checked by whoever uses them).
  func blobs() throws -> [String] {
    try store.list(Self.filesFolder).flatMap { sub -> [String] in
      guard let folder = try? Self.filesFolder.appending(sub.name) else { return [] }
      return ((try? store.list(folder)) ?? []).map(\.name)
    }
  }
}
