/// Who is acting: the practitioner whose key slot unlocked the vault, `recovery`, or `system` for keyless work.
///
/// The access log records `name` (and the practitioner's id) with every entry. What this actor
/// may do, and for which clients, is decided in one place, `AccessPolicy`, from this value.
public struct Actor: Sendable, Equatable {
  /// The name the log records.
  public let name: String
  /// Their role (owners for a vault without practitioners, and for the recovery key).
  public let role: Role
  /// Their id in the registry (nil without a registry, for the recovery key and for `system`).
  public let practitioner: RandomID?

  /// An actor named `name`.
  public init(name: String, role: Role = .owner, practitioner: RandomID? = nil) {
    self.name = name
    self.role = role
    self.practitioner = practitioner
  }

  /// Keyless work: backups, checks, `info`; its log entries are sealed without the key.
  public static let system = Actor(name: LogEntry.system)

  /// Whether this is the recovery key.
  public var isRecovery: Bool { name == "recovery" && practitioner == nil }
}
