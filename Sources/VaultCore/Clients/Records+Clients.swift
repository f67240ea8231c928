import VaultCrypto

extension Records {
  // MARK: Changing records (call under the exclusive lock)

  /// Adds a client with a fresh id, code and key.
  func addClient(_ record: ClientRecord, author: String, now: Int64) throws -> Client {
    var vaultIndex = try unlocked.readIndex()
    var taken = Set(try codes(in: vaultIndex).map(\.code))
    let client = try create(record, notes: [], taken: &taken, change: "created", author: author, now: now, in: vaultIndex)
    vaultIndex.entries.append(IndexEntry(client: client.id, clientIndex: client.indexObject, register: client.registerObject))
    try unlocked.commit(vaultIndex)
    return client
  }

  /// Writes `record` as the client's newest version; earlier versions stay.
  /// - Throws: `RecordError.nothingChanged` when it equals the current version.
  func updateClient(_ client: Client, to record: ClientRecord, change: String? = nil, author: String, now: Int64) throws -> Client {
    try record.validate()
    let current = try currentRecord(client)
    let changed = record.changes(from: current)
    guard !changed.isEmpty else { throw RecordError.nothingChanged("the update changes nothing in \(client.code)'s record") }
    let plain = try record.encoded()
    let object = try put(plain, as: .clientRecord, client: client.id, key: client.key)
    var index = client.index
    index.legalName = record.legalName
    index.preferredName = record.preferredName ?? ""
    index.startDate = record.startDate
    index.dischargeDate = record.dischargeDate
    index.records.append(RecordVersion(
      revision: Revision(object: object, time: now, author: author, length: UInt32(plain.count)),
      change: change ?? Self.summary(of: changed)))
    return try save(client, index)
  }

  /// Adds many clients with their notes and commits the index once: for migrating a practice's
  /// records in, and for the benchmark generator. Returns the clients' codes.
  func importClients(_ batch: [(record: ClientRecord, notes: [NewNote])], author: String, now: Int64) throws -> [ClientCode] {
    var vaultIndex = try unlocked.readIndex()
    var taken = Set(try codes(in: vaultIndex).map(\.code))
    var added: [ClientCode] = []
    for (record, notes) in batch {
      let client = try create(record, notes: notes, taken: &taken, change: "imported", author: author, now: now, in: vaultIndex)
      vaultIndex.entries.append(IndexEntry(client: client.id, clientIndex: client.indexObject, register: client.registerObject))
      added.append(client.code)
    }
    try unlocked.commit(vaultIndex)
    return added
  }

  /// Writes a new client's key file, record, notes and client index (not the vault index), with
  /// a code not in `taken`, which it joins. In a practice with practitioners the client is
  /// assigned to whoever adds them (and their supervisor), and the auditors get the register.
  func create(
    _ record: ClientRecord, notes: [NewNote], taken: inout Set<ClientCode>, change: String, author: String, now: Int64, in vaultIndex: VaultIndex
  ) throws -> Client {
    try record.validate()
    var id: RandomID
    var code: ClientCode
    // 30-bit codes: a collision is rare even with thousands of clients, and a redraw is cheap.
    repeat {
      id = try RandomID.generate()
      code = try ClientCode.derive(client: id, key: unlocked.keys.clientCodes)
    } while taken.contains(code)
    taken.insert(code)
    let key = try SecretKey.random()
    let ring = try ClientKeyRing(clinical: [key])
    let file: ClientKeyFile
    if let registry = try writtenRegistry() {
      let grantees = ([unlocked.practitioner].compactMap { $0 }).filter { $0.role != .owner }
      file = try ClientKeyFile.practice(
        client: id, ring: [key], grants: try Grants.sealed(for: id, ring: ring, to: grantees, registry: registry, vault: vaultID),
        ownerPublicKey: unlocked.keys.ownerPublicKey, vault: vaultID)
    } else {
      file = try ClientKeyFile.legacy(client: id, clientKey: key, keys: unlocked.keys, vault: vaultID)
    }
    try writeKeyFile(file)
    let plain = try record.encoded()
    let object = try put(plain, as: .clientRecord, client: id, key: key)
    var index = ClientIndex(
      legalName: record.legalName, preferredName: record.preferredName ?? "", startDate: record.startDate,
      dischargeDate: record.dischargeDate,
      records: [RecordVersion(revision: Revision(object: object, time: now, author: author, length: UInt32(plain.count)), change: change)],
      notes: [])
    let draft = Client(id: id, code: code, keys: ring, index: index, indexObject: object, registerObject: nil)
    for (i, n) in notes.enumerated() {
      try Self.checkSessionDate(n.date)
      index.notes.append(NoteEntry(
        number: UInt32(i + 1), kind: n.kind, date: n.date, minutes: n.minutes,
        signature: n.signed ? Signature(time: now, signer: author) : nil, firstLine: NoteText.firstLine(n.text),
        versions: [try putText(n.text, client: draft, author: author, now: now)], addenda: []))
    }
    let indexObject = try put(index.encoded(), as: .clientIndex, client: id, key: key)
    let registerObject = try register(index, client: id, keys: ring, in: vaultIndex)
    return Client(id: id, code: code, keys: ring, index: index, indexObject: indexObject, registerObject: registerObject)
  }

  /// Replaces (or creates) a client's key file, with the next commit: after the command's log
  /// entry, like the index (immediately for library callers that log nothing).
  func writeKeyFile(_ file: ClientKeyFile) throws {
    try unlocked.markUnfinished()
    try unlocked.replaceWithCommit(unlocked.vault.layout.clientKey(file.client), with: file.encoded())
  }
}
