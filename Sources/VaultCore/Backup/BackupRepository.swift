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
  /// A remote location that cannot be used as given (malformed, no credentials, no bucket).
  case remote(S3Error)

  public var description: String {
    switch self {
    case .notARepository(let p): "\(p) is not empty and is not a vault backup; choose an empty directory or an existing backup"
    case .otherVault(let p): "\(p) holds the backups of another vault; give each vault its own backup directory"
    case .notWritable(let p, let why): "the backup destination \(p) is not writable (\(why)); check that the disk is mounted and has space"
    case .unknownSnapshot(let id): "there is no snapshot '\(id)'; see 'vault backup list'"
    case .noSnapshots: "the backup has no snapshot yet; run 'vault backup --to DEST' first"
    case .targetExists(let p): "\(p) already exists; restore into a new directory (vault never overwrites a vault)"
    case .remote(let e): e.description
    case .emptyPolicy: "give at least one --keep-daily, --keep-weekly, --keep-monthly or --keep-yearly (prune would otherwise delete every snapshot)"
    }
  }
}

/// A backup repository (FORMAT.md §16): a vault's objects and files packed into content-addressed
/// pack files, index files that say where each is, and one manifest per snapshot, kept in any
/// `BlobStore` (a local directory, an S3 bucket). Anyone can check it without a key.
///
/// Repositories of the first layout (one loose file per object, revision 0 of the marker) are
/// read as they are; the first backup or prune converts them to packs (§16.5).
public struct BackupRepository: Sendable {
  /// Where it is (the directory of a local repository, the URL of a remote one).
  public let root: String
  /// Where its blobs live.
  public let store: any BlobStore
  /// The marker's layout revision: 0 loose copies (first layout), 1 packs.
  public internal(set) var revision: UInt8 = currentRevision

  /// The layout this release writes.
  static let currentRevision: UInt8 = 1

  static let markerName = BlobName(unchecked: "vault-backup")
  static let lockName = BlobName(unchecked: "lock")
  static let tmpFolder = BlobName(unchecked: "tmp")
  static let snapshotsFolder = BlobName(unchecked: "snapshots")
  static let packsFolder = BlobName(unchecked: "packs")
  static let indexFolder = BlobName(unchecked: "index")
  /// The first layout's loose copies: vault files, and objects.
  static let filesFolder = BlobName(unchecked: "files")
  static let objectsFolder = BlobName(unchecked: "objects")

  /// The first layout's object copies, named and checked as in a vault.
  var looseObjects: ObjectStore { ObjectStore(backend: store, folder: Self.objectsFolder) }

  /// The repository in the local directory `root` (not checked; see `open` and `openOrCreate`).
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

  var isLocal: Bool { store is LocalBlobStore }

  /// Opens the repository in `store` for `vault`, creating it when the store is empty (a local
  /// directory: missing or empty).
  public static func openOrCreate(_ store: any BlobStore, for vault: RandomID) throws -> BackupRepository {
    var repo = BackupRepository(store: store)
    if store.exists(Self.markerName) {
      repo = try open(repo).0
      guard try repo.vaultID() == vault else { throw BackupError.otherVault(repo.root) }
      try repo.makeFolders()
      return repo
    }
    let root = repo.root
    if store is LocalBlobStore {
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
    } else if try store.list(nil).contains(where: { $0.name != Self.lockName.rawValue }) {
      // Lock objects of a run starting at the same moment are not content.
      throw BackupError.notARepository(root)
    }
    do {
      // The marker comes first, atomically: a creation killed at any point leaves either an
      // empty directory (give or take a temporary file) or a repository. Its temporary file is
      // made beside it, since tmp/ does not exist yet.
      let bare = (store as? LocalBlobStore).map { LocalBlobStore(root: $0.root, temporaryDirectory: nil) as any BlobStore } ?? store
      try bare.put(Self.markerName, bytes: Self.marker(vault))
      try repo.makeFolders()
    } catch let e as StorageError where store is LocalBlobStore {
      throw BackupError.notWritable(root, String(cString: strerror(e.code)).lowercased())
    }
    return repo
  }

  /// Opens the repository in the local directory `root` for `vault`, creating it when missing or empty.
  public static func openOrCreate(_ root: String, for vault: RandomID) throws -> BackupRepository {
    try openOrCreate(BackupRepository(root: root).store, for: vault)
  }

  /// The marker's bytes for a repository of the current layout.
  static func marker(_ vault: RandomID) throws -> [UInt8] {
    try ChecksummedFile.encode(.backupRepository, revision: currentRevision, body: vault.bytes)
  }

  /// Opens an existing local repository, checking its marker.
  public static func open(_ root: String) throws -> (BackupRepository, RandomID) {
    try open(BackupRepository(root: root))
  }

  /// Opens the repository in `repo`'s store, checking its marker.
  public static func open(_ repo: BackupRepository) throws -> (BackupRepository, RandomID) {
    guard repo.store.exists(Self.markerName) else { throw BackupError.notARepository(repo.root) }
    var opened = repo
    let (revision, body) = try ChecksummedFile.decode(
      .backupRepository, try repo.store.get(Self.markerName, limit: 4096), revisions: 0...currentRevision)
    opened.revision = revision
    // A creation killed right after the marker left no subdirectories: they are empty by definition.
    try? opened.makeFolders()
    return (opened, try RandomID(bytes: body))
  }

  func vaultID() throws -> RandomID {
    try RandomID(bytes: try ChecksummedFile.decode(.backupRepository, try store.get(Self.markerName, limit: 4096), revisions: 0...Self.currentRevision).body)
  }

  func makeFolders() throws {
    do {
      if let local = store as? LocalBlobStore, !FileStatus.isDirectory(local.root) { try Directories.makeDirectory(local.root) }
      let folders = revision == 0 ? [Self.tmpFolder, Self.snapshotsFolder, Self.filesFolder, Self.objectsFolder] : [Self.tmpFolder, Self.snapshotsFolder, Self.packsFolder, Self.indexFolder]
      for folder in folders { try store.makeFolder(folder) }
    } catch let e as StorageError {
      throw BackupError.notWritable(root, String(cString: strerror(e.code)).lowercased())
    }
  }

  /// Takes the repository's lock (backup and prune are exclusive; list, verify and restore shared).
  public func lock(_ mode: VaultLock.Mode, wait: Double = 0) throws -> any BlobLock {
    try store.lock(Self.lockName, mode, wait: wait)
  }

  // MARK: Names

  /// The name of pack `id`: `packs/<hex>`.
  static func packName(_ id: ObjectID) -> BlobName { BlobName(unchecked: "packs/\(id.hex)") }

  /// The name of a first-layout file copy: `files/xx/<hex>`.
  static func looseFileName(_ id: ObjectID) -> BlobName {
    let hex = id.hex
    return BlobName(unchecked: "files/\(hex.prefix(2))/\(hex)")
  }

  /// The packs present, and names in packs/ that are not pack ids.
  func listPacks() throws -> (packs: [ObjectID], strays: [String]) {
    var packs: [ObjectID] = []
    var strays: [String] = []
    for entry in try store.list(Self.packsFolder) {
      if !entry.isFolder, let id = ObjectID(hex: entry.name) { packs.append(id) } else { strays.append(entry.name) }
    }
    return (packs, strays)
  }

  /// The first layout's file copies (names checked by whoever uses them).
  func looseFiles() throws -> [String] {
    try store.list(Self.filesFolder).flatMap { sub -> [String] in
      guard let folder = try? Self.filesFolder.appending(sub.name) else { return [] }
      return ((try? store.list(folder)) ?? []).map(\.name)
    }
  }

  // MARK: Index

  /// Reads every index file (or, in the first layout, lists the loose copies). Returns the
  /// index and the names of index files that cannot be read (damage: their packs are unknown).
  func loadIndex() throws -> (index: RepositoryIndex, damaged: [String]) {
    var index = RepositoryIndex()
    var damaged: [String] = []
    if revision == 0 {
      for id in try looseObjects.list().objects { index.addLoose(.object, id) }
      for hex in try looseFiles() { if let id = ObjectID(hex: hex) { index.addLoose(.data, id) } }
      return (index, [])
    }
    for entry in try store.list(Self.indexFolder) {
      guard let name = try? Self.indexFolder.appending(entry.name), !entry.isFolder else {
        damaged.append(entry.name)
        continue
      }
      do {
        for p in try RepositoryIndex.decode(try store.get(name, limit: RepositoryIndex.maximumFileSize), name: entry.name) { index.add(pack: p.id, p.trailer) }
        index.files.append(name)
      } catch {
        damaged.append(entry.name)
      }
    }
    return (index, damaged)
  }

  /// Stores an index file naming `packs`, durably; returns its name.
  @discardableResult
  func writeIndex(_ packs: [(id: ObjectID, trailer: PackTrailer)]) throws -> BlobName? {
    guard !packs.isEmpty else { return nil }
    let bytes = RepositoryIndex.encode(packs)
    let name = try Self.indexFolder.appending(Hex.encode(try Hasher.blake2b256(bytes)))
    try store.put(name, bytes: bytes, mode: .contentAddressed, durable: true)
    return name
  }

  /// A reader of the entry at `location`, checked against `id` by the caller.
  func open(_ id: ObjectID, at location: PackLocation, index: RepositoryIndex) throws -> any BlobReader {
    guard let pack = location.pack else {
      return try store.open(location.kind == .object ? looseObjects.name(for: id) : Self.looseFileName(id))
    }
    let reader = try store.open(Self.packName(pack))
    guard UInt64(reader.size) == index.packs[pack]?.packSize else { throw FormatError.invalidField("pack \(pack.hex.prefix(12))… is not the size its index says") }
    try EntryReader(reader, length: location.offset).skipRest()
    return EntryReader(reader, length: location.length)
  }

  /// The whole of a data entry (a snapshot's object list), checked against its id.
  func data(_ id: ObjectID, index: RepositoryIndex, limit: Int) throws -> [UInt8] {
    guard let location = index.locations[id] else { throw FormatError.invalidField("data \(id.hex.prefix(12))… is missing") }
    let reader = try open(id, at: location, index: index)
    guard reader.size <= limit || location.pack == nil else { throw FormatError.invalidField("data \(id.hex.prefix(12))… is larger than \(limit) bytes") }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let n = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
      if n == 0 { break }
      out += buffer.prefix(n)
      guard out.count <= limit else { throw FormatError.invalidField("data \(id.hex.prefix(12))… is larger than \(limit) bytes") }
    }
    guard try Hasher.blake2b256(out) == id.bytes else { throw FormatError.invalidField("data \(id.hex.prefix(12))… does not match its name") }
    return out
  }

  // MARK: Leftovers

  /// Removes leftovers of interrupted runs: temporary files, the packs no index names (a
  /// backup, prune or conversion killed before its index was stored), and the loose copies a
  /// conversion killed after its marker left. Nothing is deleted while an index file is
  /// damaged: it may name any pack. Call under the exclusive lock, which every writer holds, so
  /// no pack is on its way to an index meanwhile. Returns how many went.
  @discardableResult
  public func reclaimLeftovers() throws -> Int {
    var removed = 0
    for entry in (try? store.list(Self.tmpFolder)) ?? [] {
      guard let name = try? Self.tmpFolder.appending(entry.name) else { continue }
      try? store.delete(name)
      removed += 1
    }
    guard revision == Self.currentRevision else { return removed }
    let (index, damaged) = try loadIndex()
    guard damaged.isEmpty else { return removed }
    // A pack is stored whole or not at all, and names itself (its id is the hash of its
    // trailer): one no index names is indexed again when its trailer proves it whole (an index
    // lost or deleted by hand loses nothing), and deleted only when it does not.
    var recovered: [(id: ObjectID, trailer: PackTrailer)] = []
    var broken: [ObjectID] = []
    for id in try listPacks().packs where index.packs[id] == nil {
      if let trailer = try? trailer(ofPack: id) { recovered.append((id, trailer)) } else { broken.append(id) }
    }
    try writeIndex(recovered)
    for id in broken {
      try store.delete(Self.packName(id))
      removed += 1
    }
    return removed + (try removeLooseCopies())
  }

  /// The trailer a pack ends with, if it is whole: it hashes to the pack's id and gives the
  /// pack's size. Read front to back (a pack is read whole by every check anyway).
  func trailer(ofPack id: ObjectID) throws -> PackTrailer {
    let reader = try store.open(Self.packName(id))
    // The end of the pack, up to 4 MiB: a trailer of 100,000 entries.
    let keep = min(reader.size, 4 << 20)
    var tail = [UInt8](repeating: 0, count: keep)
    try EntryReader(reader, length: UInt64(reader.size - keep)).skipRest()
    let n = try tail.withUnsafeMutableBytes { try EntryReader(reader, length: UInt64(keep)).read(into: $0) }
    guard n == keep, keep >= 4 else { throw FormatError.truncated }
    let length = Int(UInt32(tail[keep - 4]) | UInt32(tail[keep - 3]) << 8 | UInt32(tail[keep - 2]) << 16 | UInt32(tail[keep - 1]) << 24)
    guard length + 4 <= keep else { throw FormatError.truncated }
    let bytes = Array(tail[(keep - 4 - length)..<(keep - 4)])
    let trailer = try PackTrailer.decode(bytes)
    guard try Hasher.blake2b256(bytes) == id.bytes, trailer.packSize == UInt64(reader.size) else {
      throw FormatError.invalidField("pack \(id.hex.prefix(12))… is not whole")
    }
    return trailer
  }

  /// Deletes what a conversion from the first layout left (objects/, files/).
  func removeLooseCopies() throws -> Int {
    var removed = 0
    for id in (try? looseObjects.list().objects) ?? [] {
      try looseObjects.remove(id)
      removed += 1
    }
    for hex in (try? looseFiles()) ?? [] {
      if let id = ObjectID(hex: hex) {
        try store.delete(Self.looseFileName(id))
        removed += 1
      }
    }
    return removed
  }

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
    let (revision, body) = try ChecksummedFile.decode(.backupSnapshot, try store.get(name, limit: Snapshot.maximumFileSize), revisions: 0...1)
    var s: Snapshot
    do { s = try JSONDecoder().decode(Snapshot.self, from: Data(body)) } catch {
      // The checksum is unkeyed: a manifest edited and re-summed must still be damage, not a crash.
      throw FormatError.invalidField("snapshot \(id) is not a valid manifest")
    }
    guard s.id == id else { throw FormatError.invalidField("snapshot \(id) names itself \(s.id)") }
    guard (revision == 0) == (s.objectList == nil), (revision == 0) == (s.objects != nil) else {
      throw FormatError.invalidField("snapshot \(id) mixes the manifest revisions")
    }
    // Names become paths: anything but a 64-digit hex id (a "../" say) is damage, never opened.
    guard s.files.allSatisfy({ ObjectID(hex: $0.blob) != nil }), (s.objects ?? []).allSatisfy({ ObjectID(hex: $0) != nil }),
      s.objectList.map({ ObjectID(hex: $0) != nil }) ?? true
    else {
      throw FormatError.invalidField("snapshot \(id) names a blob or object that is not a 64-digit hex id")
    }
    s.revision = revision
    return s
  }

  /// The objects `snapshot` holds: listed in the manifest (revision 0) or in its object list.
  func objectIDs(of snapshot: Snapshot, index: RepositoryIndex) throws -> [ObjectID] {
    if let objects = snapshot.objects { return objects.compactMap(ObjectID.init(hex:)) }
    guard let hex = snapshot.objectList, let list = ObjectID(hex: hex) else { return [] }
    let bytes = try data(list, index: index, limit: Snapshot.maximumObjectListSize)
    guard bytes.count % 32 == 0, bytes.count / 32 == snapshot.objectCount ?? -1 else {
      throw FormatError.invalidField("snapshot \(snapshot.id)'s object list does not hold \(snapshot.objectCount ?? 0) ids")
    }
    return try stride(from: 0, to: bytes.count, by: 32).map { try ObjectID(bytes: Array(bytes[$0..<($0 + 32)])) }
  }

  func write(_ snapshot: Snapshot) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    let body = Array(try e.encode(snapshot))
    // The object list is its own entry, so a manifest is a few KiB whatever the vault holds.
    guard body.count + FileHeader.size + 32 <= Snapshot.maximumFileSize else {
      throw VaultError.internalError("a snapshot manifest of \(body.count) bytes")
    }
    try store.put(try Self.snapshotsFolder.appending(snapshot.id), bytes: try ChecksummedFile.encode(.backupSnapshot, revision: 1, body: body))
  }

  func removeSnapshot(_ id: String) throws {
    try store.delete(try Self.snapshotsFolder.appending(id), durable: true)
  }

  /// BLAKE2b-256 and size of a file, read in 1 MiB blocks.
  static func hash(_ path: String) throws -> (digest: [UInt8], size: UInt64) {
    let fd = try FileSystem.open(path, O_RDONLY | O_NONBLOCK)
    defer { close(fd) }
    let hasher = try VaultCrypto.Hasher()
    var size: UInt64 = 0
    // Sized to the file (plus one, to see its end in one read): most are a few KiB, and a
    // backup hashes a thousand of them.
    var st = stat()
    let length = fstat(fd, &st) == 0 ? Int(st.st_size) : 1 << 20
    var buffer = [UInt8](repeating: 0, count: max(1, min(1 << 20, length + 1)))
    while true {
      let n = try buffer.withUnsafeMutableBytes { try FileSystem.readFull(fd, into: $0, path: path) }
      if n == 0 { break }
      buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0.prefix(n))) }
      size += UInt64(n)
    }
    return (hasher.finalize(), size)
  }
}
