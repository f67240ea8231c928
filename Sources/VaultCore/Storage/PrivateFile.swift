import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Files outside the vault a command creates: the default vault's parents.
public enum UserDirectories {
  /// Creates the missing parents of the default vault path (e.g. ~/.local/share) with mode 0700.
  public static func createParents(of path: String) throws {
    let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
    guard !FileManager.default.fileExists(atPath: parent) else { return }
    do {
      try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch {
      throw VaultError.io(path: parent, reason: "cannot create the directory; check the permissions of its parent")
    }
  }
}

/// A new file with mode 0600 that must not exist yet (O_EXCL), made before the data it will hold exists.
public final class PrivateFile {
  /// Its path.
  public let path: String
  private var fd: Int32

  /// Creates `path` (it must not exist).
  public init(creating path: String) throws {
    fd = FileSystem.openUserFile(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600)
    guard fd >= 0 else {
      let why = errno == EEXIST ? "it already exists; choose a new file" : String(cString: strerror(errno)).lowercased()
      throw VaultError.io(path: path, reason: "cannot create the file: \(why)")
    }
    self.path = path
  }

  /// Writes `contents`, fsyncs and closes.
  public func finish(writing contents: String) throws {
    let bytes = Array(contents.utf8)
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
    let synced = fsync(fd) == 0
    close(fd)
    fd = -1
    guard written == bytes.count, synced else { throw VaultError.io(path: path, reason: "cannot write the file (disk full?)") }
  }

  /// Removes the file (the operation it was made for failed).
  public func discard() {
    if fd >= 0 { close(fd) }
    fd = -1
    try? FileSystem.remove(path)
  }

  deinit { if fd >= 0 { close(fd) } }
}
