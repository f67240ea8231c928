import VaultCrypto

/// A client's keys as one unlock can open them (FORMAT.md §8.1, §17.4).
struct ClientKeyRing: Sendable {
  /// The client's data keys, newest epoch first; empty when only the register key was granted.
  let clinical: [SecretKey]
  /// Encrypts the client's register object (§17.5): derived from the newest data key.
  let register: SecretKey

  /// The keys of every epoch, newest first, from the newest one and the file's chain.
  init(clinical: [SecretKey]) throws {
    self.clinical = clinical
    register = try clinical[0].derive(id: 1, context: Binding.registerKeyContext)
  }

  /// A register-only ring (an auditor's grant).
  init(register: SecretKey) {
    clinical = []
    self.register = register
  }

  /// The key new objects are written under.
  var newest: SecretKey? { clinical.first }
}

/// What a grant gives: the client's data key, or only the key of their register.
enum GrantScope: UInt8, Sendable {
  /// The data key of the newest epoch (and through the chain every older one).
  case clinical = 1
  /// The register key only: names, consents, disclosures and requests, no clinical content.
  case register = 2
}

/// One practitioner's sealed copy of a client's key (FORMAT.md §17.4).
struct ClientKeyGrant: Sendable, Equatable {
  /// Who can open it.
  let practitioner: RandomID
  /// Which key it holds.
  let scope: GrantScope
  /// crypto_box_seal(practitioner's public key, vault id ‖ client id ‖ scope ‖ key).
  let sealed: [UInt8]

  static let size = RandomID.size + 1 + sealedSize
  static let sealedSize = SealedBox.overhead + prefixSize + SecretKey.size
  static let prefixSize = 2 * RandomID.size + 1

  /// Seals `key` for `practitioner` (or, with `scope` clinical and the owners' key, for the owners).
  static func seal(_ key: SecretKey, scope: GrantScope, client: RandomID, vault: RandomID, to practitioner: RandomID, publicKey: [UInt8]) throws -> ClientKeyGrant {
    ClientKeyGrant(
      practitioner: practitioner, scope: scope,
      sealed: try SealedBox.seal(prefix: prefix(client: client, scope: scope, vault: vault), secrets: [key], to: publicKey))
  }

  static func prefix(client: RandomID, scope: GrantScope, vault: RandomID) -> [UInt8] { vault.bytes + client.bytes + [scope.rawValue] }

  /// Opens a sealed key; its plaintext must name this vault, client and scope.
  static func open(_ sealed: [UInt8], scope: GrantScope, client: RandomID, vault: RandomID, with pair: BoxKeyPair) throws -> SecretKey {
    let (prefix, keys) = try SealedBox.openSecrets(sealed, prefixLength: prefixSize, with: pair)
    guard constantTimeEqual(prefix, Self.prefix(client: client, scope: scope, vault: vault)), keys.count == 1 else {
      throw FormatError.invalidField("a sealed client key names another vault, client or scope")
    }
    return keys[0]
  }
}

/// A client's key file (FORMAT.md §8.1 and, in a practice with practitioners, §17.4).
///
/// Each client's objects are encrypted under their own key, so deleting this one small file
/// (and the backups that hold it) makes every copy of that client's objects unreadable.
///
/// Revision 0 wraps one key under the owners' client-key-wrapping key. Revision 1 keeps a key per
/// *epoch* (a new one whenever someone loses access: only the newest is sealed, each newer key
/// wraps the one before), seals the newest to the owners' public key, and adds a grant for each
/// practitioner who may read the client: access enforced by keys, not only by checks.
struct ClientKeyFile: Sendable {
  /// The client it belongs to (also its file name).
  let client: RandomID
  /// 0 (format 1) or 1.
  let revision: UInt8
  /// Revision 0: Seal(subkey 3, key). Revision 1: the newest key sealed to the owners.
  let ownerCopy: [UInt8]
  /// Revision 1: Seal(K_e, K_(e−1)) for e = newest … 1, newest first.
  let chain: [[UInt8]]
  /// Revision 1: who else may open it.
  let grants: [ClientKeyGrant]

  /// The largest client key file, checked from its size before it is read.
  static let maximumFileSize = 8192
  /// The most epochs and grants a file holds.
  static let maxEpochs = 32, maxGrants = 32
  static let chainLinkSize = SecretKey.size + AEAD.overhead

  /// Number of epochs.
  var epochs: Int { chain.count + 1 }

  /// A format-1 file: `clientKey` wrapped under subkey 3.
  static func legacy(client: RandomID, clientKey: SecretKey, keys: VaultKeys, vault: RandomID) throws -> ClientKeyFile {
    guard let wrap = keys.clientKeyWrap else { throw VaultError.access(.ownerRequired) }
    return ClientKeyFile(
      client: client, revision: 0, ownerCopy: try AEAD.seal(clientKey, using: wrap, binding: legacyAD(client: client, vault: vault)), chain: [], grants: [])
  }

  /// A revision-1 file for `ring` (every epoch's key, newest first), with `grants`.
  static func practice(client: RandomID, ring: [SecretKey], grants: [ClientKeyGrant], ownerPublicKey: [UInt8], vault: RandomID) throws -> ClientKeyFile {
    guard ring.count <= maxEpochs else { throw VaultError.access(.tooManyEpochs(maximum: maxEpochs)) }
    guard grants.count <= maxGrants else { throw VaultError.access(.tooManyGrants(maximum: maxGrants)) }
    let owners = try ClientKeyGrant.seal(ring[0], scope: .clinical, client: client, vault: vault, to: .none, publicKey: ownerPublicKey)
    let chain = try (0..<(ring.count - 1)).map { i in
      try AEAD.seal(ring[i + 1], using: ring[i], binding: chainAD(client: client, epoch: ring.count - 1 - i, vault: vault))
    }
    return ClientKeyFile(client: client, revision: 1, ownerCopy: owners.sealed, chain: chain, grants: grants)
  }

  /// The file's bytes.
  func encoded() throws -> [UInt8] {
    guard revision == 1 else { return try ChecksummedFile.encode(.clientKey, body: client.bytes + ownerCopy) }
    var w = ByteWriter()
    w.write(client.bytes)
    w.write(UInt8(epochs))
    w.write(ownerCopy)
    for link in chain { w.write(link) }
    w.write(UInt8(grants.count))
    for g in grants {
      w.write(g.practitioner.bytes)
      w.write(g.scope.rawValue)
      w.write(g.sealed)
    }
    return try ChecksummedFile.encode(.clientKey, revision: 1, body: w.bytes)
  }

  /// Parses a key file without a key, bounding every count.
  static func decode(_ bytes: [UInt8]) throws -> ClientKeyFile {
    let (revision, body) = try ChecksummedFile.decode(.clientKey, bytes, revisions: 0...1)
    var r = ByteReader(body)
    let client = try RandomID(bytes: r.read(RandomID.size))
    guard revision == 1 else {
      let wrapped = try r.read(SecretKey.size + AEAD.overhead)
      try r.expectEnd()
      return ClientKeyFile(client: client, revision: 0, ownerCopy: wrapped, chain: [], grants: [])
    }
    let epochs = Int(try r.readUInt8())
    guard (1...maxEpochs).contains(epochs) else { throw FormatError.invalidField("\(epochs) key epochs") }
    let owners = try r.read(ClientKeyGrant.sealedSize)
    let chain = try (1..<epochs).map { _ in try r.read(chainLinkSize) }
    let count = Int(try r.readUInt8())
    guard count <= maxGrants else { throw FormatError.invalidField("\(count) grants") }
    var grants: [ClientKeyGrant] = []
    for _ in 0..<count {
      let who = try RandomID(bytes: r.read(RandomID.size))
      let raw = try r.readUInt8()
      guard let scope = GrantScope(rawValue: raw) else { throw FormatError.invalidField("unknown grant scope \(raw)") }
      guard !grants.contains(where: { $0.practitioner == who }) else { throw FormatError.invalidField("two grants for one practitioner") }
      grants.append(ClientKeyGrant(practitioner: who, scope: scope, sealed: try r.read(ClientKeyGrant.sealedSize)))
    }
    try r.expectEnd()
    return ClientKeyFile(client: client, revision: 1, ownerCopy: owners, chain: chain, grants: grants)
  }

  /// Checks the file's structure without a key and returns the client id it names.
  static func client(in bytes: [UInt8]) throws -> RandomID { try decode(bytes).client }

  /// The keys `holder` can open: an owner's through the owners' copy, anyone else's through their
  /// grant; nil when the file has no grant for them.
  func open(as holder: KeyHolder, keys: VaultKeys, vault: RandomID) throws -> ClientKeyRing? {
    let newest: SecretKey
    if let ownerBox = keys.ownerBox, let wrap = keys.clientKeyWrap {
      newest =
        revision == 0
        ? try AEAD.openKey(ownerCopy, using: wrap, binding: Self.legacyAD(client: client, vault: vault))
        : try ClientKeyGrant.open(ownerCopy, scope: .clinical, client: client, vault: vault, with: ownerBox)
    } else {
      guard let personal = holder.personal, let grant = grants.first(where: { $0.practitioner == holder.id }) else { return nil }
      let key = try ClientKeyGrant.open(grant.sealed, scope: grant.scope, client: client, vault: vault, with: personal.box)
      if grant.scope == .register { return ClientKeyRing(register: key) }
      newest = key
    }
    var ring = [newest]
    for (i, link) in chain.enumerated() {
      ring.append(try AEAD.openKey(link, using: ring[i], binding: Self.chainAD(client: client, epoch: epochs - 1 - i, vault: vault)))
    }
    return try ClientKeyRing(clinical: ring)
  }

  /// The newest key of the file `bytes`, opened as an owner; the file must name `client`.
  static func ownerKey(_ bytes: [UInt8], client: RandomID, keys: VaultKeys, vault: RandomID) throws -> SecretKey {
    let file = try decode(bytes)
    guard file.client == client else { throw FormatError.invalidField("client key file names another client") }
    guard let ring = try file.open(as: KeyHolder(id: nil, personal: nil), keys: keys, vault: vault), let key = ring.newest else {
      throw VaultError.access(.ownerRequired)
    }
    return key
  }

  /// Whether `practitioner` holds a grant of `scope` (any scope when nil).
  func grants(_ practitioner: RandomID, scope: GrantScope? = nil) -> Bool {
    grants.contains { $0.practitioner == practitioner && (scope == nil || $0.scope == scope) }
  }

  static func legacyAD(client: RandomID, vault: RandomID) -> [UInt8] { Binding.clientKey + vault.bytes + client.bytes }

  static func chainAD(client: RandomID, epoch: Int, vault: RandomID) -> [UInt8] {
    Binding.clientKey + vault.bytes + client.bytes + [UInt8(epoch)]
  }
}

/// Who is opening client keys: their practitioner id and personal key (nil for an owner
/// unlocking with the master key, who needs neither).
struct KeyHolder: Sendable {
  /// Their id in the registry (nil when the vault has none).
  let id: RandomID?
  /// Their personal key (nil for owners whose slot wraps the master key).
  let personal: PersonalKey?
}
