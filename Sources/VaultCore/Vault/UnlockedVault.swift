#if canImport(Glibc)
  import Glibc
#endif
import Foundation
import VaultCrypto

/// A vault whose master key is in memory; everything that reads or changes records goes through it.
public struct UnlockedVault: Sendable {
  /// The underlying vault.
  public let vault: Vault
  /// The master key and its subkeys (in secure memory).
  public let keys: VaultKeys
  /// The slot that unlocked it.
  public let slot: KeySlot
  /// Who unlocked, as the registry lists them (nil without a registry, or with the recovery key).
  public let practitioner: Practitioner?
  /// Their personal key, when their slot wraps one.
  let personal: PersonalKey?
  /// The practice's practitioners, signature checked (nil in a vault without practitioners).
  public let registry: PractitionerRegistry?
  /// Commits waiting for their log entry (shared by copies of this value).
  let commits = CommitGate()

  /// Opened by `slot`.
  init(vault: Vault, keys: VaultKeys, slot: KeySlot, practitioner: Practitioner? = nil, personal: PersonalKey? = nil, registry: PractitionerRegistry? = nil) {
    self.vault = vault
    self.keys = keys
    self.slot = slot
    self.practitioner = practitioner
    self.personal = personal
    self.registry = registry
  }

  /// Who is acting: the practitioner, else the slot's label; "recovery" for the recovery key.
  public var actor: Actor {
    if slot.kind == .recovery { return Actor(name: "recovery", role: .owner, practitioner: nil) }
    if let practitioner { return Actor(name: practitioner.name, role: practitioner.role, practitioner: practitioner.id) }
    // A slot wrapping the master key that the registry does not list is an owner's.
    return Actor(name: slot.label, role: .owner, practitioner: nil)
  }

  /// What opens client keys for this unlock.
  var holder: KeyHolder { KeyHolder(id: practitioner?.id, personal: personal) }

  /// From now on, a commit takes effect only when the access log has recorded it: `commit` holds
  /// the new index in memory (reads see it) and the next keyed log append writes it. A change
  /// whose entry cannot be written never happens; one whose index cannot then be written is
  /// followed by the next writer's reclaim entry (FORMAT.md §9.3). The command line sets this for
  /// every command that writes; library callers that log nothing keep immediate commits.
  public func commitWithLogEntries() { commits.deferred = true }

  /// The index as it is on disk (not a commit waiting for its log entry).
  func committedIndex() throws -> VaultIndex {
    let bytes: [UInt8]
    do { bytes = try FileSystem.readFile(vault.layout.index, limit: VaultIndex.maximumFileSize) } catch { throw VaultError.from(error) }
    do {
      return try VaultIndex.decode(bytes, keys: keys, vault: vault.config.vaultID)
    } catch {
      let why = (error as? CryptoError) == .authenticationFailed ? "index does not authenticate (modified, or from another vault)" : "\(error)"
      throw VaultError.integrity([Finding(.error, "index", why)])
    }
  }

  /// Reads and authenticates the index (or returns the commit waiting for its log entry).
  /// - Throws: `.integrity` if the index is damaged, modified, or from another vault.
  public func readIndex() throws -> VaultIndex {
    if let pending = commits.pending { return pending.index }
    return try committedIndex()
  }

  /// Atomically replaces the index, bumping its generation, then removes the objects it no
  /// longer names (`replacing`): after that, nothing this command wrote is unreferenced, so the
  /// unfinished-write marker goes too. Call under the exclusive lock.
  @discardableResult
  public func commit(_ index: VaultIndex, replacing: [ObjectID] = []) throws -> VaultIndex {
    var next = index
    next.generation += 1
    if commits.deferred {
      commits.hold(next, replacing: replacing)
      return next
    }
    try write(next, replacing: replacing)
    return next
  }

  /// Replaces the file at `path` with `bytes`, and removes `removing`, together with the next
  /// commit: after its log entry, like the index (the registry and key slots of a practitioner
  /// command, which must not change without their entry). Immediate when commits are.
  func replaceWithCommit(_ path: String, with bytes: [UInt8]?, removing: [String] = []) throws {
    guard commits.deferred else {
      do {
        if let bytes { try AtomicFile.write(bytes, to: path, temporaryDirectory: vault.layout.tmp) }
        for r in removing where FileStatus.exists(r) { try FileSystem.remove(r) }
      } catch { throw VaultError.from(error) }
      return
    }
    commits.hold(file: path, bytes: bytes, removing: removing)
  }

  /// The index, and the files held with it, a commit waiting for its log entry will install.
  struct StagedCommit {
    /// Finished temporary file of the index (nil when only files change, as in `passwd`).
    let index: String?
    /// (temporary file, destination) of each file replaced with the commit.
    let files: [(temporary: String, path: String)]
    /// Files removed once it is installed.
    let removals: [String]
  }

  /// Writes what a commit waiting for its log entry will install, as finished temporary files
  /// (nil when no commit waits). The access log calls it before appending.
  func stagePendingCommit() throws -> StagedCommit? {
    guard commits.hasPending else { return nil }
    let pending = commits.pending
    var files: [(temporary: String, path: String)] = []
    do {
      for (path, bytes) in commits.files.sorted(by: { $0.key < $1.key }) {
        guard let bytes else { continue }
        files.append((try AtomicFile.prepare(bytes, in: vault.layout.tmp), path))
      }
      let index = try pending.map { try AtomicFile.prepare($0.index.encoded(keys: keys, vault: vault.config.vaultID), in: vault.layout.tmp) }
      return StagedCommit(index: index, files: files, removals: commits.removals)
    } catch {
      for f in files { try? FileSystem.remove(f.temporary) }
      throw VaultError.from(error)
    }
  }

  /// Renames the staged files, then the index, into place (the log entry is durable). If a rename
  /// fails, every file already renamed gets its previous content back (kept under a temporary
  /// hard link) and the caller takes the log entry back: all of the change or none of it.
  func installStagedCommit(_ staged: StagedCommit) throws {
    var installed: [(path: String, previous: String?)] = []
    do {
      for f in staged.files {
        var previous: String?
        if FileStatus.exists(f.path) {
          let keep = "\(vault.layout.tmp)/\(AtomicFile.temporaryPrefix)previous-\(Hex.encode(try Random.bytes(8)))"
          try FileSystem.hardLink(f.path, keep)
          previous = keep
        }
        try FileSystem.rename(f.temporary, f.path)
        installed.append((f.path, previous))
      }
      if let index = staged.index { try FileSystem.rename(index, vault.layout.index) }
    } catch {
      for done in installed.reversed() {
        if let previous = done.previous { try? FileSystem.rename(previous, done.path) } else { try? FileSystem.remove(done.path) }
      }
      discard(staged)
      throw VaultError.from(error)
    }
    for done in installed { if let previous = done.previous { try? FileSystem.remove(previous) } }
    for r in staged.removals where FileStatus.exists(r) { try? FileSystem.remove(r) }
  }

  /// A staged commit that will not be installed: its temporary files go.
  func discard(_ staged: StagedCommit) {
    for t in staged.files.map(\.temporary) + [staged.index].compactMap({ $0 }) where FileStatus.exists(t) { try? FileSystem.remove(t) }
  }

  /// The bytes a pending commit will install at `path` (a key file or the registry written
  /// earlier in this command), so that the command reads what it wrote.
  func pendingFile(_ path: String) -> [UInt8]? { commits.files[path] ?? nil }

  /// After `installStagedCommit`: makes the rename durable and tidies after it. The change is
  /// made and recorded by then, so a failure here says so rather than "nothing was changed".
  func finishInstalledCommit() throws {
    guard let pending = commits.take() else { return }
    do {
      try Directories.syncDirectory(vault.layout.root)
      for dir in Set(pending.files.map(SystemPath.parent)) where dir != vault.layout.root { try Directories.syncDirectory(dir) }
    } catch {
      throw VaultError.io(
        path: vault.layout.index,
        reason: "the change was made and recorded, but the disk refused to make it durable (\((error as? StorageError)?.description ?? "\(error)")); check the disk, then run 'vault verify'")
    }
    if let replaced = pending.replaced { finish(replacing: replaced) }
  }

  private func write(_ next: VaultIndex, replacing: [ObjectID]) throws {
    do {
      try AtomicFile.write(next.encoded(keys: keys, vault: vault.config.vaultID), to: vault.layout.index, temporaryDirectory: vault.layout.tmp)
    } catch { throw VaultError.from(error) }
    finish(replacing: replacing)
  }

  /// Committed: whatever follows cannot undo it. A removal that fails leaves the marker, and the
  /// next writer reclaims the object.
  private func finish(replacing: [ObjectID]) {
    let removed = replacing.allSatisfy { (try? vault.layout.objectStore.remove($0)) != nil }
    if removed { try? FileSystem.remove(vault.layout.unfinishedMarker) }
  }

  /// Records, durably, that objects or key files the index does not name yet are about to be
  /// written: if this command dies before its commit, the next writer reclaims them. Cheap when
  /// the marker is already there (one stat).
  public func markUnfinished() throws {
    let marker = vault.layout.unfinishedMarker
    guard !FileStatus.exists(marker) else { return }
    do {
      let fd = try FileSystem.open(marker, O_WRONLY | O_CREAT)
      close(fd)
      try Directories.syncDirectory(vault.layout.tmp)
    } catch { throw VaultError.from(error) }
  }

  /// Rewraps the master key under a new passphrase, with a fresh salt and `kdf` (or the slot's
  /// current costs). No other file changes; the slot is replaced with the next commit, after the
  /// command's log entry. Call under the exclusive lock.
  ///
  /// The slot is the one named by `label`, else the passphrase slot that unlocked the vault,
  /// else (unlocked with the recovery key) the only passphrase slot. With the recovery key and
  /// no readable passphrase slot (deleted or damaged), a new slot is written: recovering from
  /// exactly that is what the recovery key is for.
  public func changePassphrase(to passphrase: SecureBytes, label: String? = nil, kdf: KDFParameters?, now: Int64) throws -> KeySlot {
    try PassphrasePolicy.check(passphrase)
    if slot.kind == .personal, let personal {
      // A practitioner other than an owner changes their own passphrase only.
      guard label == nil || label == slot.label else { throw VaultError.access(.ownerRequired) }
      if kdf.map({ $0 == slot.kdf }) ?? true, (try? slot.unlock(.passphrase(passphrase), vault: vault.config.vaultID)) != nil {
        throw VaultError.samePassphrase
      }
      let new = try KeySlot.create(
        for: .passphrase(passphrase), kind: .personal, label: slot.label, kdf: kdf ?? slot.kdf, wrapping: personal.secret,
        vault: vault.config.vaultID, now: now, id: slot.id)
      try replaceWithCommit(vault.layout.slot(new.id), with: new.encoded())
      return new
    }
    let candidates = try vault.keySlots().slots.filter { $0.kind == .passphrase }
    let labels = candidates.map { "'\($0.label)'" }.joined(separator: ", ")
    let target: KeySlot
    if candidates.isEmpty && slot.kind == .recovery {
      let new = try KeySlot.create(
        for: .passphrase(passphrase), label: label ?? "owner", kdf: kdf ?? .moderate, keys: keys,
        vault: vault.config.vaultID, now: now)
      try replaceWithCommit(vault.layout.slot(new.id), with: new.encoded())
      return new
    } else if let label {
      guard let named = candidates.first(where: { $0.label == label }) else {
        throw VaultError.noSuchSlot(label: label, labels: labels)
      }
      target = named
    } else if slot.kind == .passphrase {
      target = slot
    } else if candidates.count == 1 {
      target = candidates[0]
    } else {
      throw VaultError.whichSlot(labels: labels)
    }
    // Keeping the passphrase is fine when the point is a new Argon2id cost; otherwise it is a mistake.
    let costChanges = kdf.map { $0 != target.kdf } ?? false
    if !costChanges, (try? target.unlock(.passphrase(passphrase), vault: vault.config.vaultID)) != nil {
      throw VaultError.samePassphrase
    }
    let new = try KeySlot.create(
      for: .passphrase(passphrase), label: target.label, kdf: kdf ?? target.kdf, keys: keys,
      vault: vault.config.vaultID, now: now, id: target.id)
    try replaceWithCommit(vault.layout.slot(new.id), with: new.encoded())
    return new
  }

  /// Adds a slot for a new recovery key (the earlier ones keep working until retired).
  func addRecoverySlot(now: Int64) throws -> (key: RecoveryKey, slot: KeySlot) {
    let key = try RecoveryKey.generate()
    let new = try KeySlot.create(for: .recoveryKey(key), label: "recovery", kdf: .moderate, keys: keys, vault: vault.config.vaultID, now: now)
    try write(new)
    return (key, new)
  }

  /// Removes every recovery slot but `kept`; returns how many.
  func retireRecoverySlots(keeping kept: RandomID) throws -> Int {
    let old = try vault.keySlots().slots.filter { $0.kind == .recovery && $0.id != kept }
    do {
      for slot in old { try FileSystem.remove(vault.layout.slot(slot.id)) }
      try Directories.syncDirectory(vault.layout.slots)
    } catch { throw VaultError.from(error) }
    return old.count
  }

  /// Writes a slot file atomically.
  func write(_ slot: KeySlot) throws {
    do {
      try AtomicFile.write(slot.encoded(), to: vault.layout.slot(slot.id), temporaryDirectory: vault.layout.tmp)
    } catch { throw VaultError.from(error) }
  }
}

/// A commit held until its log entry is written (see `UnlockedVault.commitWithLogEntries`).
final class CommitGate: @unchecked Sendable {
  private let lock = NSLock()
  private var _deferred = false
  private var _pending: (index: VaultIndex, replaced: [ObjectID])?
  private var _files: [String: [UInt8]?] = [:]
  private var _removals: [String] = []
  private static let counter = NSLock()
  nonisolated(unsafe) private static var unpublished = 0

  var deferred: Bool {
    get { lock.withLock { _deferred } }
    set { lock.withLock { _deferred = newValue } }
  }

  var pending: (index: VaultIndex, replaced: [ObjectID])? { lock.withLock { _pending } }
  /// Whether an index or any file waits for a log entry.
  var hasPending: Bool { lock.withLock { _pending != nil || !_files.isEmpty || !_removals.isEmpty } }
  /// Files to replace with the pending commit (nil bytes: none, only removals).
  var files: [String: [UInt8]?] { lock.withLock { _files } }
  /// Files to remove once the pending commit is installed.
  var removals: [String] { lock.withLock { _removals } }

  func hold(file path: String, bytes: [UInt8]?, removing: [String]) {
    lock.withLock {
      if _pending == nil, _files.isEmpty, _removals.isEmpty { Self.counter.withLock { Self.unpublished += 1 } }
      if let bytes { _files[path] = bytes }
      _removals += removing
    }
  }

  func hold(_ index: VaultIndex, replacing: [ObjectID]) {
    lock.withLock {
      if _pending == nil, _files.isEmpty, _removals.isEmpty { Self.counter.withLock { Self.unpublished += 1 } }
      _pending = (index, (_pending?.replaced ?? []) + replacing)
    }
  }

  /// What was pending (nil when nothing was), now published: the index with the objects it
  /// replaced (nil when only files changed), and the files.
  func take() -> (replaced: [ObjectID]?, files: [String])? {
    lock.withLock {
      guard _pending != nil || !_files.isEmpty || !_removals.isEmpty else { return nil }
      defer {
        _pending = nil
        _files = [:]
        _removals = []
      }
      Self.counter.withLock { Self.unpublished -= 1 }
      return (_pending?.replaced, Array(_files.keys) + _removals)
    }
  }

  /// Commits made in this process that no log entry has published: a command that changed the
  /// vault without recording it (a programming error the command line checks before it exits).
  static var outstanding: Int { counter.withLock { unpublished } }
}

/// Whether any change of this process is still waiting for its log entry.
public enum CommitCheck {
  /// Commits held for a log entry that never came.
  public static var unpublished: Int { CommitGate.outstanding }
}
