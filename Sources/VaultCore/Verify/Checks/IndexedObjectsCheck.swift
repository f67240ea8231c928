import VaultCrypto

/// Keyed: every object the index reaches opens as what it is said to be. For each client, its
/// client index (under its client key) and every record, note, addendum and consent version it
/// names; for the practice entry, the practice index and every form it names (under the
/// vault-object key). Sets `context.referenced`.
struct IndexedObjectsCheck: VaultCheck {
  let name = "indexed objects"

  func check(_ context: VaultCheckContext, _ findings: inout [Finding]) throws {
    guard let index = context.index else { return }
    let store = context.store
    let present = Set(context.objects)
    let scratch = try? ReadScratch()
    for entry in index.entries {
      context.referenced.insert(entry.clientIndex)
      if entry.client == .none {
        context.referenced.formUnion(checkPractice(entry.clientIndex, context, present: present, scratch: scratch, &findings))
        continue
      }
      guard let ring = context.clientKeys[entry.client], !ring.clinical.isEmpty else {
        findings.append(Finding(.error, "clientkeys/\(entry.client.hex)", "client key is missing or unreadable; this client's records cannot be decrypted"))
        continue
      }
      guard present.contains(entry.clientIndex) else {
        findings.append(Finding(.error, context.path(of: entry.clientIndex), "object named by the index is missing"))
        continue
      }
      guard !context.damaged.contains(entry.clientIndex) else { continue }
      let clientIndex: ClientIndex
      do {
        let plain = try store.get(
          entry.clientIndex, binding: ObjectBinding(type: .clientIndex, client: entry.client), keys: ring.clinical, vault: context.vaultID,
          limit: ObjectType.clientIndex.maximumContent, scratch: scratch)
        clientIndex = try ClientIndex.decode(plain)
      } catch {
        findings.append(Finding(.error, context.path(of: entry.clientIndex), VaultVerifier.describe(error)))
        continue
      }
      // The register (a practice with practitioners) must open under the newest epoch's key.
      if let register = entry.register {
        context.referenced.insert(register)
        do {
          _ = try ClientIndex.decode(
            store.get(
              register, binding: ObjectBinding(type: .register, client: entry.client), keys: [ring.register], vault: context.vaultID,
              limit: ObjectType.register.maximumContent, scratch: scratch), register: true)
        } catch {
          findings.append(Finding(.error, context.path(of: register), "client register: \(VaultVerifier.describe(error))"))
        }
      } else if index.revision == 1 {
        findings.append(Finding(.error, "index", "client \(entry.client.hex.prefix(8))… has no register object"))
      }
      // Every record version, note version and addendum must open as what the client index says it is.
      for (id, type) in clientIndex.referencedObjects {
        context.referenced.insert(id)
        let path = context.path(of: id)
        guard present.contains(id) else {
          findings.append(Finding(.error, path, "\(type) object named by client index \(entry.clientIndex.hex.prefix(12))… is missing"))
          continue
        }
        guard !context.damaged.contains(id) else { continue }
        do {
          try store.reader(id, binding: ObjectBinding(type: type, client: entry.client), keys: ring.clinical, vault: context.vaultID, scratch: scratch)
            .readAll { _ in }
        } catch {
          findings.append(Finding(.error, path, VaultVerifier.describe(error)))
        }
      }
    }
  }

  /// The practice index (the all-zero index entry) and the forms it names, under the vault-object
  /// key; returns the forms' objects.
  private func checkPractice(
    _ id: ObjectID, _ context: VaultCheckContext, present: Set<ObjectID>, scratch: ReadScratch?, _ findings: inout [Finding]
  ) -> Set<ObjectID> {
    let store = context.store
    let path = context.path(of: id)
    guard let keys = context.unlocked?.keys else { return [] }
    guard present.contains(id) else {
      findings.append(Finding(.error, path, "practice index named by the index is missing"))
      return []
    }
    guard !context.damaged.contains(id) else { return [] }
    let practice: PracticeIndex
    do {
      practice = try PracticeIndex.decode(
        store.get(
          id, binding: ObjectBinding(type: .practiceIndex, client: .none), key: keys.vaultObjects, vault: context.vaultID,
          limit: ObjectType.practiceIndex.maximumContent, scratch: scratch))
    } catch {
      findings.append(Finding(.error, path, VaultVerifier.describe(error)))
      return []
    }
    var referenced = Set<ObjectID>()
    for form in practice.forms {
      referenced.insert(form.file.object)
      let formPath = context.path(of: form.file.object)
      guard present.contains(form.file.object) else {
        findings.append(Finding(.error, formPath, "\(form.kind) form version '\(form.version)' is missing"))
        continue
      }
      guard !context.damaged.contains(form.file.object) else { continue }
      do {
        try store.reader(
          form.file.object, binding: ObjectBinding(type: .document, client: .none), key: keys.vaultObjects, vault: context.vaultID, scratch: scratch
        )
        .readAll { _ in }
      } catch {
        findings.append(Finding(.error, formPath, VaultVerifier.describe(error)))
      }
    }
    return referenced
  }
}
