import VaultCrypto

/// A key slot as `passwd` and `info` describe it.
public struct SlotSummary: Encodable, Sendable, Equatable {
  /// The slot's id (hex); "id" in JSON, as in `info`'s slots.
  public let slot: String
  public let label: String
  /// Argon2id passes and memory in bytes.
  public let opsLimit: UInt64, memLimit: UInt64

  enum CodingKeys: String, CodingKey {
    case slot = "id"
    case label, opsLimit, memLimit
  }
}

/// Passphrases and key slots of an unlocked practice.
public struct Keys {
  let practice: Practice

  /// Rewraps the slot that unlocked with `passphrase` (its label changed to `label`, its cost to
  /// `cost` when given); the old passphrase no longer unlocks.
  public func changePassphrase(to passphrase: SecureBytes, label: String?, cost: KDFLevel?) throws -> SlotSummary {
    try practice.access(.keyChange) {
      let slot = try practice.unlockedKeys.changePassphrase(to: passphrase, label: label, kdf: cost?.parameters, now: practice.now)
      try registerRecoveredSlot(slot)
      return .init(
        value: SlotSummary(slot: slot.id.hex, label: slot.label, opsLimit: slot.kdf.opsLimit, memLimit: slot.kdf.memLimit),
        detail: "key slot '\(slot.label)' rewrapped\(cost.map { " (Argon2id cost: \($0.rawValue))" } ?? "")")
    }
  }
}

extension Keys {
  /// A passphrase slot the recovery key wrote anew (the old one was lost) joins its owner in the
  /// registry, which refuses unlisted master-key slots.
  private func registerRecoveredSlot(_ slot: KeySlot) throws {
    let records = try practice.records
    guard slot.kind == .passphrase, var registry = try records.writtenRegistry(), registry.owner(ofSlot: slot.id) == nil else { return }
    if let i = registry.practitioners.firstIndex(where: { $0.role == .owner && $0.name.lowercased() == slot.label.lowercased() }) {
      registry.practitioners[i].slots = Array((registry.practitioners[i].slots + [slot.id]).suffix(Practitioner.maxSlots))
    } else if registry.named(slot.label) != nil {
      // Another practitioner's name: the new owner slot needs one of its own.
      throw AccessError.practitionerExists(slot.label)
    } else {
      registry.practitioners.append(
        Practitioner(
          id: try RandomID.generate(), name: slot.label, role: .owner, supervisor: nil, publicKey: [UInt8](repeating: 0, count: 32), added: slot.created,
          slots: [slot.id], bundle: []))
    }
    _ = try records.write(registry)
  }

  /// Issues a new recovery key and retires every earlier one (a key that was lost, seen, or held
  /// by someone who left). The new slot is written first and recorded; only then are the old
  /// ones removed, so an interruption or a log that refuses the entry never leaves the vault
  /// without a recovery key. `file` is created (it must not exist) before anything changes; the
  /// key is returned to be shown when it is not saved there.
  public func rotateRecoveryKey(savingTo file: String? = nil) throws -> RecoveryRotation {
    try practice.authorize(.recoveryRotate, client: nil)
    let saved = try file.map { try PrivateFile(creating: $0) }
    let unlocked = try practice.unlockedKeys
    let key: RecoveryKey
    let slot: KeySlot
    do {
      (key, slot) = try unlocked.addRecoverySlot(now: practice.now)
    } catch {
      saved?.discard()
      throw error
    }
    let retiring = try practice.vault.keySlots().slots.filter { $0.kind == .recovery && $0.id != slot.id }.count
    do {
      try practice.record(.recoveryRotate, detail: "recovery slot \(slot.id.hex.prefix(8)) issued; \(retiring) earlier recovery slot(s) retired")
    } catch {
      try? FileSystem.remove(practice.vault.layout.slot(slot.id))
      saved?.discard()
      throw error
    }
    let text = try key.encoded()
    var savedTo: String?
    if let saved {
      // A key that cannot be saved is shown instead, never lost.
      do {
        try saved.finish(writing: text + "\n")
        savedTo = saved.path
      } catch { saved.discard() }
    }
    let retired = try unlocked.retireRecoverySlots(keeping: slot.id)
    return RecoveryRotation(slot: slot.id.hex, retired: retired, recoveryKey: savedTo == nil ? text : nil, recoveryKeyFile: savedTo)
  }
}

/// What `recovery rotate` did (docs/JSON.md, "recoveryRotation").
public struct RecoveryRotation: Encodable, Sendable {
  /// The new recovery slot's id.
  public let slot: String
  /// How many earlier recovery slots were removed.
  public let retired: Int
  /// The new key, when it was not saved to a file: shown this once.
  public let recoveryKey: String?
  /// The file the new key was saved to.
  public let recoveryKeyFile: String?
}

extension Keys {
  /// Keeps this unlock in the kernel keyring (`vault unlock`): later commands use it without
  /// asking until `timeout` seconds from now, or `idle` seconds without use, whichever comes first.
  /// - Throws: `KeyringError.unavailable` where the kernel keyring cannot be used.
  public func startSession(timeout: Int64, idle: Int64) throws -> SessionReport {
    try practice.access(.sessionStart) {
      let session = try Sessions().start(practice.unlockedKeys, timeout: timeout, idle: idle)
      return .init(
        value: SessionReport(session),
        detail: "until \(LogEntry.format(seconds: session.expires)), or \(idle) s unused")
    }
  }

  /// Ends this vault's unlock session (`vault lock`); keyless. Returns who it belonged to, or nil if there was none.
  public func endSession() throws -> String? {
    try practice.access(.sessionEnd) {
      let id = practice.vault.config.vaultID
      let store = SessionStore()
      let name = (try? store.status(vault: id))??.session.practitionerName
      let ended = try store.end(vault: id)
      return .init(value: ended ? name ?? "someone" : nil, detail: ended ? "session of \(name ?? "unknown") ended" : "no session")
    }
  }

  /// The unlock session's state (`vault status`); reads only the keyring, and records nothing.
  public static func sessionStatus(_ vault: Vault) -> SessionReport {
    do {
      let status = try SessionStore().status(vault: vault.config.vaultID)
      return SessionReport(status?.session, kernel: status?.kernel)
    } catch let e as KeyringError {
      return SessionReport(nil, unavailable: e.description)
    } catch {
      return SessionReport(nil, unavailable: "\(error)")
    }
  }
}
