/// A key as /proc/keys shows it: the kernel's own view of its expiry, to the precision it prints.
public enum KernelKeyState: Equatable, Sendable {
  /// No timeout is set.
  case permanent
  /// Live, expiring within these bounds in seconds (exact below a minute; "9m" is 540...599).
  case expiresIn(ClosedRange<Int64>)
  /// Past its timeout: unreadable by any system call, destroyed by the kernel's collector later.
  case expired
  /// Invalidated or revoked: unreadable, being destroyed.
  case dead

  /// Parses the flags and timeout columns of a /proc/keys line; nil if neither is understood.
  static func parse(flags: Substring, timeout: Substring) -> KernelKeyState? {
    if flags.contains("i") || flags.contains("R") || flags.contains("D") { return .dead }
    switch timeout {
    case "perm": return .permanent
    case "expd": return .expired
    default: break
    }
    guard let unit = timeout.last, let n = Int64(timeout.dropLast()), n >= 0 else { return nil }
    let size: Int64
    switch unit {
    case "s": return .expiresIn(n...n)
    case "m": size = 60
    case "h": size = 3600
    case "d": size = 86_400
    case "w": size = 604_800
    default: return nil
    }
    return .expiresIn(n * size...(n + 1) * size - 1)
  }
}
