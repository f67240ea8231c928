import VaultCrypto

/// A practitioner's own secret (FORMAT.md §17.2): what their key slots wrap, unless they are an
/// owner whose slot wraps the master key itself. From it come the key pair that clients' keys are
/// sealed to (so an owner can grant access without the practitioner present) and the key of the
/// bundle that carries their role's subkeys.
public struct PersonalKey: Sendable {
  /// The 32 random bytes a practitioner's slots wrap.
  public let secret: SecretKey
  /// Opens grants sealed to this practitioner.
  let box: BoxKeyPair
  /// Seals and opens this practitioner's bundle.
  let bundleKey: SecretKey

  /// The keys derived from `secret`.
  public init(_ secret: SecretKey) throws {
    self.secret = secret
    box = try BoxKeyPair(seed: secret.derive(id: 1, context: Binding.personalKeyContext))
    bundleKey = try secret.derive(id: 2, context: Binding.personalKeyContext)
  }

  /// The public key grants are sealed to.
  public var publicKey: [UInt8] { box.publicKey }
}

/// The keys a practitioner's role gives them, sealed under their personal key inside the
/// registry (FORMAT.md §17.3). Only an owner can write one (it holds keys derived from the master
/// key) and only the practitioner can open it; another practitioner who can write files cannot
/// swap in keys of their own, because they do not know this practitioner's personal key.
struct StaffBundle: Sendable {
  /// Checks the registry's signature.
  let registryPublicKey: [UInt8]
  /// Clients' keys are sealed to this (the practice's owners).
  let ownerPublicKey: [UInt8]
  /// The config's log public key and signing public key: the config is checked against these
  /// (only owners hold its MAC key).
  let logPublicKey: [UInt8], signingPublicKey: [UInt8]
  /// Subkey id → key; id 0 is the master key (owners).
  let subkeys: [UInt8: SecretKey]

  /// The sealed bundle of `practitioner` (whose id and role it binds).
  func sealed(for practitioner: RandomID, role: Role, personal: PersonalKey, vault: RandomID) throws -> [UInt8] {
    let ids = subkeys.keys.sorted()
    var plain = ByteWriter()
    plain.write(registryPublicKey)
    plain.write(ownerPublicKey)
    plain.write(logPublicKey)
    plain.write(signingPublicKey)
    plain.write(UInt8(ids.count))
    plain.write(ids)
    let clear = plain.bytes
    let message = try SecureBytes.joining(clear, ids.map { subkeys[$0]! })
    return try message.withUnsafeBytes {
      try AEAD.seal($0, using: personal.bundleKey, binding: Self.associatedData(practitioner: practitioner, role: role, vault: vault))
    }
  }

  /// Opens `sealed` with the practitioner's personal key.
  static func open(_ sealed: [UInt8], practitioner: RandomID, role: Role, personal: PersonalKey, vault: RandomID) throws -> StaffBundle {
    let plain = try AEAD.openSecret(sealed, using: personal.bundleKey, binding: associatedData(practitioner: practitioner, role: role, vault: vault))
    return try plain.withUnsafeBytes { p in
      let fixed = 4 * 32 + 1
      guard p.count >= fixed else { throw FormatError.truncated }
      let n = Int(p[fixed - 1])
      guard p.count == fixed + n * (1 + SecretKey.size) else { throw FormatError.invalidField("key bundle has the wrong length") }
      var subkeys: [UInt8: SecretKey] = [:]
      for i in 0..<n {
        let at = fixed + n + i * SecretKey.size
        subkeys[p[fixed + i]] = try SecretKey(SecureBytes(copying: UnsafeRawBufferPointer(rebasing: p[at..<(at + SecretKey.size)])))
      }
      guard subkeys.count == n else { throw FormatError.invalidField("key bundle names a subkey twice") }
      return StaffBundle(
        registryPublicKey: Array(p[0..<32]), ownerPublicKey: Array(p[32..<64]), logPublicKey: Array(p[64..<96]), signingPublicKey: Array(p[96..<128]),
        subkeys: subkeys)
    }
  }

  static func associatedData(practitioner: RandomID, role: Role, vault: RandomID) -> [UInt8] {
    Binding.practitioners + vault.bytes + practitioner.bytes + [role.rawValue]
  }
}
