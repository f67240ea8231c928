import VaultCrypto

/// One member of the practice, as the registry lists them (FORMAT.md §17.1).
public struct Practitioner: Sendable, Equatable {
  /// Random, stable across renames; the log records it next to the name.
  public let id: RandomID
  /// The name people type (`--as`, `--to`) and the log shows; unique within the practice.
  public var name: String
  /// What they may do.
  public let role: Role
  /// The supervisor who reads this clinician's clients (nil for none).
  public var supervisor: RandomID?
  /// The public key clients' keys are sealed to (all zero for an owner whose slots wrap the master key).
  public let publicKey: [UInt8]
  /// When they were added (Unix seconds).
  public let added: Int64
  /// Their key slots.
  public var slots: [RandomID]
  /// Their role's keys, sealed under their personal key (empty when the slots wrap the master key).
  let bundle: [UInt8]

  /// Longest name, in UTF-8 bytes (a slot label's bound, §5.1).
  public static let maxNameBytes = KeySlot.maxLabelBytes
  /// The most slots one practitioner has.
  static let maxSlots = 8

  /// Whether their slots wrap the master key directly (the owner of a format-1 vault, §17.1).
  var holdsMasterKeyInSlots: Bool { bundle.isEmpty }
}

/// The practice's practitioners: a clear file (so that unlocking can find a person's slots before
/// any key), signed with a key only owners hold (FORMAT.md §17.1).
public struct PractitionerRegistry: Sendable, Equatable {
  /// Grows with every change; a registry never replaces one with a higher generation.
  public var generation: UInt64
  /// Every practitioner, in the order they were added.
  public var practitioners: [Practitioner]

  /// The most practitioners a registry lists.
  static let maxPractitioners = 256
  /// The largest registry file, checked before it is read.
  static let maximumFileSize = 1 << 20

  /// The practitioner named `name` (exact match, case-insensitive).
  public func named(_ name: String) -> Practitioner? {
    practitioners.first { $0.name.lowercased() == name.lowercased() }
  }

  /// The practitioner with id `id`.
  public func practitioner(_ id: RandomID) -> Practitioner? { practitioners.first { $0.id == id } }

  /// The practitioner one of whose slots is `slot`.
  public func owner(ofSlot slot: RandomID) -> Practitioner? { practitioners.first { $0.slots.contains(slot) } }

  /// The owners.
  var owners: [Practitioner] { practitioners.filter { $0.role == .owner } }

  /// The registry file: header ‖ body ‖ signature ‖ checksum.
  func encoded(signing: SigningKeyPair, vault: RandomID) throws -> [UInt8] {
    // Never write what a reader refuses: that would lock everyone out, owners included.
    let names = practitioners.map { $0.name.lowercased() }, ids = practitioners.map(\.id)
    guard Set(names).count == names.count, Set(ids).count == ids.count, practitioners.count <= Self.maxPractitioners,
      practitioners.allSatisfy({ !$0.name.isEmpty && $0.name.utf8.count <= Practitioner.maxNameBytes && (1...Practitioner.maxSlots).contains($0.slots.count) })
    else { throw VaultError.internalError("a practitioner registry that readers would refuse (a name twice, or a bound exceeded); nothing was written") }
    let body = self.body
    let signature = signing.sign(Self.message(body: body, vault: vault))
    return try ChecksummedFile.encode(.practitioners, body: body + signature)
  }

  private var body: [UInt8] {
    var w = ByteWriter()
    w.write(generation)
    w.write(UInt16(practitioners.count))
    for p in practitioners {
      w.write(p.id.bytes)
      w.writeString(p.name)
      w.write(p.role.rawValue)
      w.write((p.supervisor ?? .none).bytes)
      w.write(p.publicKey)
      w.write(p.added)
      w.write(UInt8(p.slots.count))
      for s in p.slots { w.write(s.bytes) }
      w.write(UInt16(p.bundle.count))
      w.write(p.bundle)
    }
    return w.bytes
  }

  static func message(body: [UInt8], vault: RandomID) -> [UInt8] {
    Binding.practitioners + vault.bytes + FileHeader.encode(.practitioners) + body
  }

  /// Parses a registry file without a key; `verify` checks its signature once a key is at hand.
  static func decode(_ bytes: [UInt8]) throws -> (registry: PractitionerRegistry, body: [UInt8], signature: [UInt8]) {
    let all = try ChecksummedFile.decode(.practitioners, bytes)
    guard all.count >= Signing.signatureSize else { throw FormatError.truncated }
    let body = Array(all.dropLast(Signing.signatureSize))
    var r = ByteReader(body)
    let generation = try r.readUInt64()
    let count = Int(try r.readUInt16())
    guard count <= maxPractitioners else { throw FormatError.invalidField("more than \(maxPractitioners) practitioners") }
    var list: [Practitioner] = []
    for _ in 0..<count {
      let id = try RandomID(bytes: r.read(RandomID.size))
      let name = try r.readString(maxBytes: Practitioner.maxNameBytes)
      let rawRole = try r.readUInt8()
      guard let role = Role(rawValue: rawRole) else { throw FormatError.invalidField("unknown role \(rawRole)") }
      let supervisor = try RandomID(bytes: r.read(RandomID.size))
      let publicKey = try r.read(SealedBox.publicKeySize)
      let added = try r.readInt64()
      let slotCount = Int(try r.readUInt8())
      guard (1...Practitioner.maxSlots).contains(slotCount) else { throw FormatError.invalidField("a practitioner has \(slotCount) slots") }
      let slots = try (0..<slotCount).map { _ in try RandomID(bytes: r.read(RandomID.size)) }
      let bundle = try r.read(Int(r.readUInt16()))
      guard !name.isEmpty, !list.contains(where: { $0.id == id || $0.name.lowercased() == name.lowercased() }) else {
        throw FormatError.invalidField("two practitioners share an id or a name")
      }
      list.append(
        Practitioner(
          id: id, name: name, role: role, supervisor: supervisor == .none ? nil : supervisor, publicKey: publicKey, added: added, slots: slots,
          bundle: bundle))
    }
    try r.expectEnd()
    return (PractitionerRegistry(generation: generation, practitioners: list), body, Array(all.suffix(Signing.signatureSize)))
  }

  /// Reads and parses `path` without a key; nil when the practice has no registry (a format-1 vault).
  static func read(_ path: String) throws -> (registry: PractitionerRegistry, body: [UInt8], signature: [UInt8])? {
    let bytes: [UInt8]
    do { bytes = try FileSystem.readFile(path, limit: maximumFileSize) } catch let e as StorageError where e.isNotFound { return nil }
    do { return try decode(bytes) } catch {
      throw VaultError.integrity([Finding(.error, "practitioners", "the practitioner registry is damaged: \(error)")])
    }
  }

  /// Throws unless `signature` over `body` verifies with the registry key of `keys`.
  static func verify(body: [UInt8], signature: [UInt8], keys: VaultKeys, vault: RandomID) throws {
    do { try Signing.verify(signature, of: message(body: body, vault: vault), publicKey: keys.registryPublicKey) } catch {
      throw VaultError.integrity([Finding(.error, "practitioners", "the practitioner registry's signature does not verify (modified by someone without an owner's key)")])
    }
  }
}
