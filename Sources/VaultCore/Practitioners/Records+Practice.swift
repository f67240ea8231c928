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
    let path = unlocked.vault.layout.practitioners
    let pending = try unlocked.pendingFile(path).map { try PractitionerRegistry.decode($0) }
    guard let file = try pending ?? PractitionerRegistry.read(path) else { return nil }
    try PractitionerRegistry.verify(body: file.body, signature: file.signature, keys: unlocked.keys, vault: vaultID)
    return file.registry
  }

  /// Signs and writes `registry` with the next generation (owners only), and commits an index
  /// that records that generation: a registry rolled back past it is refused at unlock.
  func write(_ registry: PractitionerRegistry) throws -> PractitionerRegistry {
    guard let signing = unlocked.keys.registrySigning else { throw VaultError.access(.ownerRequired) }
    var next = registry
    next.generation = max(registry.generation, try unlocked.readIndex().registryGeneration) + 1
    // Installed with the index, after the command's log entry: no practitioner changes unrecorded.
    try unlocked.replaceWithCommit(unlocked.vault.layout.practitioners, with: next.encoded(signing: signing, vault: vaultID))
    var index = try unlocked.readIndex()
    index.registryGeneration = next.generation
    try unlocked.commit(index)
    return next
  }

  /// Moves a vault's clients to the practice layout (FORMAT.md §17.6), and repairs what an
  /// interrupted practitioner command left: every key file of revision 1, and a register object
  /// per client that opens under the newest epoch's key, named by an index of revision 1. Each
  /// step can be repeated, so the next practitioner command finishes an interrupted one.
  func moveToPracticeLayout(registry: PractitionerRegistry) throws {
    var index = try unlocked.readIndex()
    var changed = index.revision == 0
    var replaced: [ObjectID] = []
    index.revision = 1
    for (i, entry) in index.entries.enumerated() where entry.client != .none {
      let file = try keyFile(entry.client)
      guard let ring = try keyRing(entry.client) else { throw VaultError.access(.ownerRequired) }
      if file.revision == 0 {
        try writeKeyFile(
          try ClientKeyFile.practice(
            client: entry.client, ring: ring.clinical, grants: try Grants.sealed(for: entry.client, ring: ring, to: [], registry: registry, vault: vaultID),
            ownerPublicKey: unlocked.keys.ownerPublicKey, vault: vaultID))
      }
      if let register = entry.register, (try? read(register, as: .register, client: entry.client, keys: [ring.register])) != nil { continue }
      // A register missing, or not under the newest epoch (an interrupted new epoch): the client
      // index is written again under the newest key too, so an older key file opens nothing current.
      let client = try load(entry, code: ClientCode.derive(client: entry.client, key: unlocked.keys.clientCodes))
      let object = try put(client.index.encoded(), as: .clientIndex, client: entry.client, key: client.key)
      index.entries[i].clientIndex = object
      index.entries[i].register = try self.register(client.index, client: entry.client, keys: ring, in: index)
      replaced += [entry.clientIndex] + (entry.register.map { [$0] } ?? [])
      changed = true
    }
    if changed { try unlocked.commit(index, replacing: replaced) }
  }

  /// The clinicians a client is assigned to: those holding its data key who are clinicians.
  func assignees(of file: ClientKeyFile, in registry: PractitionerRegistry) -> [Practitioner] {
    file.grants.filter { $0.scope == .clinical }.compactMap { registry.practitioner($0.practitioner) }.filter { $0.role == .clinician }
  }

  /// Rewrites `client`'s key file for `assignees` under `registry`. With `newEpoch` (someone lost
  /// access), a new data key is drawn first and the client index and register are re-encrypted
  /// under it, so what is written from now on is out of the old key's reach, and an old key file
  /// put back opens nothing current (a writer using it fails instead of writing under it).
  func regrant(_ client: Client, to assignees: [Practitioner], registry: PractitionerRegistry, newEpoch: Bool) throws {
    var ring = client.keys
    if newEpoch { ring = try ClientKeyRing(clinical: [SecretKey.random()] + client.keys.clinical) }
    try writeKeyFile(
      try ClientKeyFile.practice(
        client: client.id, ring: ring.clinical, grants: try Grants.sealed(for: client.id, ring: ring, to: assignees, registry: registry, vault: vaultID),
        ownerPublicKey: unlocked.keys.ownerPublicKey, vault: vaultID))
    if newEpoch {
      _ = try save(Client(id: client.id, code: client.code, keys: ring, index: client.index, indexObject: client.indexObject, registerObject: client.registerObject), client.index)
    }
  }
}
