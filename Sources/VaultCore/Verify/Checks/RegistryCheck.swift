import VaultCrypto

/// The practitioner registry (`practitioners`, FORMAT.md §17.1): without a key, its structure and
/// checksum, and that an index of revision 1 (a practice) has one; keyed, its signature and that
/// its generation is not below the one the index records (a registry rolled back). A vault
/// without practitioners has no registry and nothing to check. Reads `context.index` (keyed).
struct RegistryCheck: VaultCheck {
  let name = "practitioner registry"

  func check(_ context: VaultCheckContext, _ findings: inout [Finding]) throws {
    let parsed: (registry: PractitionerRegistry, body: [UInt8], signature: [UInt8])
    do {
      let bytes: [UInt8]
      do {
        bytes = try FileSystem.readFile(context.layout.practitioners, limit: PractitionerRegistry.maximumFileSize)
      } catch let e as StorageError where e.isNotFound {
        if indexRevision(context) == 1 {
          findings.append(Finding(.error, "practitioners", "the practitioner registry is missing, but the index is a practice's (deleted)"))
        }
        return
      }
      parsed = try PractitionerRegistry.decode(bytes)
    } catch {
      findings.append(Finding(.error, "practitioners", "the practitioner registry is damaged: \(error)"))
      return
    }
    try slots(parsed.registry, context, &findings)
    guard let unlocked = context.unlocked else { return }
    do {
      try PractitionerRegistry.verify(body: parsed.body, signature: parsed.signature, keys: unlocked.keys, vault: context.vaultID)
    } catch {
      findings.append(Finding(.error, "practitioners", "the practitioner registry's signature does not verify (modified by someone without an owner's key)"))
      return
    }
    if let index = context.index, index.revision == 1, parsed.registry.generation < index.registryGeneration {
      findings.append(
        Finding(
          .error, "practitioners",
          "the practitioner registry (generation \(parsed.registry.generation)) is older than the index records (\(index.registryGeneration)): rolled back"))
    }
  }

  /// Slots and the registry, without a key: a passphrase slot (kind 1 or 3) no practitioner lists
  /// opens nothing (the unlock refuses it), and a listed slot that is missing leaves its
  /// practitioner one passphrase short. Both are warnings: an interrupted removal leaves the first.
  private func slots(_ registry: PractitionerRegistry, _ context: VaultCheckContext, _ findings: inout [Finding]) throws {
    let slots = try context.vault.keySlots().slots
    for slot in slots where slot.kind != .recovery && registry.owner(ofSlot: slot.id) == nil {
      findings.append(
        Finding(
          .warning, "slots/\(slot.id.hex)",
          "key slot '\(slot.label)' belongs to no practitioner of the registry, so it opens nothing (left by an interrupted removal, or planted)"))
    }
    let present = Set(slots.map(\.id))
    for p in registry.practitioners {
      for id in p.slots where !present.contains(id) {
        findings.append(Finding(.warning, "practitioners", "\(p.name)'s key slot \(id.hex) is missing"))
      }
    }
  }

  /// The index's revision, from its header (readable without a key); nil if it cannot be read
  /// (the index check reports that).
  private func indexRevision(_ context: VaultCheckContext) -> UInt8? {
    if let index = context.index { return index.revision }
    guard let bytes = try? FileSystem.readFile(context.layout.index, limit: VaultIndex.maximumFileSize),
      let decoded = try? ChecksummedFile.decode(.index, bytes, revisions: 0...1)
    else { return nil }
    return decoded.revision
  }
}
