// Keys/ owns the key hierarchy (FORMAT.md §4, §17): passphrase or recovery key → key slot →
// master key (owners) or a personal key (other practitioners) → purpose subkeys and wrapped
// per-client keys. Nothing here touches the file system; callers hand in bytes and get bytes back.
import VaultCrypto

/// The keys one unlock gives, held only while the vault is unlocked.
///
/// An owner (or the recovery key) has the master key and every subkey. Another practitioner has
/// only what their role's bundle holds (FORMAT.md §17.3): never the client-key-wrapping key, so
/// clients' data keys reach them only through a grant sealed to their own key pair.
public struct VaultKeys: Sendable {
  /// The 32-byte master key that owners' key slots wrap (nil for other practitioners).
  public let master: SecretKey?
  /// Encrypts the index.
  public let index: SecretKey
  /// Authenticates the config file (owners only).
  public let configMAC: SecretKey?
  /// Wraps per-client data keys in format-1 client key files (owners only).
  public let clientKeyWrap: SecretKey?
  /// Encrypts objects that belong to no client.
  public let vaultObjects: SecretKey
  /// Keys the hash that turns a client id into its short code.
  public let clientCodes: SecretKey
  /// Signs access-log checkpoints.
  public let signing: SigningKeyPair
  /// Opens access-log entries sealed without a key (owners and auditors).
  public let logBox: BoxKeyPair?
  /// The log's public key, which the config must hold (derived, or carried by the bundle).
  public let logPublicKey: [UInt8]
  /// Encrypts access-log entries written while the vault is unlocked (owners and auditors; other
  /// practitioners seal their entries to the log's public key and cannot read them back).
  public let logEntries: SecretKey?
  /// Opens client keys sealed to the practice's owners (owners only).
  public let ownerBox: BoxKeyPair?
  /// The owners' public key, to which anyone adding a client seals its key.
  public let ownerPublicKey: [UInt8]
  /// Signs the practitioner registry (owners only).
  public let registrySigning: SigningKeyPair?
  /// Checks the practitioner registry's signature.
  public let registryPublicKey: [UInt8]

  /// Subkey numbers under the "vaultmk1" context; never reuse or renumber one.
  enum Subkey: UInt64, CaseIterable {
    case index = 1, configMAC = 2, clientKeyWrap = 3, signingSeed = 4, logBoxSeed = 5, vaultObjects = 6, logEntries = 7, clientCodes = 8
    case ownerBoxSeed = 9, registrySigningSeed = 10
  }

  /// Derives every subkey from `master`.
  public init(master: SecretKey) throws {
    let ctx = Binding.masterKeyContext
    func sub(_ s: Subkey) throws -> SecretKey { try master.derive(id: s.rawValue, context: ctx) }
    let ownerBox = try BoxKeyPair(seed: sub(.ownerBoxSeed))
    let registry = try SigningKeyPair(seed: sub(.registrySigningSeed))
    let logBox = try BoxKeyPair(seed: sub(.logBoxSeed))
    try self.init(
      master: master, index: sub(.index), configMAC: sub(.configMAC), clientKeyWrap: sub(.clientKeyWrap), vaultObjects: sub(.vaultObjects),
      clientCodes: sub(.clientCodes), signing: SigningKeyPair(seed: sub(.signingSeed)), logBox: logBox, logPublicKey: logBox.publicKey,
      logEntries: sub(.logEntries), ownerBox: ownerBox, ownerPublicKey: ownerBox.publicKey, registrySigning: registry,
      registryPublicKey: registry.publicKey)
  }

  private init(
    master: SecretKey?, index: SecretKey, configMAC: SecretKey?, clientKeyWrap: SecretKey?, vaultObjects: SecretKey, clientCodes: SecretKey,
    signing: SigningKeyPair, logBox: BoxKeyPair?, logPublicKey: [UInt8], logEntries: SecretKey?, ownerBox: BoxKeyPair?, ownerPublicKey: [UInt8],
    registrySigning: SigningKeyPair?, registryPublicKey: [UInt8]
  ) {
    self.master = master
    self.index = index
    self.configMAC = configMAC
    self.clientKeyWrap = clientKeyWrap
    self.vaultObjects = vaultObjects
    self.clientCodes = clientCodes
    self.signing = signing
    self.logBox = logBox
    self.logPublicKey = logPublicKey
    self.logEntries = logEntries
    self.ownerBox = ownerBox
    self.ownerPublicKey = ownerPublicKey
    self.registrySigning = registrySigning
    self.registryPublicKey = registryPublicKey
  }

  /// The keys a role's bundle carries (FORMAT.md §17.3); an owner's bundle carries the master key.
  init(bundle: StaffBundle) throws {
    if let master = bundle.subkeys[0] {
      try self.init(master: master)
      return
    }
    func need(_ s: Subkey) throws -> SecretKey {
      guard let k = bundle.subkeys[UInt8(s.rawValue)] else { throw FormatError.invalidField("the practitioner's key bundle lacks subkey \(s.rawValue)") }
      return k
    }
    self.init(
      master: nil, index: try need(.index), configMAC: nil, clientKeyWrap: nil, vaultObjects: try need(.vaultObjects),
      clientCodes: try need(.clientCodes), signing: try SigningKeyPair(seed: need(.signingSeed)),
      logBox: try bundle.subkeys[UInt8(Subkey.logBoxSeed.rawValue)].map { try BoxKeyPair(seed: $0) }, logPublicKey: bundle.logPublicKey,
      logEntries: bundle.subkeys[UInt8(Subkey.logEntries.rawValue)], ownerBox: nil, ownerPublicKey: bundle.ownerPublicKey,
      registrySigning: nil, registryPublicKey: bundle.registryPublicKey)
  }

  /// The subkeys a role's bundle holds: the master key (id 0) for owners; for the others what
  /// they need to find, name and write records, and for auditors the access log too.
  func bundleSubkeys(for role: Role) throws -> [UInt8: SecretKey] {
    guard let master else { throw VaultError.access(.ownerRequired) }
    if role == .owner { return [0: master] }
    var ids: [Subkey] = [.index, .signingSeed, .vaultObjects, .clientCodes]
    if role == .auditor { ids += [.logBoxSeed, .logEntries] }
    var out: [UInt8: SecretKey] = [:]
    for s in ids { out[UInt8(s.rawValue)] = try master.derive(id: s.rawValue, context: Binding.masterKeyContext) }
    return out
  }

  /// The config MAC key; only an owner writes a config.
  func configMACKey() throws -> SecretKey {
    guard let configMAC else { throw VaultError.access(.ownerRequired) }
    return configMAC
  }

  /// A vault's keys, with a fresh random master key.
  public static func generate() throws -> VaultKeys { try VaultKeys(master: SecretKey.random()) }
}
