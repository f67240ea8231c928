/// The one place that decides whether an actor may perform an action (on a client).
///
/// Today a vault has one practitioner, who may do everything the way the practice was opened
/// allows; practitioners and roles add their rules here, and every room asks here first.
enum AccessPolicy {
  /// Throws unless `actor` may perform `action` (on `client`). Asked before any work, also for
  /// the checks a command makes before a person starts typing.
  static func check(_ actor: Actor, _ action: Action, client: ClientCode?) throws(AccessError) {}

  /// Throws unless a practice opened for `mode` can perform `action` (a caller's mistake, not the user's).
  static func check(_ action: Action, in mode: Practice.Mode) throws(AccessError) {
    guard action.mode <= mode else { throw .notOpenedFor(action, mode) }
  }
}

/// A refusal by the access layer.
public enum AccessError: Error, Equatable, Sendable {
  /// The practice was opened for less than the action needs (a programming error in a caller).
  case notOpenedFor(Action, Practice.Mode)
  /// Work that needs the key was asked of a practice opened without one (a caller's mistake).
  case notUnlocked
}

extension AccessError: CustomStringConvertible {
  /// What happened and what to do.
  public var description: String {
    switch self {
    case .notOpenedFor(let action, let mode):
      "'\(action.rawValue)' needs the vault opened for \(action.mode), but it was opened for \(mode); please report this"
    case .notUnlocked:
      "this needs the vault unlocked, but it was opened without a key; please report this"
    }
  }
}
