import CVaultSystem
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A decrypted file the user asked for, written so that it appears whole or not at all. The
/// bytes go into an unnamed file (O_TMPFILE, 0600) in the target's directory, which gets its
/// name only once every chunk and the object's end checks passed, so an interrupted or failed
/// extraction leaves nothing behind, even on SIGKILL. Without `force` the name is taken only
/// if nothing holds it by then (link(2) never replaces); with `force` an existing regular file is
/// replaced atomically. A symbolic link is never followed or replaced. On file systems without
/// O_TMPFILE, a named temporary file is used and removed on SIGINT, SIGTERM and SIGHUP.
public final class OutputFile {
  /// Where the file gets its name.
  public let path: String
  private let force: Bool
  private let directory: String
  private var fd: Int32
  /// The fallback's named temporary file.
  private var named: String?
  private var done = false

  /// Starts the file that will be named `path` (replacing a regular file only when `force`).
  public init(_ path: String, force: Bool) throws {
    try Self.checkTarget(path, force: force)
    directory = SystemPath.parent(path)
    self.path = path
    self.force = force
    let unnamed: Int32?
    do { unnamed = try FileSystem.openUnnamed(in: directory) } catch let e as StorageError {
      throw VaultError.io(path: path, reason: "cannot create it: \(String(cString: strerror(e.code)).lowercased())")
    }
    fd = unnamed ?? -1
    if unnamed == nil {
      let temporary = Self.temporaryName(in: directory, for: SystemPath.lastComponent(path))
      vault_unlink_on_signal(temporary)
      fd = FileSystem.openUserFile(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600)
      guard fd >= 0 else {
        vault_unlink_on_signal(nil)
        throw VaultError.io(path: path, reason: "cannot create it: \(String(cString: strerror(errno)).lowercased())")
      }
      named = temporary
    }
  }

  /// Appends bytes.
  public func write(_ bytes: UnsafeRawBufferPointer) throws { try Self.writeAll(fd, bytes, what: path) }

  /// Makes the file durable and gives it its name.
  public func commit() throws {
    guard fsync(fd) == 0 else { throw VaultError.io(path: path, reason: "cannot write it (disk full?)") }
    // Checked again: the target may have appeared or changed while the document was decrypted.
    try Self.checkTarget(path, force: force)
    do {
      if let named {
        if force { try FileSystem.rename(named, path) } else { try FileSystem.hardLink(named, path) }
        try? FileSystem.remove(named)
      } else if force {
        let staged = Self.temporaryName(in: directory, for: SystemPath.lastComponent(path))
        guard try FileSystem.link(fd, to: staged) else { throw StorageError(path: path, operation: "link", code: EEXIST) }
        do { try FileSystem.rename(staged, path) } catch {
          try? FileSystem.remove(staged)
          throw error
        }
      } else {
        guard try FileSystem.link(fd, to: path) else { throw StorageError(path: path, operation: "link", code: EEXIST) }
      }
    } catch let e as StorageError { throw failure(e.code) }
    done = true
    try? Directories.syncDirectory(directory)
  }

  deinit {
    close(fd)
    if let named, !done { try? FileSystem.remove(named) }
    if named != nil { vault_unlink_on_signal(nil) }
  }

  private func failure(_ code: Int32) -> VaultError {
    code == EEXIST
      ? .targetAppeared(path: path)
      : .io(path: path, reason: "cannot put the finished file in place: \(String(cString: strerror(code)).lowercased())")
  }

  private static func checkTarget(_ path: String, force: Bool) throws {
    guard let type = FileStatus.type(path) else { return }
    switch type {
    case S_IFLNK: throw VaultError.targetIsLink(path: path)
    case S_IFDIR: throw VaultError.targetIsDirectory(path: path)
    case S_IFREG: if !force { throw VaultError.targetExists(path: path) }
    default: throw VaultError.targetNotRegular(path: path)
    }
  }

  private static func temporaryName(in directory: String, for name: String) -> String {
    "\(directory)/.\(name).vault-\(UInt64.random(in: .min ... .max))"
  }

  /// Writes all of `bytes` to `fd`.
  public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, what: String) throws {
    var off = 0
    while off < bytes.count {
      let n = Glibc.write(fd, bytes.baseAddress! + off, bytes.count - off)
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { throw VaultError.io(path: what, reason: "cannot write it: \(String(cString: strerror(errno)).lowercased())") }
      off += n
    }
  }
}
