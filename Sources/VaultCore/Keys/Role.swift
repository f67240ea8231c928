/// What a practitioner may do (docs/ROLES.md has the table, command by command).
///
/// The role decides which keys a practitioner receives (FORMAT.md §17), so most of it is enforced
/// by cryptography; `AccessPolicy` checks it too, first, for a clear refusal.
public enum Role: UInt8, Sendable, CaseIterable, CustomStringConvertible {
  /// Everything: every client, the log, practitioners and keys. Holds the master key.
  case owner = 1
  /// The clients assigned to them, and nothing of anyone else's.
  case clinician = 2
  /// Reads the clients of the clinicians they supervise; writes nothing clinical.
  case supervisor = 3
  /// The access log, the accounting of disclosures, consent status and reports: no clinical content.
  case auditor = 4

  /// The name people type (`--role clinician`).
  public var description: String {
    switch self {
    case .owner: "owner"
    case .clinician: "clinician"
    case .supervisor: "supervisor"
    case .auditor: "auditor"
    }
  }

  /// Parses a role name (case-insensitive).
  public init?(name: String) {
    guard let role = Role.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
    self = role
  }

  /// Whether this role receives clients' own keys (a grant of the client key, not only the register key).
  var readsClinicalContent: Bool { self != .auditor }
}
