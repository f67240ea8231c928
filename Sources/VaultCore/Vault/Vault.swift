#if canImport(Glibc)
  import Glibc
#endif
import VaultCrypto

/// An opened vault directory: its layout and config, and nothing secret.
///
/// This is the facade commands talk to. Keyless operations (info, keyless verify) live here;
/// anything that needs the master key goes through `UnlockedVault`.
public struct Vault: Sendable {
  /// Where the vault's files are.
  public let layout: VaultLayout
  /// Its identity and public keys.
  public let config: VaultConfig

  /// Opens the vault at `path` without unlocking it.
  /// - Throws: `.vaultNotFound`, `.unsupportedFormat`, or `.integrity` if the config is damaged.
  public static func open(at path: String) throws -> Vault {
    let layout = VaultLayout(root: path)
    let bytes: [UInt8]
    do {
      bytes = try FileSystem.readFile(layout.config, limit: 4096)
    } catch let e as StorageError where e.isNotFound || e.code == ENOTDIR {
      throw VaultError.vaultNotFound(path: layout.root)
    } catch {
      throw VaultError.from(error)
    }
    let links = layout.symbolicLinks()
    guard links.isEmpty else {
      throw VaultError.integrity(links.map { Finding(.error, $0, Vault.symlinkMessage) })
    }
    do {
      return Vault(layout: layout, config: try VaultConfig.decode(bytes))
    } catch FormatError.unsupportedVersion(let v) {
      throw VaultError.unsupportedFormat(version: v)
    } catch {
      throw VaultError.integrity([Finding(.error, "config", "\(error)")])
    }
  }

  /// Takes the vault lock: exclusive for commands that write, shared for those that only read.
  public func lock(_ mode: VaultLock.Mode, wait seconds: Double = 0) throws -> VaultLock {
    do {
      return try VaultLock(path: layout.lock, mode: mode, wait: seconds)
    } catch {
      throw VaultError.from(error)
    }
  }

  /// Gets the vault ready for a writer: recreates empty directories a copy may have dropped
  /// (git and some sync tools skip them) and removes temporary files left by interrupted
  /// writes. Call only under the exclusive lock: then no other writer can own a temporary file.
  @discardableResult
  public func prepareForWriting() throws -> Reclaimed {
    var reclaimed = Reclaimed()
    do {
      for dir in layout.directories { try Directories.makeDirectory(dir) }
      for name in try Directories.list(layout.tmp) where name.hasPrefix(AtomicFile.temporaryPrefix) {
        let path = "\(layout.tmp)/\(name)"
        reclaimed.bytes += (try? FileStatus.size(path)) ?? 0
        try FileSystem.remove(path)
        reclaimed.temporaryFiles += 1
      }
    } catch { throw VaultError.from(error) }
    return reclaimed
  }

  /// Every readable key slot, and a finding for each unreadable one.
  public func keySlots() throws -> (slots: [KeySlot], findings: [Finding]) {
    var slots: [KeySlot] = []
    var findings: [Finding] = []
    for name in try Directories.list(layout.slots) {
      let rel = "slots/\(name)"
      guard let id = RandomID(hex: name) else {
        findings.append(Finding(.warning, rel, "unexpected file in slots/"))
        continue
      }
      do {
        let slot = try KeySlot.decode(FileSystem.readFile(layout.slot(id), limit: 4096))
        guard slot.id == id else {
          findings.append(Finding(.error, rel, "slot id inside the file does not match its name"))
          continue
        }
        slots.append(slot)
      } catch {
        findings.append(Finding(.error, rel, "key slot is damaged: \(error)"))
      }
    }
    return (slots, findings)
  }

  /// Unlocks with `credential`, trying each slot of the matching kind (only `practitioner`'s when
  /// given: each passphrase slot costs one Argon2id run).
  /// - Throws: `.wrongPassphrase`/`.wrongRecoveryKey` when none opens; `.unknownPractitioner`;
  ///   `.integrity` when none opens and some slot is damaged, or when the config, the registry or
  ///   a practitioner's key bundle fails to authenticate.
  public func unlock(_ credential: Credential, as practitioner: String? = nil) throws -> UnlockedVault {
    let registry = try PractitionerRegistry.read(layout.practitioners)
    try checkRegistryPresent(registry != nil)
    let (slots, damaged) = try keySlots()
    let kind = credential.slotKind
    var candidates = slots.filter { kind == .recovery ? $0.kind == .recovery : $0.kind.takesPassphrase }
    if let name = practitioner, kind != .recovery {
      let names = registry?.registry.practitioners.map(\.name) ?? Array(Set(slots.filter { $0.kind == .passphrase }.map(\.label))).sorted()
      if let registry {
        guard let p = registry.registry.named(name) else { throw VaultError.access(.unknownPractitioner(name, known: names)) }
        candidates = candidates.filter { p.slots.contains($0.id) }
      } else {
        candidates = candidates.filter { $0.label.lowercased() == name.lowercased() }
        guard !candidates.isEmpty else { throw VaultError.access(.unknownPractitioner(name, known: names)) }
      }
    }
    // In a practice, only the slots the registry lists are tried: planted ones cost nothing.
    if let listed = registry?.registry, kind != .recovery { candidates = candidates.filter { listed.owner(ofSlot: $0.id) != nil } }
    let damagedErrors = damaged.filter { $0.severity == .error }
    guard !candidates.isEmpty else {
      // No slot of this kind at all is damage (deleted or unreadable files), not a wrong passphrase.
      throw VaultError.integrity(damagedErrors.isEmpty ? [Finding(.error, "slots", "no \(kind) slot: the vault's key files are missing")] : damagedErrors)
    }
    // Each slot costs one Argon2id run; a directory stuffed with planted slots must not make
    // unlocking take hours (FORMAT.md §5.6).
    guard candidates.count <= Self.maximumSlotsPerKind else {
      throw VaultError.integrity([
        Finding(.error, "slots", "\(candidates.count) \(kind) slots (at most \(Self.maximumSlotsPerKind) are tried)\(registry == nil ? "" : "; name yourself with --as NAME")")
      ])
    }
    var lastError: any Error = kind == .recovery ? VaultError.wrongRecoveryKey : VaultError.wrongPassphrase
    for slot in candidates {
      do {
        return try opened(slot, secret: slot.unlock(credential, vault: config.vaultID), registry: registry)
      } catch let e as VaultError where e == .wrongPassphrase || e == .wrongRecoveryKey {
        lastError = e
      } catch CryptoError.kdfFailed {
        // A slot whose cost this machine cannot pay must not stop the others from being tried.
        lastError = VaultError.notEnoughMemory(slot: slot.label, mebibytes: slot.kdf.memLimit >> 20)
      }
    }
    if !damagedErrors.isEmpty { throw VaultError.integrity(damagedErrors) }
    if case VaultError.wrongPassphrase = lastError { recordFailedUnlock("wrong passphrase" + (practitioner.map { " as \($0)" } ?? "")) }
    if case VaultError.wrongRecoveryKey = lastError { recordFailedUnlock("wrong recovery key") }
    throw lastError
  }

  /// The vault as opened by `slot`, whose wrapped `secret` is the master key or a personal key.
  /// Callers have checked that a registry is present where one must be (`checkRegistryPresent`).
  func opened(_ slot: KeySlot, secret: SecretKey, registry: (registry: PractitionerRegistry, body: [UInt8], signature: [UInt8])?) throws -> UnlockedVault {
    let keys: VaultKeys
    var personal: PersonalKey?
    let practitioner = registry?.registry.owner(ofSlot: slot.id)
    if slot.kind == .personal {
      let key = try PersonalKey(secret)
      guard let practitioner, practitioner.publicKey == key.publicKey else {
        throw VaultError.integrity([Finding(.error, "slots/\(slot.id.hex)", "this key slot belongs to no practitioner of the practice (removed, or the registry was replaced); unlock as someone 'vault practitioner list' names, with --as NAME")])
      }
      do {
        keys = try VaultKeys(
          bundle: StaffBundle.open(practitioner.bundle, practitioner: practitioner.id, role: practitioner.role, personal: key, vault: config.vaultID))
      } catch {
        throw VaultError.integrity([Finding(.error, "practitioners", "\(practitioner.name)'s key bundle does not open (modified, or from another vault); restore 'practitioners' from the latest backup, or an owner removes and re-adds \(practitioner.name)")])
      }
      personal = key
    } else {
      keys = try VaultKeys(master: secret)
    }
    guard try config.isAuthentic(for: keys) else {
      throw VaultError.integrity([Finding(.error, "config", "config does not authenticate (modified, or from another vault)")])
    }
    if let registry { try PractitionerRegistry.verify(body: registry.body, signature: registry.signature, keys: keys, vault: config.vaultID) }
    // Once there is a registry, a slot wrapping the master key must be one it lists (or the
    // recovery key's): a removed owner's slot copied back does not open the vault.
    if registry != nil, slot.kind == .passphrase, practitioner == nil {
      throw VaultError.integrity([Finding(.error, "slots/\(slot.id.hex)", "this key slot belongs to no practitioner of the practice (removed, or planted); unlock as someone 'vault practitioner list' names, with --as NAME")])
    }
    let unlocked = UnlockedVault(
      vault: self, keys: keys, slot: slot, practitioner: slot.kind == .recovery ? nil : practitioner, personal: personal, registry: registry?.registry)
    // The index records the registry's generation: an older registry (a removed practitioner put
    // back) or none at all (deleted) is refused. Without a registry the index header says whether
    // one should exist, so a format-1 vault decrypts nothing more to unlock. A damaged index is
    // `verify`'s to report.
    if let registry {
      if let index = try? unlocked.committedIndex(), index.revision == 1, registry.registry.generation < index.registryGeneration {
        throw VaultError.integrity([Finding(.error, "practitioners", "the practitioner registry is older than the index records (rolled back)" + Self.restoreRegistry)])
      }
    }
    return unlocked
  }

  /// Without a registry, the index header says whether one should exist (a vault moved to the
  /// practice layout): a deleted registry is refused before any slot is tried.
  func checkRegistryPresent(_ present: Bool) throws {
    guard !present, VaultIndex.revision(ofFileAt: layout.index) == 1 else { return }
    throw VaultError.integrity([Finding(.error, "practitioners", "the practitioner registry is missing (deleted)" + Self.restoreRegistry)])
  }

  static let restoreRegistry = "; restore the file 'practitioners' from the latest backup (OPERATIONS.md, \"On exit 10\")"

  /// The practitioner registry, read without a key (nil in a vault without practitioners).
  public func registry() throws -> PractitionerRegistry? { try PractitionerRegistry.read(layout.practitioners)?.registry }

  /// Log-in monitoring (HIPAA 164.308(a)(5)(ii)(C)): a refused unlock is recorded, sealed as
  /// "system" since there is no key, and the next person to unlock is told. Best effort: a log
  /// that cannot take the entry must not hide the refusal itself.
  private func recordFailedUnlock(_ why: String) {
    var entry = LogEntry(action: Action.unlockFailed.rawValue, actor: LogEntry.system, detail: why)
    entry.flag = "failed unlock"
    _ = try? AccessLog(vault: self).append(entry)
  }

  /// What a symlink inside a vault means.
  static let symlinkMessage = "is a symbolic link: a vault never holds symlinks, so it was replaced (commands refuse to follow it); restore it from a backup"

  /// The most slots of one kind a reader tries; one per practitioner is far below it.
  public static let maximumSlotsPerKind = 32

  /// Counts and sizes for `vault info`, read without a key.
  public func info() throws -> VaultInfo {
    let (slots, _) = try keySlots()
    let (objects, _) = try layout.objectStore.list()
    var bytes = 0
    for id in objects { bytes += (try? FileStatus.size(layout.objectStore.path(for: id))) ?? 0 }
    return VaultInfo(
      path: layout.root, formatVersion: FileHeader.currentVersion, vaultID: config.vaultID.hex,
      created: LogEntry.format(seconds: config.created), objectCount: objects.count, objectBytes: bytes,
      clientKeyCount: try Directories.list(layout.clientKeys).filter { RandomID(hex: $0) != nil }.count,
      slots: slots.map { VaultInfo.Slot($0) })
  }
}

/// What `vault info` shows: no secrets, nothing about any client.
public struct VaultInfo: Sendable, Encodable, Equatable {
  /// A key slot as shown to the user.
  public struct Slot: Sendable, Encodable, Equatable {
    /// Slot id (hex).
    public let id: String
    /// "passphrase" or "recovery key".
    public let kind: String
    /// Owner label.
    public let label: String
    /// Creation time, ISO 8601 UTC (like every time vault prints).
    public let created: String
    /// Argon2id passes (0 for recovery slots).
    public let opsLimit: UInt64
    /// Argon2id memory in bytes (0 for recovery slots).
    public let memLimit: UInt64

    init(_ s: KeySlot) {
      id = s.id.hex
      kind = s.kind.description
      label = s.label
      created = LogEntry.format(seconds: s.created)
      opsLimit = s.kdf.opsLimit
      memLimit = s.kdf.memLimit
    }
  }

  /// Vault directory.
  public let path: String
  /// Format version of the vault's files.
  public let formatVersion: UInt8
  /// Vault id (hex).
  public let vaultID: String
  /// Creation time, ISO 8601 UTC.
  public let created: String
  /// Number of objects.
  public let objectCount: Int
  /// Total size of objects in bytes.
  public let objectBytes: Int
  /// Number of client key files (one per client, until purged).
  public let clientKeyCount: Int
  /// Key slots.
  public let slots: [Slot]
}
