import VaultCrypto

// The engine side of practitioners: the registry file, the move of a format-1 vault to a practice
// with practitioners, and client keys that gain, lose or re-seal grants (FORMAT.md §17).
extension Records {
  /// The registry on disk, its signature checked (a change earlier in this process is seen), or,
  /// in a format-1 vault, one listing an owner for each passphrase slot (named by its label), not
  /// yet written.
  func currentRegistry() throws -> PractitionerRegistry {
    if let registry = try writtenRegistry() { return registry }
    var owners: [Practitioner] = []
    for slot in try unlocked.vault.keySlots().slots where slot.kind == .passphrase {
      if let i = owners.firstIndex(where: { $0.name.lowercased() == slot.label.lowercased() }) {
        owners[i].slots.append(slot.id)
      } else {
        owners.append(
          Practitioner(
            id: try RandomID.generate(), name: slot.label, role: .owner, supervisor: nil, publicKey: [UInt8](repeating: 0, count: 32),
            added: slot.created, slots: [slot.id], bundle: []))
      }
    }
    return PractitionerRegistry(generation: 0, practitioners: owners)
  }

  /// The registry file, signature checked; nil in a vault without practitioners.
  func writtenRegistry() throws -> PractitionerRegistry? {
    guard let file = try PractitionerRegistry.read(unlocked.vault.layout.practitioners) else { return nil }
    try PractitionerRegistry.verify(body: file.body, signature: file.signature, keys: unlocked.keys, vault: vaultID)
    return file.registry
  }

  /// Signs and writes `registry` with the next generation (owners only).
  func write(_ registry: PractitionerRegistry) throws -> PractitionerRegistry {
    guard let signing = unlocked.keys.registrySigning else { throw VaultError.access(.ownerRequired) }
    var next = registry
    next.generation += 1
    let layout = unlocked.vault.layout
    try wrap { try AtomicFile.write(next.encoded(signing: signing, vault: vaultID), to: layout.practitioners, temporaryDirectory: layout.tmp) }
    return next
  }

  /// Moves a vault's clients to the practice layout (FORMAT.md §17.6): every key file to
  /// revision 1 and a register object per client, named by an index of revision 1. Each step can
  /// be repeated, so an interrupted move is finished by the next one. Returns the index to commit.
  func movedToPracticeLayout(registry: PractitionerRegistry) throws -> VaultIndex {
    var index = try unlocked.readIndex()
    guard index.revision == 0 || index.entries.contains(where: { $0.client != .none && $0.register == nil }) else { return index }
    index.revision = 1
    for (i, entry) in index.entries.enumerated() where entry.client != .none && entry.register == nil {
      let file = try keyFile(entry.client)
      guard let ring = try keyRing(entry.client) else { throw VaultError.access(.ownerRequired) }
      if file.revision == 0 {
        try writeKeyFile(
          try ClientKeyFile.practice(
            client: entry.client, ring: ring.clinical, grants: try Grants.sealed(for: entry.client, ring: ring, to: [], registry: registry, vault: vaultID),
            ownerPublicKey: unlocked.keys.ownerPublicKey, vault: vaultID))
      }
      let client = try loadIfGranted(entry, code: ClientCode.derive(client: entry.client, key: unlocked.keys.clientCodes))!
      index.entries[i].register = try register(client.index, client: entry.client, keys: ring, in: index)
    }
    return index
  }

  /// The clinicians a client is assigned to: those holding its data key who are clinicians.
  func assignees(of file: ClientKeyFile, in registry: PractitionerRegistry) -> [Practitioner] {
    file.grants.filter { $0.scope == .clinical }.compactMap { registry.practitioner($0.practitioner) }.filter { $0.role == .clinician }
  }

  /// Rewrites `client`'s key file for `assignees` under `registry`. With `newEpoch`, a new data key
  /// is drawn first (someone lost access: what is written from now on is out of their reach) and
  /// the register is rewritten under it; returns the index with the client's new register.
  func regrant(_ client: Client, to assignees: [Practitioner], registry: PractitionerRegistry, newEpoch: Bool, in index: VaultIndex) throws -> VaultIndex {
    var ring = client.keys
    if newEpoch { ring = try ClientKeyRing(clinical: [SecretKey.random()] + client.keys.clinical) }
    try writeKeyFile(
      try ClientKeyFile.practice(
        client: client.id, ring: ring.clinical, grants: try Grants.sealed(for: client.id, ring: ring, to: assignees, registry: registry, vault: vaultID),
        ownerPublicKey: unlocked.keys.ownerPublicKey, vault: vaultID))
    guard newEpoch, let i = index.entries.firstIndex(where: { $0.client == client.id }) else { return index }
    var next = index
    next.entries[i].register = try register(client.index, client: client.id, keys: ring, in: index)
    return next
  }
}
