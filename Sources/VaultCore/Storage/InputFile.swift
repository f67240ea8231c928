#if canImport(Glibc)
  import Glibc
#endif

/// Reads a file the user names (symlinks followed: it is theirs), bounded to a note's size + 1
/// so that an oversized input is refused without being held in memory.
public enum InputFile {
  public static func read(path: String, limit: Int = NoteText.maximumBytes) throws -> [UInt8] {
    let fd = FileSystem.openUserFile(path, O_RDONLY)
    guard fd >= 0 else { throw VaultError.io(path: path, reason: "cannot open it: \(String(cString: strerror(errno)).lowercased())") }
    defer { close(fd) }
    var st = stat()
    if fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFDIR { throw VaultError.io(path: path, reason: "it is a directory, not a file") }
    return try read(fd: fd, what: path, limit: limit)
  }

  public static func read(fd: Int32, what: String, limit: Int = NoteText.maximumBytes) throws -> [UInt8] {
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while out.count <= limit {
      let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
      if n < 0 && errno == EINTR { continue }
      guard n >= 0 else { throw VaultError.io(path: what, reason: "cannot read it: \(String(cString: strerror(errno)).lowercased())") }
      if n == 0 { break }
      out += buf.prefix(n)
    }
    if out.count > limit { throw RecordError.noteTooLarge(source: what, limit: limit) }
    return out
  }
}

