import VaultCrypto

/// How a key slot's key-encryption key is made.
public enum SlotKind: UInt8, Sendable, CustomStringConvertible {
  /// Argon2id13 over a passphrase.
  case passphrase = 1
  /// Keyed BLAKE2b over a 256-bit recovery key.
  case recovery = 2
  /// Argon2id13 over a passphrase, wrapping a practitioner's personal key, not the master key (FORMAT.md §17.2).
  case personal = 3

  /// The name shown by `vault info`.
  public var description: String {
    switch self {
    case .passphrase: "passphrase"
    case .recovery: "recovery key"
    case .personal: "personal passphrase"
    }
  }

  /// Whether a passphrase opens it.
  public var takesPassphrase: Bool { self != .recovery }
}

/// What unlocks a slot.
public enum Credential: Sendable {
  /// A passphrase, in secure memory.
  case passphrase(SecureBytes)
  /// A parsed recovery key.
  case recoveryKey(RecoveryKey)

  /// The kind of slot this credential can open.
  public var slotKind: SlotKind {
    if case .passphrase = self { return .passphrase }
    return .recovery
  }
}

/// One way to unlock the vault: the master key wrapped under a key derived from a credential
/// (FORMAT.md §5). Changing a passphrase rewrites one slot and re-encrypts nothing else.
public struct KeySlot: Sendable {
  /// The slot's random id; also its file name.
  public let id: RandomID
  /// Passphrase or recovery key.
  public let kind: SlotKind
  /// Who this slot belongs to; recorded as the actor in the access log.
  public let label: String
  /// When the slot was written (Unix seconds, UTC).
  public let created: Int64
  /// Argon2id costs (zero for recovery slots).
  public let kdf: KDFParameters
  /// Random per-slot salt.
  public let salt: [UInt8]
  /// nonce ‖ XChaCha20-Poly1305(master key) ‖ tag.
  let wrapped: [UInt8]

  /// Longest label, in UTF-8 bytes, that writers produce and readers accept.
  public static let maxLabelBytes = 200
  static let wrappedSize = SecretKey.size + AEAD.overhead

  /// Wraps `keys.master` in a new slot for `credential`.
  public static func create(
    for credential: Credential, label: String, kdf: KDFParameters, keys: VaultKeys, vault: RandomID, now: Int64,
    id: RandomID? = nil
  ) throws -> KeySlot {
    guard let master = keys.master else { throw VaultError.access(.ownerRequired) }
    return try create(for: credential, kind: credential.slotKind, label: label, kdf: kdf, wrapping: master, vault: vault, now: now, id: id)
  }

  /// Wraps `secret` (the master key, or with `kind` personal a practitioner's personal key) in a new slot.
  static func create(
    for credential: Credential, kind: SlotKind, label: String, kdf: KDFParameters, wrapping secret: SecretKey, vault: RandomID, now: Int64,
    id: RandomID? = nil
  ) throws -> KeySlot {
    guard !label.isEmpty, label.utf8.count <= maxLabelBytes else {
      throw VaultError.invalidLabel(maximum: maxLabelBytes)
    }
    // The log's actor names: a person's slot must not pass for a keyless job or the recovery key.
    if kind.takesPassphrase && [LogEntry.system, "recovery"].contains(label) {
      throw VaultError.reservedLabel(label)
    }
    let params = kind.takesPassphrase ? kdf : KDFParameters(opsLimit: 0, memLimit: 0)
    // The AD covers every clear field, so it is computed from the slot before the key is wrapped.
    let unwrapped = KeySlot(
      id: try id ?? RandomID.generate(), kind: kind, label: label, created: now, kdf: params,
      salt: try Random.bytes(PasswordKDF.saltSize), wrapped: [])
    let kek = try unwrapped.keyEncryptionKey(credential)
    return KeySlot(
      id: unwrapped.id, kind: kind, label: label, created: now, kdf: params, salt: unwrapped.salt,
      wrapped: try AEAD.seal(secret, using: kek, binding: unwrapped.associatedData(vault: vault)))
  }

  /// Unwraps the master key (or, in a personal slot, the practitioner's personal key).
  /// - Throws: `VaultError.wrongPassphrase` or `.wrongRecoveryKey` when the credential does not open this slot.
  public func unlock(_ credential: Credential, vault: RandomID) throws -> SecretKey {
    let kek = try keyEncryptionKey(credential)
    do {
      return try AEAD.openKey(wrapped, using: kek, binding: associatedData(vault: vault))
    } catch CryptoError.authenticationFailed {
      throw kind.takesPassphrase ? VaultError.wrongPassphrase : VaultError.wrongRecoveryKey
    }
  }

  func keyEncryptionKey(_ credential: Credential) throws -> SecretKey {
    switch (kind, credential) {
    case (.passphrase, .passphrase(let p)), (.personal, .passphrase(let p)): return try PasswordKDF.derive(p, salt: salt, parameters: kdf)
    case (.recovery, .recoveryKey(let r)): return try r.keyEncryptionKey(salt: salt)
    case (.passphrase, _), (.personal, _): throw VaultError.wrongRecoveryKey
    case (.recovery, _): throw VaultError.wrongPassphrase
    }
  }

  /// Everything before the wrapped key: it is all bound as associated data, so editing the
  /// label or lowering the KDF cost makes the slot fail to open.
  var fields: [UInt8] {
    var w = ByteWriter()
    w.write(id.bytes)
    w.write(kind.rawValue)
    w.writeString(label)
    w.write(created)
    w.write(kdf.opsLimit)
    w.write(kdf.memLimit)
    w.write(salt)
    return w.bytes
  }

  func associatedData(vault: RandomID) -> [UInt8] {
    Binding.keySlot + vault.bytes + FileHeader.encode(.keySlot) + fields
  }

  /// The slot file: header ‖ fields ‖ wrapped key ‖ checksum.
  public func encoded() throws -> [UInt8] { try ChecksummedFile.encode(.keySlot, body: fields + wrapped) }

  /// Parses a slot file, bounding every field read from disk.
  public static func decode(_ bytes: [UInt8]) throws -> KeySlot {
    var r = ByteReader(try ChecksummedFile.decode(.keySlot, bytes))
    let id = try RandomID(bytes: r.read(RandomID.size))
    let rawKind = try r.readUInt8()
    guard let kind = SlotKind(rawValue: rawKind) else { throw FormatError.invalidField("unknown slot kind \(rawKind)") }
    let label = try r.readString(maxBytes: maxLabelBytes)
    let created = try r.readInt64()
    let kdf = KDFParameters(opsLimit: try r.readUInt64(), memLimit: try r.readUInt64())
    if kind.takesPassphrase {
      do { try kdf.validate() } catch { throw FormatError.invalidField("Argon2id parameters outside the accepted range") }
    } else {
      guard kdf.opsLimit == 0, kdf.memLimit == 0 else { throw FormatError.invalidField("recovery slot has KDF parameters") }
    }
    let salt = try r.read(PasswordKDF.saltSize)
    let wrapped = try r.read(wrappedSize)
    try r.expectEnd()
    return KeySlot(id: id, kind: kind, label: label, created: created, kdf: kdf, salt: salt, wrapped: wrapped)
  }
}
