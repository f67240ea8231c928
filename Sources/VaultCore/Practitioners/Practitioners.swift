import VaultCrypto

/// A practitioner as `vault practitioner list` shows them (docs/JSON.md, "practitioner").
public struct PractitionerSummary: Encodable, Sendable, Equatable {
  /// Stable id (32 hex digits), recorded in the log next to the name.
  public let id: String
  public let name: String
  /// owner, clinician, supervisor or auditor.
  public let role: String
  /// The name of their supervisor, if any.
  public let supervisor: String?
  /// When they were added, ISO 8601 UTC.
  public let added: String
  /// Number of key slots (passphrases) they have.
  public let slots: Int
  /// Clients whose key they hold (for an auditor: whose register); null for owners, who hold every client's.
  public let clients: Int?
}

/// What removing a practitioner did (docs/JSON.md, "practitionerRemoval").
public struct PractitionerRemoval: Encodable, Sendable, Equatable {
  public let name: String
  /// Key slots deleted.
  public let slotsRemoved: Int
  /// Clients that got a new key epoch, so that nothing written from now on is within the removed person's reach.
  public let clientsRekeyed: Int
}

/// What `client assign`, `unassign` and `emergency` did (docs/JSON.md, "assignment").
public struct Assignment: Encodable, Sendable, Equatable {
  public let client: String
  public let practitioner: String
  /// Everyone who now holds the client's data key, besides the owners.
  public let assignedTo: [String]
  /// Whether the client's key was replaced (an unassignment: later writes are out of reach).
  public let newKeyEpoch: Bool
}

/// The practice's people: who they are, their roles, and which clients each may open
/// (docs/ROLES.md). Every change here is an owner's, and re-seals client keys, so that what the
/// registry says and what the keys allow never differ.
public struct Practitioners {
  let practice: Practice

  /// Everyone, in the order they were added (the owners of a vault without a registry: one per passphrase slot).
  public func list() throws -> [PractitionerSummary] {
    try practice.access(.practitionerList) {
      let records = try practice.records
      let registry = try records.currentRegistry()
      var counts: [RandomID: Int] = [:]
      for entry in try practice.unlockedKeys.readIndex().entries where entry.client != .none {
        for g in try records.keyFile(entry.client).grants { counts[g.practitioner, default: 0] += 1 }
      }
      let list = registry.practitioners.map { p in
        PractitionerSummary(
          id: p.id.hex, name: p.name, role: p.role.description, supervisor: p.supervisor.flatMap(registry.practitioner)?.name,
          added: LogEntry.format(seconds: p.added), slots: p.slots.count, clients: p.role == .owner ? nil : counts[p.id] ?? 0)
      }
      return .init(value: list, detail: "\(list.count) practitioner(s)")
    }
  }

  /// Refuses, before anyone types the new practitioner's passphrase, an actor who may not add one.
  public func checkMayAdd() throws { try practice.authorizeAhead(.practitionerAdd, client: nil) }

  /// Adds `name` with `role` and their first passphrase (they change it with `vault passwd`).
  /// An auditor receives every client's register key at once; a clinician, the clients assigned
  /// to them from now on. The first addition moves a format-1 vault to the practice layout.
  public func add(_ name: String, role roleName: String, passphrase: SecureBytes, cost: KDFLevel?, supervisor: String?) throws -> PractitionerSummary {
    guard let role = Role(name: roleName) else { throw AccessError.unknownRole(roleName) }
    return try practice.access(.practitionerAdd) {
      let records = try practice.records
      let unlocked = try practice.unlockedKeys
      var registry = try records.currentRegistry()
      try Self.checkName(name, in: registry)
      try PassphrasePolicy.check(passphrase)
      let sup = try supervisor.map { try Self.supervisor($0, in: registry) }
      try records.moveToPracticeLayout(registry: registry)
      let personal = try PersonalKey(SecretKey.random())
      let id = try RandomID.generate()
      let vault = practice.vault.config.vaultID
      let slot = try KeySlot.create(
        for: .passphrase(passphrase), kind: .personal, label: name, kdf: (cost ?? .moderate).parameters, wrapping: personal.secret, vault: vault,
        now: practice.now)
      let bundle = try StaffBundle(
        registryPublicKey: unlocked.keys.registryPublicKey, ownerPublicKey: unlocked.keys.ownerPublicKey,
        logPublicKey: unlocked.keys.logPublicKey, signingPublicKey: unlocked.keys.signing.publicKey, subkeys: unlocked.keys.bundleSubkeys(for: role)
      ).sealed(for: id, role: role, personal: personal, vault: vault)
      let added = Practitioner(
        id: id, name: name, role: role, supervisor: role == .clinician ? sup?.id : nil, publicKey: personal.publicKey, added: practice.now,
        slots: [slot.id], bundle: bundle)
      try unlocked.replaceWithCommit(practice.vault.layout.slot(slot.id), with: slot.encoded())
      registry.practitioners.append(added)
      registry = try records.write(registry)
      if role == .auditor { try regrantEveryClient(registry: registry) }
      return .init(
        value: summary(added, registry: registry),
        detail: "\(name) added as \(role.article) \(role)\(sup.map { ", supervised by \($0.name)" } ?? "")")
    }
  }

  /// Removes `name`: their slots go, and every client they could open gets a new key epoch, so
  /// nothing written from now on is within their reach (docs/THREAT-MODEL.md says what removal
  /// cannot take back). The last owner cannot be removed.
  public func remove(_ name: String) throws -> PractitionerRemoval {
    try practice.access(.practitionerRemove) {
      let records = try practice.records
      let unlocked = try practice.unlockedKeys
      var registry = try records.currentRegistry()
      let gone = try Self.named(name, in: registry)
      if gone.role == .owner, registry.owners.count <= 1 { throw AccessError.lastOwner(gone.name) }
      registry.practitioners.removeAll { $0.id == gone.id }
      for i in registry.practitioners.indices where registry.practitioners[i].supervisor == gone.id { registry.practitioners[i].supervisor = nil }
      try records.moveToPracticeLayout(registry: registry)
      // Keys first: an interruption leaves them listed, to be removed again, never able to read on.
      var rekeyed = 0
      for entry in try unlocked.readIndex().entries where try entry.client != .none && records.keyFile(entry.client).grants(gone.id) {
        let client = try records.load(entry, code: ClientCode.derive(client: entry.client, key: unlocked.keys.clientCodes))
        try records.regrant(client, to: records.assignees(of: try records.keyFile(entry.client), in: registry), registry: registry, newEpoch: true)
        rekeyed += 1
      }
      registry = try records.write(registry)
      try unlocked.replaceWithCommit(practice.vault.layout.practitioners, with: nil, removing: gone.slots.map(practice.vault.layout.slot))
      return .init(
        value: PractitionerRemoval(name: gone.name, slotsRemoved: gone.slots.count, clientsRekeyed: rekeyed),
        detail: "\(gone.name) (\(gone.role)) removed; \(gone.slots.count) key slot(s) deleted, \(rekeyed) client key(s) replaced")
    }
  }

  /// Renames a practitioner; the log keeps their id, so `log show --practitioner` finds both names.
  public func rename(_ name: String, to newName: String) throws -> PractitionerSummary {
    try practice.access(.practitionerRename) {
      let records = try practice.records
      var registry = try records.currentRegistry()
      let p = try Self.named(name, in: registry)
      try Self.checkName(newName, in: PractitionerRegistry(generation: 0, practitioners: registry.practitioners.filter { $0.id != p.id }))
      guard let i = registry.practitioners.firstIndex(where: { $0.id == p.id }) else { throw AccessError.unknownPractitioner(name, known: []) }
      registry.practitioners[i].name = newName
      try records.moveToPracticeLayout(registry: registry)
      registry = try records.write(registry)
      return .init(value: summary(registry.practitioners[i], registry: registry), detail: "\(p.name) renamed to \(newName)")
    }
  }

  /// Makes `supervisor` (nil: nobody) the supervisor of clinician `name`: the new supervisor gets
  /// the keys of the clinician's clients, and a former one loses them (new key epochs).
  public func supervise(_ name: String, by supervisor: String?) throws -> PractitionerSummary {
    try practice.access(.practitionerSupervise) {
      let records = try practice.records
      var registry = try records.currentRegistry()
      let p = try Self.named(name, in: registry)
      guard p.role == .clinician else { throw AccessError.cannotAssign(name: p.name, role: p.role) }
      let sup = try supervisor.map { try Self.supervisor($0, in: registry) }
      guard let i = registry.practitioners.firstIndex(where: { $0.id == p.id }) else { throw AccessError.unknownPractitioner(name, known: []) }
      let former = registry.practitioners[i].supervisor
      registry.practitioners[i].supervisor = sup?.id
      try records.moveToPracticeLayout(registry: registry)
      for entry in try practice.unlockedKeys.readIndex().entries where try entry.client != .none && records.keyFile(entry.client).grants(p.id, scope: .clinical) {
        let client = try records.load(entry, code: ClientCode.derive(client: entry.client, key: try practice.unlockedKeys.keys.clientCodes))
        let keep = records.assignees(of: try records.keyFile(entry.client), in: registry)
        try records.regrant(client, to: keep, registry: registry, newEpoch: former != nil && former != sup?.id)
      }
      registry = try records.write(registry)
      return .init(
        value: summary(registry.practitioners[i], registry: registry),
        detail: "\(p.name) supervised by \(sup?.name ?? "nobody")")
    }
  }

  // MARK: Assignments

  /// Gives clinician `name` the client's key (and their supervisor). With `emergency`, the reason
  /// of an emergency access (break the glass), flagged in the log.
  public func assign(_ query: String, to name: String, emergency: String? = nil) throws -> Assignment {
    let action: Action = emergency == nil ? .clientAssign : .emergencyAccess
    let client = try practice.client(query, for: action)
    return try practice.access(
      action, client: client.code,
      flag: emergency.map { _ in "emergency access" }
    ) {
      let records = try practice.records
      let registry = try records.currentRegistry()
      let p = try Self.named(name, in: registry)
      guard p.role == .clinician else { throw AccessError.cannotAssign(name: p.name, role: p.role) }
      let file = try records.keyFile(client.id)
      let current = records.assignees(of: file, in: registry)
      if current.contains(where: { $0.id == p.id }) {
        guard emergency != nil else { throw AccessError.alreadyAssigned(client: client.code.description, name: p.name) }
      } else {
        try records.moveToPracticeLayout(registry: registry)
        try records.regrant(try reload(client), to: current + [p], registry: registry, newEpoch: false)
      }
      let names = (current.contains { $0.id == p.id } ? current : current + [p]).map(\.name)
      return .init(
        value: Assignment(client: client.code.description, practitioner: p.name, assignedTo: names, newKeyEpoch: false),
        detail: emergency == nil ? "assigned to \(p.name)" : "emergency access to \(client.code) given to \(p.name)")
    }
  }

  /// Takes the client's key back from `name`: a new key epoch, so what is written from now on is
  /// out of their reach (what they already read cannot be taken back).
  public func unassign(_ query: String, from name: String) throws -> Assignment {
    let client = try practice.client(query, for: .clientUnassign)
    return try practice.access(.clientUnassign, client: client.code) {
      let records = try practice.records
      let registry = try records.currentRegistry()
      let p = try Self.named(name, in: registry)
      let current = records.assignees(of: try records.keyFile(client.id), in: registry)
      guard current.contains(where: { $0.id == p.id }) else { throw AccessError.notAssignedTo(client: client.code.description, name: p.name) }
      try records.moveToPracticeLayout(registry: registry)
      let keep = current.filter { $0.id != p.id }
      try records.regrant(try reload(client), to: keep, registry: registry, newEpoch: true)
      return .init(
        value: Assignment(client: client.code.description, practitioner: p.name, assignedTo: keep.map(\.name), newKeyEpoch: true),
        detail: "unassigned from \(p.name); new key epoch")
    }
  }

  // MARK: Helpers

  /// The client as the (possibly just moved) index names it.
  private func reload(_ client: Client) throws -> Client {
    guard let entry = try practice.unlockedKeys.readIndex().entries.first(where: { $0.client == client.id }) else { return client }
    return try practice.records.load(entry, code: client.code)
  }

  /// Re-seals every client's grants under `registry` (a new auditor gets each register key).
  private func regrantEveryClient(registry: PractitionerRegistry) throws {
    let records = try practice.records
    for entry in try practice.unlockedKeys.readIndex().entries where entry.client != .none {
      let client = try records.load(entry, code: ClientCode.derive(client: entry.client, key: try practice.unlockedKeys.keys.clientCodes))
      try records.regrant(client, to: records.assignees(of: try records.keyFile(entry.client), in: registry), registry: registry, newEpoch: false)
    }
  }

  private func summary(_ p: Practitioner, registry: PractitionerRegistry) -> PractitionerSummary {
    PractitionerSummary(
      id: p.id.hex, name: p.name, role: p.role.description, supervisor: p.supervisor.flatMap(registry.practitioner)?.name,
      added: LogEntry.format(seconds: p.added), slots: p.slots.count, clients: nil)
  }

  static func named(_ name: String, in registry: PractitionerRegistry) throws -> Practitioner {
    guard let p = registry.named(name) else { throw AccessError.unknownPractitioner(name, known: registry.practitioners.map(\.name)) }
    return p
  }

  static func supervisor(_ name: String, in registry: PractitionerRegistry) throws -> Practitioner {
    let p = try named(name, in: registry)
    guard p.role == .supervisor else { throw AccessError.notASupervisor(p.name) }
    return p
  }

  /// A name people can type and the log can show: 1 to 200 bytes, not a reserved actor, unique.
  static func checkName(_ name: String, in registry: PractitionerRegistry) throws {
    guard !name.isEmpty, name.utf8.count <= Practitioner.maxNameBytes, name.trimmingSpaces() == name,
      !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    else { throw VaultError.invalidLabel(maximum: Practitioner.maxNameBytes) }
    if [LogEntry.system, "recovery"].contains(name.lowercased()) { throw VaultError.reservedLabel(name) }
    if registry.named(name) != nil { throw AccessError.practitionerExists(name) }
  }
}
