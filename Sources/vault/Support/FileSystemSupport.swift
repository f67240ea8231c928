import Foundation
import VaultCore

#if canImport(Glibc)
  import Glibc
#endif

/// The few file operations the CLI does itself (outside the vault): default parents, private output files.
enum FileSystemSupport {
  /// Creates the missing parents of the default vault path (e.g. ~/.local/share) with mode 0700.
  static func createParents(of path: String) throws {
    let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
    guard !FileManager.default.fileExists(atPath: parent) else { return }
    do {
      try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch {
      throw VaultError.io("cannot create \(parent)")
    }
  }

  /// Writes a new file with mode 0600 that must not exist yet (O_EXCL), durably.
  static func writeNewPrivateFile(_ path: String, contents: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw VaultError.io("cannot create \(path): \(String(cString: strerror(errno)).lowercased())") }
    defer { close(fd) }
    let bytes = Array(contents.utf8)
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
    guard written == bytes.count, fsync(fd) == 0 else { throw VaultError.io("cannot write \(path)") }
  }
}
