// Storage/ owns bytes on disk: durable atomic writes, permissions, the writer lock and the
// object store. It handles keys only to pass them to VaultCrypto's secretstream for objects;
// it never derives, stores or wraps one.

import Glibc

/// A failed system call on a vault path; VaultError turns it into a message for the user.
public struct StorageError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The path the operation was about.
  public let path: String
  /// What was being done ("open", "fsync", "rename", ...).
  public let operation: String
  /// errno at the time of failure.
  public let code: Int32

  /// Records a failure.
  public init(path: String, operation: String, code: Int32) {
    self.path = path
    self.operation = operation
    self.code = code
  }

  /// True when the file or directory does not exist.
  public var isNotFound: Bool { code == ENOENT }
  /// True when the disk (or quota) is full.
  public var isNoSpace: Bool { code == ENOSPC || code == EDQUOT }

  /// "cannot fsync /path: No space left on device"
  public var description: String {
    "cannot \(operation) \(path): \(String(cString: strerror(code)).lowercased())"
  }
}
