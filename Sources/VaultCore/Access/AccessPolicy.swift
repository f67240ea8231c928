/// The one place that decides whether an actor may perform an action (on a client).
///
/// Roles are enforced twice: by keys (a clinician holds no key for an unassigned client, an
/// auditor none for clinical content, FORMAT.md §17) and here, first, for a clear refusal that
/// names the rule. docs/ROLES.md is this table in prose; a test keeps the two the same.
enum AccessPolicy {
  /// The roles that may perform each action (`system`, keyless work, is checked by mode alone).
  static func roles(for action: Action) -> Set<Role> {
    let everyone = Set(Role.allCases)
    let clinical: Set<Role> = [.owner, .clinician]
    let readers: Set<Role> = [.owner, .clinician, .supervisor]
    switch action {
    // Keyless work, what everyone does to their own key or session, and reports whose clients
    // the keys limit (a clinician's cover only the clients they hold).
    case .info, .verify, .logHead, .backup, .unlockFailed, .keyChange, .sessionStart, .sessionEnd, .practitionerList, .formList,
      .practiceShow, .clientLookup, .consentList, .consentCheck, .disclosuresRead, .exportPending:
      return everyone
    case .clientAdd, .clientUpdate, .clientDischarge, .noteAdd, .noteEdit, .noteSign, .noteAmend, .consentAdd, .consentRevoke,
      .consentGet, .disclosure, .exportRequest, .export:
      return clinical
    case .clientShow, .clientList, .noteShow, .noteList, .search, .consentShow, .notePrint, .clientSummary:
      return readers
    case .logRead, .logVerify:
      return [.owner, .auditor]
    case .noteReadAll, .clientImport, .formAdd, .practiceSet, .recoveryRotate, .practitionerAdd, .practitionerRemove, .practitionerRename,
      .practitionerSupervise, .clientAssign, .clientUnassign, .emergencyAccess:
      return [.owner]
    }
  }

  /// Throws unless `actor` may perform `action` (on `client`). Asked before any work, also for
  /// the checks a command makes before a person starts typing. Which clients a practitioner
  /// reaches is decided by the keys they hold (`Records.allClients`); keyed `verify` reads every
  /// client, so it is an owner's.
  static func check(_ actor: Actor, _ action: Action, client: ClientCode?) throws(AccessError) {
    guard actor != .system else { return }
    if action == .verify, actor.role != .owner {
      throw .roleRefused(name: actor.name, role: actor.role, what: "a keyed 'vault verify' (it decrypts every client)", allowed: [.owner])
    }
    let allowed = roles(for: action)
    guard allowed.contains(actor.role) else {
      throw .roleRefused(name: actor.name, role: actor.role, what: "'\(action.rawValue)'", allowed: Role.allCases.filter(allowed.contains))
    }
  }

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
  /// The actor's role may not do this at all.
  case roleRefused(name: String, role: Role, what: String, allowed: [Role])
  /// The client is not assigned to the actor (and the actor holds no key for them).
  case notAssigned(client: String, name: String)
  /// Only an owner (or the recovery key) can do this.
  case ownerRequired
  /// No practitioner has this name.
  case unknownPractitioner(String, known: [String])
  /// A practitioner already has this name.
  case practitionerExists(String)
  /// Removing or demoting this practitioner would leave the practice without an owner.
  case lastOwner(String)
  /// `--role` named no role.
  case unknownRole(String)
  /// Clients cannot be assigned to a practitioner of this role.
  case cannotAssign(name: String, role: Role)
  /// The client is already assigned to this practitioner.
  case alreadyAssigned(client: String, name: String)
  /// The client is not assigned to this practitioner, so there is nothing to take back.
  case notAssignedTo(client: String, name: String)
  /// A client's key file holds at most this many epochs (each removal of access adds one).
  case tooManyEpochs(maximum: Int)
  /// A client's key file holds at most this many grants.
  case tooManyGrants(maximum: Int)
  /// A supervisor must have the supervisor role.
  case notASupervisor(String)
}

extension AccessError: CustomStringConvertible {
  /// What happened and what to do.
  public var description: String {
    switch self {
    case .notOpenedFor(let action, let mode):
      "'\(action.rawValue)' needs the vault opened for \(action.mode), but it was opened for \(mode); please report this"
    case .notUnlocked:
      "this needs the vault unlocked, but it was opened without a key; please report this"
    case .roleRefused(let name, let role, let what, let allowed):
      "\(name) is \(role.article) \(role): \(what) is for \(Self.list(allowed.map { "\($0)s" })) only (see docs/ROLES.md)"
    case .notAssigned(let client, let name):
      "client \(client) is not assigned to \(name), whose key cannot open their record; an owner can assign it ('vault client assign \(client) --to \(name)') or grant emergency access ('vault emergency \(client) --to \(name) --reason …')"
    case .ownerRequired:
      "only an owner of the practice (or the recovery key) can do this; ask an owner, or unlock as one with --as NAME"
    case .unknownPractitioner(let name, let known):
      "no practitioner is named '\(name)'" + (known.isEmpty ? "" : " (the practice has: \(known.joined(separator: ", ")))") + "; see 'vault practitioner list'"
    case .practitionerExists(let name):
      "a practitioner named '\(name)' already exists; choose another name, or 'vault practitioner rename' the existing one"
    case .lastOwner(let name):
      "\(name) is the practice's last owner: add another owner first ('vault practitioner add NAME --role owner'), so that someone can still manage the practice"
    case .unknownRole(let text):
      "'\(text)' is not a role; use one of: \(Role.allCases.map(\.description).joined(separator: ", "))"
    case .cannotAssign(let name, let role):
      "\(name) is \(role.article) \(role), and clients are assigned only to clinicians\(role == .owner ? " (owners hold every client's key already)" : role == .supervisor ? " (a supervisor reads the clients of the clinicians they supervise)" : role == .auditor ? " (an auditor never receives clinical content)" : "")"
    case .alreadyAssigned(let client, let name):
      "client \(client) is already assigned to \(name)"
    case .notAssignedTo(let client, let name):
      "client \(client) is not assigned to \(name), so there is nothing to take back"
    case .tooManyEpochs(let maximum):
      "this client's key has been replaced \(maximum - 1) times, the most a key file holds (FORMAT.md §17.4), so nobody can lose access to this client any more; keep the assignment, and see OPERATIONS.md, \"When someone leaves\""
    case .tooManyGrants(let maximum):
      "at most \(maximum) practitioners can hold one client's key; unassign someone first"
    case .notASupervisor(let name):
      "\(name) is not a supervisor; add them with --role supervisor, or choose a supervisor"
    }
  }
}

extension AccessError {
  /// "a", "a and b", "a, b and c".
  static func list(_ items: [String]) -> String {
    items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
  }
}

extension Role {
  /// "a" or "an", for messages.
  var article: String { self == .owner || self == .auditor ? "an" : "a" }
}
