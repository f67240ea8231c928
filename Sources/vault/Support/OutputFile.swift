import Foundation
import VaultCore

#if canImport(Glibc)
  import Glibc
#endif

/// A decrypted file the user asked for, written so that it appears whole or not at all: into a
/// private temporary file beside the target (O_EXCL, 0600), renamed over it only once every
/// chunk and the object's end checks passed. An existing target needs `force`; a symbolic
/// link is never followed or replaced.
final class OutputFile {
  let path: String
  private let temporary: String
  private var fd: Int32
  private var done = false

  init(_ path: String, force: Bool) throws {
    var st = stat()
    if lstat(path, &st) == 0 {
      switch st.st_mode & S_IFMT {
      case S_IFLNK: throw VaultError.invalidArgument("\(path) is a symbolic link; give the path of a real file (vault never writes through a link)")
      case S_IFDIR: throw VaultError.invalidArgument("\(path) is a directory; give a file name, e.g. \(path)/consent.pdf")
      case S_IFREG: if !force { throw VaultError.invalidArgument("\(path) already exists; choose another name, or add --force to replace it") }
      default: throw VaultError.invalidArgument("\(path) exists and is not a regular file")
      }
    }
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent().path
    temporary = "\(dir)/.\(url.lastPathComponent).vault-\(UInt32.random(in: .min ... .max))"
    fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw VaultError.io(path: path, reason: "cannot create it: \(String(cString: strerror(errno)).lowercased())") }
    self.path = path
  }

  /// Appends bytes.
  func write(_ bytes: UnsafeRawBufferPointer) throws {
    var off = 0
    while off < bytes.count {
      let n = Glibc.write(fd, bytes.baseAddress! + off, bytes.count - off)
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { throw VaultError.io(path: path, reason: "cannot write it: \(String(cString: strerror(errno)).lowercased())") }
      off += n
    }
  }

  /// Makes the file durable and puts it in place.
  func commit() throws {
    guard fsync(fd) == 0 else { throw VaultError.io(path: path, reason: "cannot write it (disk full?)") }
    close(fd)
    fd = -1
    guard rename(temporary, path) == 0 else { throw VaultError.io(path: path, reason: "cannot rename the finished file into place") }
    done = true
  }

  deinit {
    if fd >= 0 { close(fd) }
    // Also when decryption failed half way: a partial or unauthenticated file must not remain.
    if !done { unlink(temporary) }
  }
}
