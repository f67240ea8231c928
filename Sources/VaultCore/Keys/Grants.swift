/// Who receives a client's key (FORMAT.md §17.4): the rules in one place.
enum Grants {
  /// The grants of a client assigned to `assignees` (clinicians; owners read every client through
  /// the owners' copy): each assignee and their supervisor get the data key, every auditor the
  /// register key.
  static func sealed(
    for client: RandomID, ring: ClientKeyRing, to assignees: [Practitioner], registry: PractitionerRegistry, vault: RandomID
  ) throws -> [ClientKeyGrant] {
    guard let key = ring.newest else { throw VaultError.access(.ownerRequired) }
    var clinical: [Practitioner] = []
    for p in assignees where p.role == .clinician {
      clinical.append(p)
      if let s = p.supervisor.flatMap(registry.practitioner) { clinical.append(s) }
    }
    var grants: [ClientKeyGrant] = []
    for p in clinical where !grants.contains(where: { $0.practitioner == p.id }) {
      grants.append(try ClientKeyGrant.seal(key, scope: .clinical, client: client, vault: vault, to: p.id, publicKey: p.publicKey))
    }
    for p in registry.practitioners where p.role == .auditor {
      grants.append(try ClientKeyGrant.seal(ring.register, scope: .register, client: client, vault: vault, to: p.id, publicKey: p.publicKey))
    }
    return grants
  }
}
