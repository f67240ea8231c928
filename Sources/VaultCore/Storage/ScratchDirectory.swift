#if canImport(Glibc)
  import Glibc
#endif
import CVaultSystem
import VaultCrypto

/// A private directory in RAM (tmpfs) for the one plaintext file vault ever lets out of its
/// encryption: the note an editor is working on. It is 0700, named `vault-edit-<pid>-<hex>`,
/// and wiped (every file overwritten with zeros, then removed) when the edit ends; a guardian
/// process wipes it if vault is killed, and the next edit sweeps any a dead process left.
public struct ScratchDirectory: Sendable {
  /// The directory's absolute path.
  public let path: String

  static let prefix = "vault-edit-"

  /// Creates a new scratch directory under `$XDG_RUNTIME_DIR`, else `/dev/shm`, whichever is
  /// first RAM-backed, after sweeping the leftovers of dead processes there.
  /// - Throws: `VaultError.noPrivateScratch` when neither is on tmpfs.
  public static func create(environment: [String: String]) throws -> ScratchDirectory {
    let candidates = [environment["XDG_RUNTIME_DIR"], "/dev/shm"].compactMap { $0 }.filter { $0.hasPrefix("/") }
    guard let base = candidates.first(where: isRAMBacked) else {
      throw VaultError.noPrivateScratch
    }
    sweep(base)
    let path = "\(base)/\(prefix)\(getpid())-\(Hex.encode(try Random.bytes(8)))"
    guard mkdir(path, 0o700) == 0 else { throw StorageError(path: path, operation: "mkdir", code: errno) }
    return ScratchDirectory(path: path)
  }

  /// A directory this process may wipe: only names of our own form, so a guardian started with
  /// a hostile argument cannot be turned into a general-purpose deleter.
  public init?(existing path: String) {
    let name = path.split(separator: "/").last.map(String.init) ?? ""
    guard path.hasPrefix("/"), name.hasPrefix(Self.prefix), !path.contains("/../") else { return nil }
    self.path = path
  }

  private init(path: String) { self.path = path }

  /// Creates `name` inside the directory with `contents` (0600, must not exist).
  public func create(_ name: String, contents: [UInt8]) throws -> String {
    let file = "\(path)/\(name)"
    let fd = try FileSystem.open(file, O_WRONLY | O_CREAT | O_EXCL)
    defer { close(fd) }
    try contents.withUnsafeBytes { try FileSystem.writeAll(fd, $0, path: file) }
    return file
  }

  /// Overwrites every file with zeros and removes the directory; missing is fine.
  public func wipe() {
    Self.wipe(path)
  }

  private static func wipe(_ dir: String) {
    guard let d = opendir(dir) else { return }
    var names: [String] = []
    while let e = readdir(d) {
      let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      if name != "." && name != ".." { names.append(name) }
    }
    closedir(d)
    for name in names {
      let p = "\(dir)/\(name)"
      var st = stat()
      guard lstat(p, &st) == 0 else { continue }
      switch st.st_mode & S_IFMT {
      case S_IFDIR: wipe(p)
      case S_IFREG:
        overwrite(p, size: Int(st.st_size))
        unlink(p)
      default: unlink(p)
      }
    }
    rmdir(dir)
  }

  private static func overwrite(_ file: String, size: Int) {
    let fd = Glibc.open(file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { return }
    defer { close(fd) }
    let zeros = [UInt8](repeating: 0, count: 1 << 16)
    var left = size
    while left > 0 {
      let n = zeros.withUnsafeBytes { write(fd, $0.baseAddress!, min(left, $0.count)) }
      guard n > 0 else { break }
      left -= n
    }
    fsync(fd)
  }

  /// Removes scratch directories whose process is gone (vault and its guardian both killed).
  static func sweep(_ base: String) {
    for name in (try? Directories.list(base)) ?? [] where name.hasPrefix(prefix) {
      let pid = name.dropFirst(prefix.count).split(separator: "-").first.flatMap { Int32($0) }
      var st = stat()
      guard let pid, lstat("\(base)/\(name)", &st) == 0, st.st_uid == getuid(), st.st_mode & S_IFMT == S_IFDIR else { continue }
      if kill(pid, 0) != 0 && errno == ESRCH { wipe("\(base)/\(name)") }
    }
  }

  static func isRAMBacked(_ path: String) -> Bool { vault_is_ram_backed(path) == 1 }

  /// The guardian's work (`EditorSession`): waits until the editing process closes the pipe on
  /// fd 3 (by finishing, crashing or being killed), then wipes the directory. Hangups and
  /// Ctrl-C aimed at the session do not stop it.
  public func guardUntilClosed() {
    for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { signal(s, SIG_IGN) }
    var byte: UInt8 = 0
    while true {
      let n = read(3, &byte, 1)
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
    }
    wipe()
  }
}
