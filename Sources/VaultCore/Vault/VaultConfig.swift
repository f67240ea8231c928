import VaultCrypto

/// The vault's identity and public keys, in the clear so keyless jobs can use them (FORMAT.md §4).
///
/// A MAC under a master-key subkey covers every field; it is checked on every unlock, so a
/// swapped public key is caught by the next command that has the passphrase.
public struct VaultConfig: Sendable, Equatable {
  /// Random id of this vault; bound into every AD so files cannot move between vaults.
  public let vaultID: RandomID
  /// Creation time, Unix seconds UTC.
  public let created: Int64
  /// X25519 public key that keyless writers seal access-log entries to.
  public let logPublicKey: [UInt8]
  /// Ed25519 public key that verifies access-log checkpoints.
  public let signingPublicKey: [UInt8]
  let mac: [UInt8]

  /// A new config for `keys`, with its MAC.
  public static func make(vaultID: RandomID, created: Int64, keys: VaultKeys) throws -> VaultConfig {
    let unsigned = VaultConfig(
      vaultID: vaultID, created: created, logPublicKey: keys.logBox?.publicKey ?? [],
      signingPublicKey: keys.signing.publicKey, mac: [])
    return VaultConfig(
      vaultID: vaultID, created: created, logPublicKey: unsigned.logPublicKey,
      signingPublicKey: unsigned.signingPublicKey, mac: try Hasher.mac(Binding.config + unsigned.fields, key: keys.configMACKey()))
  }

  private init(vaultID: RandomID, created: Int64, logPublicKey: [UInt8], signingPublicKey: [UInt8], mac: [UInt8]) {
    self.vaultID = vaultID
    self.created = created
    self.logPublicKey = logPublicKey
    self.signingPublicKey = signingPublicKey
    self.mac = mac
  }

  private var fields: [UInt8] {
    var w = ByteWriter()
    w.write(FileHeader.encode(.config))
    w.write(vaultID.bytes)
    w.write(created)
    w.write(logPublicKey)
    w.write(signingPublicKey)
    return w.bytes
  }

  /// The config file: header ‖ fields ‖ MAC ‖ checksum.
  public func encoded() throws -> [UInt8] {
    try ChecksummedFile.encode(.config, body: Array(fields.dropFirst(FileHeader.size)) + mac)
  }

  /// Parses a config file (structure and checksum only; `authenticate` needs the key).
  public static func decode(_ bytes: [UInt8]) throws -> VaultConfig {
    var r = ByteReader(try ChecksummedFile.decode(.config, bytes))
    let id = try RandomID(bytes: r.read(RandomID.size))
    let created = try r.readInt64()
    let box = try r.read(SealedBox.publicKeySize)
    let sign = try r.read(Signing.publicKeySize)
    let mac = try r.read(Hasher.digestSize)
    try r.expectEnd()
    return VaultConfig(vaultID: id, created: created, logPublicKey: box, signingPublicKey: sign, mac: mac)
  }

  /// True if the MAC verifies and the public keys are the ones `keys` derive.
  public func isAuthentic(for keys: VaultKeys) throws -> Bool {
    // A practitioner other than an owner holds no MAC key (with it they could rewrite the config
    // for everyone): their bundle carries the public keys the config must hold.
    guard let macKey = keys.configMAC else {
      return logPublicKey == keys.logPublicKey && signingPublicKey == keys.signing.publicKey
    }
    let expected = try Hasher.mac(Binding.config + fields, key: macKey)
    return constantTimeEqual(expected, mac) && logPublicKey == keys.logPublicKey && signingPublicKey == keys.signing.publicKey
  }
}
