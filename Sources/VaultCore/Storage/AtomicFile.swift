#if canImport(Glibc)
  import Glibc
#endif
import VaultCrypto

/// Durable, all-or-nothing file creation: write a temporary file, fsync it, rename it into
/// place, fsync the directory. A crash at any instant leaves either the old file or the new one.
public enum AtomicFile {
  /// Prefix of every temporary file; anything with it is a leftover of an interrupted write.
  public static let temporaryPrefix = ".tmp-"

  /// Writes `bytes` to `path`, replacing any existing file atomically.
  /// - Parameter temporaryDirectory: where the temporary file is made; must be on the same file system.
  public static func write(_ bytes: [UInt8], to path: String, temporaryDirectory: String? = nil) throws {
    try commit(prepare(bytes, in: temporaryDirectory ?? SystemPath.parent(path)), to: path)
  }

  /// The first half of `write`: `bytes` in a new, fsynced temporary file in `directory`, whose
  /// path is returned for `commit` (or for removal, if the change is abandoned).
  public static func prepare(_ bytes: [UInt8], in directory: String) throws -> String {
    let tmp = try temporaryPath(in: directory)
    do {
      let fd = try FileSystem.open(tmp, O_WRONLY | O_CREAT | O_EXCL)
      defer { close(fd) }
      guard fchmod(fd, FileSystem.fileMode) == 0 else { throw StorageError(path: tmp, operation: "chmod", code: errno) }
      try bytes.withUnsafeBytes { try FileSystem.writeAll(fd, $0, path: tmp) }
      try FileSystem.sync(fd, path: tmp)
    } catch {
      try? FileSystem.remove(tmp)
      throw error
    }
    return tmp
  }

  /// Renames a finished, fsynced temporary file to `path` and makes the rename durable.
  public static func commit(_ temporary: String, to path: String) throws {
    do {
      try FileSystem.rename(temporary, path)
    } catch {
      try? FileSystem.remove(temporary)
      throw error
    }
    try Directories.syncDirectory(SystemPath.parent(path))
  }

  /// A fresh, unused temporary file name in `directory`.
  public static func temporaryPath(in directory: String) throws -> String {
    "\(directory)/\(temporaryPrefix)\(Hex.encode(try Random.bytes(8)))"
  }
}
