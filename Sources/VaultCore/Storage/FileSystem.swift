#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import CVaultSystem
import Foundation

/// Thin, errno-checked wrappers over the POSIX calls the vault relies on.
///
/// Foundation's FileManager hides fsync and file modes, both of which the format's
/// crash-safety and privacy promises depend on, so storage talks to the kernel directly.
///
/// **Confinement.** A vault, a backup repository and their staging directories are *confined*
/// (`confine`): every path beneath one is resolved by the kernel from the directory's descriptor
/// with no symlink followed at any level (openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS),
/// so a `log/` or `objects/xx/` replaced by a symlink fails with ELOOP instead of redirecting a
/// write outside. Paths elsewhere (a file to import, an output file) only refuse a final symlink.
/// Paths are bytes: see `SystemPath`.
public enum FileSystem {
  /// Mode of every directory the vault creates, whatever the umask.
  public static let directoryMode: mode_t = 0o700
  /// Mode of every file the vault creates, whatever the umask.
  public static let fileMode: mode_t = 0o600

  private final class Roots: @unchecked Sendable {
    let lock = NSLock()
    var paths = Set<String>()
  }
  private static let roots = Roots()

  /// From now on, no path beneath `root` is reached through a symlink (the root itself may be).
  public static func confine(_ root: String) {
    roots.lock.withLock { _ = roots.paths.insert(root) }
  }

  /// The confined root `path` lies beneath and the rest of the path, if any.
  static func confinement(of path: String) -> (root: String, relative: String)? {
    roots.lock.withLock {
      guard !roots.paths.isEmpty else { return nil }
      if roots.paths.contains(path) { return (path, "") }
      var end = path.endIndex
      while let slash = path[..<end].lastIndex(of: "/") {
        let root = String(path[..<slash])
        if roots.paths.contains(root) { return (root, String(path[path.index(after: slash)...])) }
        end = slash
      }
      return nil
    }
  }

  /// One open attempt: confined paths beneath their root, others with O_NOFOLLOW on the last part.
  static func openOnce(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    if let (root, relative) = confinement(of: path) {
      return SystemPath.withCString(root) { r in SystemPath.withCString(relative) { vault_open_beneath(r, $0, flags, mode) } }
    }
    return SystemPath.withCString(path) { Glibc.open($0, flags | O_CLOEXEC, mode) }
  }

  /// open(2) on a file the user named (a symlink is followed: the path is theirs), with the
  /// path's own bytes; -1 with errno on failure. Beneath a confined root the rules still hold.
  public static func openUserFile(_ path: String, _ flags: Int32, mode: mode_t = fileMode) -> Int32 {
    while true {
      let fd = openOnce(path, flags, mode)
      if fd >= 0 || errno != EINTR { return fd }
    }
  }

  /// Gives the file `existing` a second name `new` in the same file system; never replaces.
  public static func hardLink(_ existing: String, _ new: String) throws {
    let source = try openDirectory(SystemPath.parent(existing), vault_O_PATH)
    defer { close(source) }
    let e = try atParent(new) { dir, name in
      SystemPath.withCString(SystemPath.lastComponent(existing)) { linkat(source, $0, dir, name, 0) } == 0 ? 0 : errno
    }
    guard e == 0 else { throw StorageError(path: new, operation: "link into place", code: e) }
  }

  /// Opens `path` with `flags`, retrying on EINTR. A symlink is refused (a final one anywhere,
  /// any at all beneath a confined root): whoever can write the vault directory must not
  /// redirect a read or write to another file.
  public static func open(_ path: String, _ flags: Int32, mode: mode_t = fileMode) throws -> Int32 {
    while true {
      let fd = openOnce(path, flags | O_NOFOLLOW, mode)
      if fd >= 0 { return fd }
      if errno == EINTR { continue }
      throw StorageError(path: path, operation: "open", code: errno)
    }
  }

  /// Opens a directory: beneath a confined root without any symlink; elsewhere (the parent of a
  /// vault, a backup disk's mount point) following symlinks, as the user's own paths may use them.
  static func openDirectory(_ path: String, _ flags: Int32) throws -> Int32 {
    while true {
      let fd = openOnce(path, flags | O_DIRECTORY, 0)
      if fd >= 0 { return fd }
      if errno == EINTR { continue }
      throw StorageError(path: path, operation: "open", code: errno)
    }
  }

  /// Runs `body` with a descriptor of `path`'s directory and its last component: every
  /// operation on a name (create a directory, remove, rename, link, stat) goes through here.
  static func atParent<T>(_ path: String, _ body: (Int32, UnsafePointer<CChar>) -> T) throws -> T {
    let dir = try openDirectory(SystemPath.parent(path), vault_O_PATH)
    defer { close(dir) }
    return SystemPath.withCString(SystemPath.lastComponent(path)) { body(dir, $0) }
  }

  /// Writes all of `buffer` to `fd`.
  public static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws {
    var off = 0
    while off < buffer.count {
      let n = Glibc.write(fd, buffer.baseAddress! + off, buffer.count - off)
      if n < 0 {
        if errno == EINTR { continue }
        throw StorageError(path: path, operation: "write", code: errno)
      }
      off += n
    }
  }

  /// Reads up to `buffer.count` bytes, filling the buffer unless end of file comes first.
  public static func readFull(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
    var off = 0
    while off < buffer.count {
      let n = Glibc.read(fd, buffer.baseAddress! + off, buffer.count - off)
      if n < 0 {
        if errno == EINTR { continue }
        throw StorageError(path: path, operation: "read", code: errno)
      }
      if n == 0 { break }
      off += n
    }
    return off
  }

  /// Reads a whole file of at most `limit` bytes (files on disk are untrusted: a huge one is refused).
  public static func readFile(_ path: String, limit: Int = 64 << 20) throws -> [UInt8] {
    // O_NONBLOCK so a FIFO planted in the vault cannot hang an unattended job; it is then refused.
    let fd = try open(path, O_RDONLY | O_NONBLOCK)
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw StorageError(path: path, operation: "stat", code: errno) }
    guard (st.st_mode & S_IFMT) == S_IFREG else { throw StorageError(path: path, operation: "read (not a regular file)", code: EINVAL) }
    guard Int(st.st_size) <= limit else { throw StorageError(path: path, operation: "read (file too large)", code: EFBIG) }
    var out = [UInt8](repeating: 0, count: Int(st.st_size))
    let n = try out.withUnsafeMutableBytes { try readFull(fd, into: $0, path: path) }
    if n < out.count { out.removeLast(out.count - n) }
    return out
  }

  /// fsync, reporting failure: a write whose fsync failed may not be on disk.
  public static func sync(_ fd: Int32, path: String) throws {
    guard fsync(fd) == 0 else { throw StorageError(path: path, operation: "fsync", code: errno) }
  }

  /// The status of `path` itself (a final symlink is reported, never followed).
  static func status(_ path: String) throws -> stat {
    var st = stat()
    let e = try atParent(path) { fstatat($0, $1, &st, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno }
    guard e == 0 else { throw StorageError(path: path, operation: "stat", code: e) }
    return st
  }

  /// Removes a file; a missing file is not an error.
  public static func remove(_ path: String) throws {
    let e = try atParent(path) { unlinkat($0, $1, 0) == 0 ? 0 : errno }
    if e != 0 && e != ENOENT { throw StorageError(path: path, operation: "remove", code: e) }
  }

  /// Renames `from` to `to` atomically (both in the vault, so on one file system).
  public static func rename(_ from: String, _ to: String) throws {
    let source = try openDirectory(SystemPath.parent(from), vault_O_PATH)
    defer { close(source) }
    let e = try atParent(to) { dir, name in
      SystemPath.withCString(SystemPath.lastComponent(from)) { renameat(source, $0, dir, name) } == 0 ? 0 : errno
    }
    guard e == 0 else { throw StorageError(path: to, operation: "rename into place", code: e) }
  }

  /// Names the unnamed file `fd` (O_TMPFILE) `path`; false if `path` already exists.
  public static func link(_ fd: Int32, to path: String) throws -> Bool {
    let e = try atParent(path) { vault_link_tmpfile_at(fd, $0, $1) == 0 ? 0 : errno }
    if e == EEXIST { return false }
    guard e == 0 else { throw StorageError(path: path, operation: "link into place", code: e) }
    return true
  }

  /// Opens an unnamed file (O_TMPFILE, mode 0600) in `directory`, or nil where the file system
  /// cannot: it has no name until `link`, so a process killed while writing it leaves nothing.
  public static func openUnnamed(in directory: String) throws -> Int32? {
    while true {
      let fd = openOnce(directory, O_WRONLY | vault_O_TMPFILE, fileMode)
      if fd >= 0 { return fd }
      switch errno {
      case EINTR: continue
      case EOPNOTSUPP, EISDIR, EINVAL: return nil
      default: throw StorageError(path: directory, operation: "create a file in", code: errno)
      }
    }
  }

}

/// Directories, through the same confinement as `FileSystem`.
public enum Directories {
  /// fsyncs a directory so that a rename or create inside it survives a crash.
  public static func syncDirectory(_ path: String) throws {
    let fd = try FileSystem.openDirectory(path, O_RDONLY)
    defer { close(fd) }
    try FileSystem.sync(fd, path: path)
  }

  /// Creates a directory with mode 0700 (chmod after mkdir, so the umask cannot widen or narrow it).
  public static func makeDirectory(_ path: String) throws {
    let made = try FileSystem.atParent(path) { mkdirat($0, $1, FileSystem.directoryMode) == 0 ? 0 : errno }
    if made != 0 {
      if made == EEXIST && FileStatus.isDirectory(path) { return }
      throw StorageError(path: path, operation: "create directory", code: made)
    }
    let fd = try FileSystem.openDirectory(path, O_RDONLY)
    defer { close(fd) }
    guard fchmod(fd, FileSystem.directoryMode) == 0 else { throw StorageError(path: path, operation: "chmod", code: errno) }
  }

  /// Names in a directory, without "." and "..", sorted; empty if it does not exist.
  public static func list(_ path: String) throws -> [String] {
    var names: [String] = []
    try read(path) { _, _, name in names.append(name) }
    return names.sorted()
  }

  /// Entries of a directory with whether each is a real directory (never a symlink to one),
  /// from the directory's own records where the file system keeps the type (no stat per entry);
  /// without "." and "..", sorted; empty if the directory does not exist.
  public static func listEntries(_ path: String) throws -> [(name: String, isDirectory: Bool)] {
    var entries: [(name: String, isDirectory: Bool)] = []
    try read(path) { dir, entry, name in
      // DT_DIR is 4, DT_UNKNOWN 0 (a file system that does not say: ask fstatat, no symlink followed).
      let type = entry.pointee.d_type
      let isDirectory: Bool
      if type == 0 {
        var st = stat()
        isDirectory = SystemPath.withCString(name) { fstatat(dirfd(dir), $0, &st, AT_SYMLINK_NOFOLLOW) } == 0 && st.st_mode & S_IFMT == S_IFDIR
      } else {
        isDirectory = type == 4
      }
      entries.append((name, isDirectory))
    }
    return entries.sorted { $0.name < $1.name }
  }

  /// Calls `body` with each entry of a directory but "." and ".." (nothing if it does not exist).
  private static func read(_ path: String, _ body: (OpaquePointer, UnsafeMutablePointer<dirent>, String) -> Void) throws {
    let fd: Int32
    do { fd = try FileSystem.openDirectory(path, O_RDONLY) } catch let e as StorageError where e.isNotFound { return }
    guard let dir = fdopendir(fd) else {
      let e = errno
      close(fd)
      throw StorageError(path: path, operation: "list", code: e)
    }
    defer { closedir(dir) }
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in SystemPath.string(fromBytes: raw.prefix(while: { $0 != 0 })) }
      if name != "." && name != ".." { body(dir, entry, name) }
    }
  }

  /// Removes an empty directory; a missing one is not an error.
  public static func removeDirectory(_ path: String) throws {
    let e = try FileSystem.atParent(path) { unlinkat($0, $1, AT_REMOVEDIR) == 0 ? 0 : errno }
    if e != 0 && e != ENOENT { throw StorageError(path: path, operation: "remove directory", code: e) }
  }

  /// Removes `path` and everything beneath it, never following a symlink out of it.
  public static func removeTree(_ path: String) {
    if let st = try? FileSystem.status(path), st.st_mode & S_IFMT == S_IFDIR {
      for name in (try? list(path)) ?? [] { removeTree("\(path)/\(name)") }
      try? removeDirectory(path)
    } else {
      try? FileSystem.remove(path)
    }
  }
}

/// What is at a path, through the same confinement as `FileSystem` (nothing is opened for reading).
public enum FileStatus {
  /// The file type bits (S_IFREG, S_IFDIR, S_IFLNK, ...) of `path` itself, or nil if it does not exist.
  public static func type(_ path: String) -> mode_t? {
    (try? FileSystem.status(path)).map { $0.st_mode & S_IFMT }
  }

  /// True if `path` exists (without following a final symlink).
  public static func exists(_ path: String) -> Bool { (try? FileSystem.status(path)) != nil }

  /// True when `fd` is a terminal.
  public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

  /// True if `path` is a directory: beneath a confined root, a real one (not a symlink to one);
  /// elsewhere (a backup disk's mount point, the parent of a new vault) symlinks are followed.
  public static func isDirectory(_ path: String) -> Bool {
    if FileSystem.confinement(of: path) != nil { return (try? FileSystem.status(path)).map { $0.st_mode & S_IFMT == S_IFDIR } ?? false }
    var st = stat()
    return SystemPath.withCString(path) { stat($0, &st) } == 0 && (st.st_mode & S_IFMT) == S_IFDIR
  }

  /// True if `path` itself is a symbolic link.
  public static func isSymbolicLink(_ path: String) -> Bool {
    (try? FileSystem.status(path)).map { $0.st_mode & S_IFMT == S_IFLNK } ?? false
  }

  /// The size of a regular file in bytes.
  public static func size(_ path: String) throws -> Int {
    let st = try FileSystem.status(path)
    guard st.st_mode & S_IFMT != S_IFLNK else { throw StorageError(path: path, operation: "stat", code: ELOOP) }
    return Int(st.st_size)
  }

  /// The mode bits of `path`.
  public static func mode(_ path: String) throws -> mode_t {
    try FileSystem.status(path).st_mode & 0o7777
  }
}
