#if canImport(Glibc)
  import Glibc
#endif
import CVaultSystem
import Foundation

/// A `BlobStore` in a local directory: each blob is a file at `root/name` (mode 0600, folders
/// 0700), reached through `FileSystem`, which confines every path beneath `root` (no symlink is
/// followed below it). The layout is exactly what FORMAT.md describes for a vault's objects and
/// a backup repository: this type adds no file of its own.
///
/// A put streams into an unnamed file (O_TMPFILE) in the temporary directory and gives it its
/// name with linkat once written (fsynced first when durable), so a process killed at any
/// instant leaves nothing; where the file system has no O_TMPFILE, a named `.tmp-` file is
/// renamed into place instead (removed on SIGINT, SIGTERM and SIGHUP, and by the next run's
/// sweep of the temporary directory). A durable put also fsyncs each directory it changed.
public struct LocalBlobStore: BlobStore {
  /// The directory that holds the blobs.
  public let root: String
  /// Where temporary files are made, on the same file system; nil: beside each blob (for a
  /// store whose temporary directory does not exist yet).
  public let temporaryDirectory: String?
  /// False only in tests: write through named temporary files, as on a file system without
  /// O_TMPFILE (vfat, some network file systems).
  let unnamedTemporaries: Bool

  /// The store at `root` (trailing slashes removed); from now on nothing beneath it is reached
  /// through a symlink.
  public init(root: String, temporaryDirectory: String?) {
    self.init(root: root, temporaryDirectory: temporaryDirectory, unnamedTemporaries: true)
  }

  init(root: String, temporaryDirectory: String?, unnamedTemporaries: Bool) {
    var r = root
    while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
    self.root = r
    self.temporaryDirectory = temporaryDirectory
    self.unnamedTemporaries = unnamedTemporaries
    FileSystem.confine(r)
  }

  public var location: String { root }

  public func path(of name: BlobName?) -> String {
    guard let name else { return root }
    return "\(root)/\(name.rawValue)"
  }

  public func put(_ name: BlobName, bytes: [UInt8], mode: PutMode, durable: Bool) throws {
    guard mode == .replace && durable else {
      let w = try makeWriter()
      try bytes.withUnsafeBytes { try w.write($0) }
      return try w.commit(as: name, mode: mode, durable: durable)
    }
    try ensureFolder(name.folder, durable: true)
    let path = path(of: name)
    // The small-file path: a named temporary, fsynced, renamed over, directory fsynced.
    try AtomicFile.write(bytes, to: path, temporaryDirectory: temporaryDirectory ?? SystemPath.parent(path))
  }

  public func makeWriter() throws -> any BlobWriter { try LocalBlobWriter(store: self) }

  public func get(_ name: BlobName, limit: Int) throws -> [UInt8] {
    try FileSystem.readFile(path(of: name), limit: limit)
  }

  public func open(_ name: BlobName) throws -> any BlobReader { try LocalBlobReader(path: path(of: name)) }

  /// `open` with the concrete type, for callers that want the descriptor.
  public func openFile(_ name: BlobName) throws -> LocalBlobReader { try LocalBlobReader(path: path(of: name)) }

  public func list(_ folder: BlobName?) throws -> [BlobEntry] {
    try Directories.listEntries(path(of: folder)).map { BlobEntry(name: $0.name, isFolder: $0.isDirectory) }
  }

  public func delete(_ name: BlobName, durable: Bool) throws {
    let path = path(of: name)
    try FileSystem.remove(path)
    if durable { try Directories.syncDirectory(SystemPath.parent(path)) }
  }

  public func exists(_ name: BlobName) -> Bool { FileStatus.exists(path(of: name)) }

  public func size(_ name: BlobName) throws -> Int { try FileStatus.size(path(of: name)) }

  public func makeFolder(_ folder: BlobName) throws { try ensureFolder(folder, durable: false) }

  public func lock(_ name: BlobName, _ mode: VaultLock.Mode, wait: Double) throws -> any BlobLock {
    try VaultLock(path: path(of: name), mode: mode, wait: wait)
  }

  public func sync() throws {
    guard vault_syncfs(root) == 0 else { throw StorageError(path: root, operation: "syncfs", code: errno) }
  }

  /// Creates `folder` and any missing parent (0700); when `durable`, each new directory's
  /// entry is fsynced too, or a crash could lose a blob with the directory it was put in.
  func ensureFolder(_ folder: BlobName?, durable: Bool) throws {
    guard let folder else { return }
    let path = path(of: folder)
    if FileStatus.isDirectory(path) { return }
    try ensureFolder(folder.folder, durable: durable)
    try Directories.makeDirectory(path)
    if durable { try Directories.syncDirectory(SystemPath.parent(path)) }
  }
}

/// Streams a new blob into a `LocalBlobStore` (see there for how it is made atomic).
final class LocalBlobWriter: BlobWriter {
  private let store: LocalBlobStore
  private let fd: Int32
  /// The named temporary file: where the content is written when the file system has no
  /// O_TMPFILE, and what messages name otherwise.
  private let temporary: String
  private let unnamed: Bool
  private var open = true
  /// True while `temporary` may exist on disk and must be removed if the writer gives up.
  private var named: Bool
  private var finished = false

  init(store: LocalBlobStore) throws {
    self.store = store
    let directory = store.temporaryDirectory ?? store.root
    temporary = try AtomicFile.temporaryPath(in: directory)
    if store.unnamedTemporaries, let fd = try FileSystem.openUnnamed(in: directory) {
      self.fd = fd
      unnamed = true
      named = false
    } else {
      fd = try FileSystem.open(temporary, O_WRONLY | O_CREAT | O_EXCL)
      unnamed = false
      named = true
      SignalCleanup.register(temporary)
    }
    guard fchmod(fd, FileSystem.fileMode) == 0 else {
      let e = errno
      abandon()
      throw StorageError(path: temporary, operation: "chmod", code: e)
    }
  }

  deinit {
    if !finished { abandon() }
  }

  func write(_ bytes: UnsafeRawBufferPointer) throws {
    precondition(!finished, "write after commit")
    try FileSystem.writeAll(fd, bytes, path: temporary)
  }

  func commit(as name: BlobName, mode: PutMode, durable: Bool) throws {
    precondition(!finished, "commit called twice")
    do {
      if durable { try FileSystem.sync(fd, path: temporary) }
      try store.ensureFolder(name.folder, durable: durable)
      let final = store.path(of: name)
      if unnamed && mode == .contentAddressed {
        // A blob already there under this name holds these very bytes: keep it.
        _ = try FileSystem.link(fd, to: final)
        if durable { try Directories.syncDirectory(SystemPath.parent(final)) }
        closeDescriptor()
      } else {
        if unnamed {
          // linkat cannot replace: name the file in the temporary directory, then rename over.
          guard try FileSystem.link(fd, to: temporary) else {
            throw StorageError(path: temporary, operation: "link into place", code: EEXIST)
          }
          named = true
        }
        closeDescriptor()
        if durable { try AtomicFile.commit(temporary, to: final) } else { try FileSystem.rename(temporary, final) }
        named = false
        if !unnamed { SignalCleanup.unregister(temporary) }
      }
      finished = true
    } catch {
      // Also after the descriptor was closed: the temporary file may not have been renamed yet.
      abandon()
      throw error
    }
  }

  func abandon() {
    closeDescriptor()
    if named {
      try? FileSystem.remove(temporary)
      named = false
    }
    if !unnamed && !finished { SignalCleanup.unregister(temporary) }
    finished = true
  }

  private func closeDescriptor() {
    if open {
      close(fd)
      open = false
    }
  }
}

/// Reads a blob of a `LocalBlobStore` straight from its file descriptor (no copy beyond the
/// caller's buffer). Refuses anything but a regular file (a FIFO planted in the store cannot
/// hang a reader; it is opened non-blocking and refused).
public final class LocalBlobReader: BlobReader {
  /// The open file (read-only); closed when the reader is released.
  public let fileDescriptor: Int32
  /// The file's path, for messages.
  public let path: String
  public let size: Int

  init(path: String) throws {
    let fd = try FileSystem.open(path, O_RDONLY | O_NONBLOCK)
    var st = stat()
    guard fstat(fd, &st) == 0 else {
      let e = errno
      close(fd)
      throw StorageError(path: path, operation: "stat", code: e)
    }
    guard st.st_mode & S_IFMT == S_IFREG else {
      close(fd)
      throw StorageError(path: path, operation: "read (not a regular file)", code: EINVAL)
    }
    fileDescriptor = fd
    self.path = path
    size = Int(st.st_size)
  }

  deinit { close(fileDescriptor) }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    try FileSystem.readFull(fileDescriptor, into: buffer, path: path)
  }
}

/// The one temporary file the signal handler removes (CVaultSystem keeps a single path): the
/// first named temporary in progress claims it and only its owner clears it, so concurrent
/// writers (a backup's copy workers) never race on it; what a signal leaves of the others
/// the next run's sweep of the temporary directory removes.
enum SignalCleanup {
  private final class Slot: @unchecked Sendable {
    let lock = NSLock()
    var path: String?
  }
  private static let slot = Slot()

  static func register(_ path: String) {
    slot.lock.withLock {
      guard slot.path == nil else { return }
      slot.path = path
      vault_unlink_on_signal(path)
    }
  }

  static func unregister(_ path: String) {
    slot.lock.withLock {
      guard slot.path == path else { return }
      slot.path = nil
      vault_unlink_on_signal(nil)
    }
  }
}
