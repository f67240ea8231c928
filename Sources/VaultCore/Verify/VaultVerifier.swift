import VaultCrypto

/// Checks a vault file by file and reports every problem (FORMAT.md §10).
///
/// Without keys it checks structure, checksums, object names against content hashes and
/// file modes. With keys it also authenticates the config and index, unwraps every client
/// key and decrypts every object the index reaches.
public struct VaultVerifier {
  /// The vault being checked.
  public let vault: Vault
  /// Called with (objects checked, total) as object checks progress.
  public var progress: (Int, Int) -> Void = { _, _ in }

  /// A verifier for `vault`.
  public init(vault: Vault) { self.vault = vault }

  /// Runs every check; `unlocked` adds the keyed ones.
  public func run(unlocked: UnlockedVault? = nil) throws -> [Finding] {
    let layout = vault.layout
    var findings: [Finding] = []
    findings += checkTopLevel()
    findings += checkModes()

    let (slots, slotFindings) = try vault.keySlots()
    findings += slotFindings
    if slots.isEmpty { findings.append(Finding(.error, "slots", "no usable key slot: the vault cannot be unlocked")) }
    if !slots.contains(where: { $0.kind == .recovery }) {
      findings.append(Finding(.warning, "slots", "no recovery-key slot: a forgotten passphrase would lose the vault"))
    }

    var index: VaultIndex?
    do {
      let bytes = try FileSystem.readFile(layout.index, limit: VaultIndex.maximumFileSize)
      if let unlocked {
        do {
          index = try VaultIndex.decode(bytes, keys: unlocked.keys, vault: vault.config.vaultID)
        } catch CryptoError.authenticationFailed {
          findings.append(Finding(.error, "index", "index does not authenticate (modified, or from another vault)"))
        }
      } else {
        try VaultIndex.checkStructure(bytes)
      }
    } catch {
      findings.append(Finding(.error, "index", "\(error)"))
    }

    var clientKeys: [RandomID: SecretKey] = [:]
    for name in try FileSystem.list(layout.clientKeys) {
      let rel = "clientkeys/\(name)"
      guard let id = RandomID(hex: name) else {
        findings.append(Finding(.warning, rel, "unexpected file in clientkeys/"))
        continue
      }
      do {
        let bytes = try FileSystem.readFile(layout.clientKey(id), limit: 4096)
        guard try ClientKeyFile.client(in: bytes) == id else {
          findings.append(Finding(.error, rel, "client id inside the file does not match its name"))
          continue
        }
        if let unlocked {
          clientKeys[id] = try ClientKeyFile.decode(bytes, client: id, keys: unlocked.keys, vault: vault.config.vaultID)
        }
      } catch CryptoError.authenticationFailed {
        findings.append(Finding(.error, rel, "client key does not authenticate (modified, or moved from another client)"))
      } catch {
        findings.append(Finding(.error, rel, "client key file is damaged: \(error)"))
      }
    }

    let store = layout.objectStore
    let (objects, strays) = try store.list()
    findings += strays.map { Finding(.warning, "objects/\($0)", "unexpected file in objects/") }
    var damaged = Set<ObjectID>()
    for (n, id) in objects.enumerated() {
      do { try store.checkHash(id) } catch {
        damaged.insert(id)
        findings.append(Finding(.error, relative(store.path(for: id)), Self.describe(error)))
      }
      progress(n + 1, objects.count)
    }

    if let index {
      let present = Set(objects)
      let scratch = try? ReadScratch()
      var referenced = Set<ObjectID>()
      for entry in index.entries {
        referenced.insert(entry.clientIndex)
        if entry.client == .none {
          referenced.formUnion(checkPractice(entry.clientIndex, present: present, damaged: damaged, keys: unlocked?.keys, scratch: scratch, into: &findings))
          continue
        }
        guard let key = clientKeys[entry.client] else {
          findings.append(Finding(.error, "clientkeys/\(entry.client.hex)", "client key is missing or unreadable; this client's records cannot be decrypted"))
          continue
        }
        guard present.contains(entry.clientIndex) else {
          findings.append(Finding(.error, relative(store.path(for: entry.clientIndex)), "object named by the index is missing"))
          continue
        }
        guard !damaged.contains(entry.clientIndex) else { continue }
        let clientIndex: ClientIndex
        do {
          let plain = try store.get(
            entry.clientIndex, binding: ObjectBinding(type: .clientIndex, client: entry.client), key: key, vault: vault.config.vaultID,
            limit: ObjectType.clientIndex.maximumContent, scratch: scratch)
          clientIndex = try ClientIndex.decode(plain)
        } catch {
          findings.append(Finding(.error, relative(store.path(for: entry.clientIndex)), Self.describe(error)))
          continue
        }
        // Every record version, note version and addendum must open as what the client index says it is.
        for (id, type) in clientIndex.referencedObjects {
          referenced.insert(id)
          let path = relative(store.path(for: id))
          guard present.contains(id) else {
            findings.append(Finding(.error, path, "\(type) object named by client index \(entry.clientIndex.hex.prefix(12))… is missing"))
            continue
          }
          guard !damaged.contains(id) else { continue }
          do {
            try store.reader(id, binding: ObjectBinding(type: type, client: entry.client), key: key, vault: vault.config.vaultID, scratch: scratch)
              .readAll { _ in }
          } catch {
            findings.append(Finding(.error, path, Self.describe(error)))
          }
        }
      }
      for id in objects where !referenced.contains(id) && !damaged.contains(id) {
        findings.append(Finding(.warning, relative(store.path(for: id)), "object is not referenced by the index (left by an interrupted write, or put there by someone else)"))
      }
      let known = Set(index.entries.map(\.client))
      for id in clientKeys.keys where !known.contains(id) {
        findings.append(Finding(.warning, "clientkeys/\(id.hex)", "client key belongs to no client in the index"))
      }
    }
    do {
      let log = AccessLog(vault: vault)
      let report = try LogVerifier(log: log).run(unlocked: unlocked)
      findings += report.findings
      // Vault.create writes the first entry: a log without it lost its start, or all of it.
      if report.entries == 0 {
        findings.append(Finding(.error, "log", "the access log is empty or missing: every vault's log starts with its init entry, so it was deleted"))
      } else if let unlocked, let first = try? log.firstEntry(unlocked: unlocked),
        first.action != LogEntry.initAction || first.actor == LogEntry.system
      {
        // Init is always written with the key; a keyless "init" is a forged start.
        findings.append(Finding(.error, "log", "entry 1 is not the vault's own init entry: the start of the log was deleted or replaced"))
      }
    } catch {
      findings.append(Finding(.error, "log", "the access log cannot be read: \(VaultError.from(error))"))
    }
    return findings
  }

  /// The practice index (the all-zero index entry) and the forms it names, under the vault-object key.
  private func checkPractice(
    _ id: ObjectID, present: Set<ObjectID>, damaged: Set<ObjectID>, keys: VaultKeys?, scratch: ReadScratch?, into findings: inout [Finding]
  ) -> Set<ObjectID> {
    let store = vault.layout.objectStore
    let path = relative(store.path(for: id))
    guard let keys else { return [] }
    guard present.contains(id) else {
      findings.append(Finding(.error, path, "practice index named by the index is missing"))
      return []
    }
    guard !damaged.contains(id) else { return [] }
    let practice: PracticeIndex
    do {
      practice = try PracticeIndex.decode(
        store.get(
          id, binding: ObjectBinding(type: .practiceIndex, client: .none), key: keys.vaultObjects, vault: vault.config.vaultID,
          limit: ObjectType.practiceIndex.maximumContent, scratch: scratch))
    } catch {
      findings.append(Finding(.error, path, Self.describe(error)))
      return []
    }
    var referenced = Set<ObjectID>()
    for form in practice.forms {
      referenced.insert(form.file.object)
      let formPath = relative(store.path(for: form.file.object))
      guard present.contains(form.file.object) else {
        findings.append(Finding(.error, formPath, "\(form.kind) form version '\(form.version)' is missing"))
        continue
      }
      guard !damaged.contains(form.file.object) else { continue }
      do {
        try store.reader(form.file.object, binding: ObjectBinding(type: .document, client: .none), key: keys.vaultObjects, vault: vault.config.vaultID, scratch: scratch)
          .readAll { _ in }
      } catch {
        findings.append(Finding(.error, formPath, Self.describe(error)))
      }
    }
    return referenced
  }

  private func checkTopLevel() -> [Finding] {
    var out: [Finding] = []
    for name in (try? FileSystem.list(vault.layout.root)) ?? [] where !VaultLayout.topLevelNames.contains(name) {
      out.append(Finding(.warning, name, "unexpected file in the vault directory"))
    }
    for name in (try? FileSystem.list(vault.layout.tmp)) ?? [] {
      let what = "tmp/\(name)" == "tmp/" + FileSystem.lastComponent(vault.layout.unfinishedMarker)
        ? "a command was interrupted after writing objects it had not committed; the next command that writes reclaims them"
        : "leftover of an interrupted write; the next command that writes removes it"
      out.append(Finding(.warning, "tmp/\(name)", what))
    }
    return out
  }

  private func checkModes() -> [Finding] {
    let l = vault.layout
    var out: [Finding] = []
    for dir in [l.root] + l.directories {
      if let m = try? FileSystem.mode(dir), m & 0o077 != 0 {
        out.append(Finding(.warning, relative(dir), "directory is accessible to other users (mode \(String(m, radix: 8))); run chmod 700"))
      }
    }
    var files = [l.config, l.index, l.lock, l.logEntries, l.logCheckpoints]
    for dir in [l.slots, l.clientKeys] { files += ((try? FileSystem.list(dir)) ?? []).map { "\(dir)/\($0)" } }
    for sub in (try? FileSystem.list(l.objects)) ?? [] {
      let subPath = "\(l.objects)/\(sub)"
      if FileSystem.isSymbolicLink(subPath) {
        out.append(Finding(.error, relative(subPath), Vault.symlinkMessage))
        continue
      }
      if let m = try? FileSystem.mode(subPath), m & 0o077 != 0 {
        out.append(Finding(.warning, relative(subPath), "directory is accessible to other users (mode \(String(m, radix: 8))); run chmod 700"))
      }
      files += ((try? FileSystem.list(subPath)) ?? []).map { "\(subPath)/\($0)" }
    }
    files += ((try? FileSystem.list(l.log)) ?? []).map { "\(l.log)/\($0)" } + ((try? FileSystem.list(l.tmp)) ?? []).map { "\(l.tmp)/\($0)" }
    // Commands refuse to follow a symlink anywhere in a vault; verify names each one.
    for path in Set(files) where FileSystem.isSymbolicLink(path) {
      out.append(Finding(.error, relative(path), Vault.symlinkMessage))
    }
    for file in files where !FileSystem.isSymbolicLink(file) {
      if let m = try? FileSystem.mode(file), m & 0o077 != 0 {
        out.append(Finding(.warning, relative(file), "file is accessible to other users (mode \(String(m, radix: 8))); run chmod 600"))
      }
    }
    return out
  }

  private func relative(_ path: String) -> String {
    path.hasPrefix(vault.layout.root + "/") ? String(path.dropFirst(vault.layout.root.count + 1)) : path
  }

  static func describe(_ error: any Error) -> String {
    switch error {
    case ObjectError.missing: "object is missing"
    case ObjectError.corrupted(_, let why): why
    case ObjectError.tooLarge: "object is larger than expected"
    case let e as FormatError: "client index cannot be parsed: \(e)"
    default: "\(error)"
    }
  }
}
