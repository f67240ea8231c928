/// Who is acting: the person whose key slot unlocked the vault, or "system" for keyless work.
///
/// The access log records `name` with every entry. Roles (what this actor may do, and for which
/// clients) are decided in one place, `AccessPolicy`, from this value.
public struct Actor: Sendable, Equatable {
  /// The name the log records (the label of the key slot that unlocked).
  public let name: String

  /// An actor named `name`.
  public init(name: String) { self.name = name }

  /// Keyless work: backups, checks, `info`; its log entries are sealed without the key.
  public static let system = Actor(name: LogEntry.system)
}
