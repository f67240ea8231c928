#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Thin, errno-checked wrappers over the POSIX calls the vault relies on.
///
/// Foundation's FileManager hides fsync and file modes, both of which the format's
/// crash-safety and privacy promises depend on, so storage talks to the kernel directly.
public enum FileSystem {
  /// Mode of every directory the vault creates, whatever the umask.
  public static let directoryMode: mode_t = 0o700
  /// Mode of every file the vault creates, whatever the umask.
  public static let fileMode: mode_t = 0o600

  /// Opens `path` with `flags`, retrying on EINTR. A final symlink is refused (O_NOFOLLOW):
  /// someone who can write the vault directory must not redirect a write to another file.
  public static func open(_ path: String, _ flags: Int32, mode: mode_t = fileMode) throws -> Int32 {
    while true {
      let fd = Glibc.open(path, flags | O_CLOEXEC | O_NOFOLLOW, mode)
      if fd >= 0 { return fd }
      if errno == EINTR { continue }
      throw StorageError(path: path, operation: "open", code: errno)
    }
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
    return Array(out.prefix(n))
  }

  /// fsync, reporting failure: a write whose fsync failed may not be on disk.
  public static func sync(_ fd: Int32, path: String) throws {
    guard fsync(fd) == 0 else { throw StorageError(path: path, operation: "fsync", code: errno) }
  }

  /// fsyncs a directory so that a rename or create inside it survives a crash.
  public static func syncDirectory(_ path: String) throws {
    let fd = try open(path, O_RDONLY | O_DIRECTORY)
    defer { close(fd) }
    try sync(fd, path: path)
  }

  /// Creates a directory with mode 0700 (chmod after mkdir, so the umask cannot widen or narrow it).
  public static func makeDirectory(_ path: String) throws {
    if mkdir(path, directoryMode) != 0 {
      let e = errno
      if e == EEXIST && isDirectory(path) { return }
      throw StorageError(path: path, operation: "create directory", code: e)
    }
    guard chmod(path, directoryMode) == 0 else { throw StorageError(path: path, operation: "chmod", code: errno) }
  }

  /// True if `path` exists (without following a final symlink).
  public static func exists(_ path: String) -> Bool {
    var st = stat()
    return lstat(path, &st) == 0
  }

  /// True if `path` is a directory.
  public static func isDirectory(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
  }

  /// The size of a file in bytes.
  public static func size(_ path: String) throws -> Int {
    var st = stat()
    guard stat(path, &st) == 0 else { throw StorageError(path: path, operation: "stat", code: errno) }
    return Int(st.st_size)
  }

  /// The mode bits of `path`.
  public static func mode(_ path: String) throws -> mode_t {
    var st = stat()
    guard lstat(path, &st) == 0 else { throw StorageError(path: path, operation: "stat", code: errno) }
    return st.st_mode & 0o7777
  }

  /// Names in a directory, without "." and "..", sorted; empty if it does not exist.
  public static func list(_ path: String) throws -> [String] {
    guard let dir = opendir(path) else {
      if errno == ENOENT { return [] }
      throw StorageError(path: path, operation: "list", code: errno)
    }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
  }

  /// Removes a file; a missing file is not an error.
  public static func remove(_ path: String) throws {
    if unlink(path) != 0 && errno != ENOENT { throw StorageError(path: path, operation: "remove", code: errno) }
  }

  /// Renames `from` to `to` atomically (both in the vault, so on one file system).
  public static func rename(_ from: String, _ to: String) throws {
    guard Glibc.rename(from, to) == 0 else { throw StorageError(path: to, operation: "rename into place", code: errno) }
  }

  /// The directory part of a path.
  public static func parent(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }
}
