// Session/ keeps an unlock session in the Linux kernel keyring (keyrings(7)) and nowhere else:
// the kernel enforces its timeout, so it vanishes even when no vault process runs. Nothing here
// writes to disk, and no message ever contains the secret.

import Glibc

/// Why the kernel keyring cannot hold an unlock session here.
public enum KeyringUnavailability: Equatable, Sendable {
  /// VAULT_KEYRING=off in the environment.
  case turnedOff
  /// The kernel has no key management (ENOSYS).
  case notSupported
  /// The system refused the call (EPERM or EACCES: a seccomp filter, a security module, a container).
  case refused(code: Int32)
  /// This user's key quota is used up (EDQUOT; see /proc/key-users).
  case quotaExceeded
}

/// A failure of the kernel keyring or of an unlock session kept in it; every message says what to do.
public enum KeyringError: Error, Equatable, Sendable, CustomStringConvertible {
  /// No session can be kept here; the caller asks for the passphrase instead.
  case unavailable(KeyringUnavailability)
  /// The bytes stored for this vault are not a valid session (never shown: only why they were rejected).
  case damagedSession(String)
  /// A session that cannot be started as given (a field out of range, or already past its end).
  case invalidSession(String)
  /// Any other refusal of a keyring call.
  case failed(operation: String, code: Int32)

  /// The sentence shown to the user.
  public var description: String {
    let fallback = "vault will ask for the passphrase on every command"
    switch self {
    case .unavailable(.turnedOff):
      return "unlock sessions are turned off (VAULT_KEYRING=off); \(fallback)"
    case .unavailable(.notSupported):
      return "the kernel keyring is not available here (this kernel has no key management); \(fallback)"
    case .unavailable(.refused(let code)):
      return "the kernel keyring is not available here (access refused: \(Self.reason(code)); containers often block it); \(fallback)"
    case .unavailable(.quotaExceeded):
      return "the kernel keyring is full for this user (key quota reached, see /proc/key-users); "
        + "run `vault lock` for vaults not in use, or \(fallback)"
    case .damagedSession(let why):
      return "the unlock session for this vault in the kernel keyring is damaged (\(why)); run `vault lock`, then `vault unlock` again"
    case .invalidSession(let why):
      return "cannot start an unlock session: \(why)"
    case .failed(let operation, let code):
      return "the kernel keyring refused to \(operation): \(Self.reason(code)); run `vault lock` and try again, or work without a session"
    }
  }

  /// The error for errno `code` after `operation`: unavailability where the keyring itself is out of reach.
  static func from(errno code: Int32, operation: String) -> KeyringError {
    switch code {
    case ENOSYS: .unavailable(.notSupported)
    case EPERM, EACCES: .unavailable(.refused(code: code))
    case EDQUOT: .unavailable(.quotaExceeded)
    default: .failed(operation: operation, code: code)
    }
  }

  private static func reason(_ code: Int32) -> String { String(cString: strerror(code)).lowercased() }
}
