#if canImport(Glibc)
  import Glibc
#endif
import VaultCrypto

extension Vault {
  /// What `vault init` produced: the opened vault and the recovery key to show once.
  public struct Creation: Sendable {
    /// The new vault, unlocked.
    public let vault: UnlockedVault
    /// The recovery key, already added as a second slot.
    public let recoveryKey: RecoveryKey
  }

  /// Creates a vault at `path` with a passphrase slot and a recovery-key slot.
  ///
  /// The vault is built in a hidden sibling directory and renamed into place, so a crash
  /// leaves either no vault or a complete one, never half of one.
  /// - Throws: `.vaultAlreadyExists`, `.directoryNotEmpty`, passphrase-policy errors, I/O errors.
  public static func create(
    at path: String, passphrase: SecureBytes, label: String, kdf: KDFParameters, now: Int64, reason: String? = nil
  ) throws -> Creation {
    try PassphrasePolicy.check(passphrase)
    try checkCanCreate(at: path)
    let layout = VaultLayout(root: path)
    let parent = SystemPath.parent(layout.root)
    StagingDirectory.removeAbandoned(in: parent, kind: "init")
    let staging = VaultLayout(root: StagingDirectory.name(for: layout.root, kind: "init", random: Hex.encode(try Random.bytes(6))))
    do {
      let keys = try VaultKeys.generate()
      let recovery = try RecoveryKey.generate()
      let config = try VaultConfig.make(vaultID: RandomID.generate(), created: now, keys: keys)
      try Directories.makeDirectory(staging.root)
      for dir in staging.directories { try Directories.makeDirectory(dir) }
      let owner = try KeySlot.create(for: .passphrase(passphrase), label: label, kdf: kdf, keys: keys, vault: config.vaultID, now: now)
      let rescue = try KeySlot.create(for: .recoveryKey(recovery), label: "recovery", kdf: kdf, keys: keys, vault: config.vaultID, now: now)
      for slot in [owner, rescue] { try AtomicFile.write(slot.encoded(), to: staging.slot(slot.id), temporaryDirectory: staging.tmp) }
      try AtomicFile.write(VaultIndex().encoded(keys: keys, vault: config.vaultID), to: staging.index, temporaryDirectory: staging.tmp)
      try AtomicFile.write([], to: staging.lock, temporaryDirectory: staging.tmp)
      try AtomicFile.write(config.encoded(), to: staging.config, temporaryDirectory: staging.tmp)
      // The log starts at creation, and is written before the rename: a vault either exists
      // with its init entry or not at all. A log that does not begin with it lost its start.
      try AccessLog(vault: Vault(layout: staging, config: config)).append(
        LogEntry(action: LogEntry.initAction, actor: label, reason: reason, detail: "vault created with key slots '\(label)' and 'recovery'"),
        unlocked: UnlockedVault(vault: Vault(layout: staging, config: config), keys: keys, slot: owner))
      for dir in staging.directories { try Directories.syncDirectory(dir) }
      // rename(2) replaces a missing or empty directory atomically; anything else fails with ENOTEMPTY.
      do { try FileSystem.rename(staging.root, layout.root) } catch let failure as StorageError {
        switch failure.code {
        case ENOTEMPTY, EEXIST: throw VaultError.directoryNotEmpty(path: layout.root)
        case EBUSY, EXDEV:
          // The vault is built beside its final place and renamed; a mount point cannot be replaced.
          throw VaultError.io(path: layout.root, reason: "it is a mount point; create the vault in a directory inside it, e.g. --vault \(layout.root)/vault")
        default: throw VaultError.from(StorageError(path: layout.root, operation: "create", code: failure.code))
        }
      }
      try Directories.syncDirectory(parent)
      let vault = Vault(layout: layout, config: config)
      return Creation(vault: UnlockedVault(vault: vault, keys: keys, slot: owner), recoveryKey: recovery)
    } catch {
      Directories.removeTree(staging.root)
      throw VaultError.from(error)
    }
  }

  /// Throws unless `path` is free for a new vault: missing or an empty directory, with an existing parent.
  public static func checkCanCreate(at path: String) throws {
    let layout = VaultLayout(root: path)
    if FileStatus.exists(layout.root) {
      guard FileStatus.isDirectory(layout.root) else { throw VaultError.directoryNotEmpty(path: layout.root) }
      if FileStatus.exists(layout.config) { throw VaultError.vaultAlreadyExists(path: layout.root) }
      guard try Directories.list(layout.root).isEmpty else { throw VaultError.directoryNotEmpty(path: layout.root) }
    }
    let parent = SystemPath.parent(layout.root)
    guard FileStatus.isDirectory(parent) else {
      throw VaultError.io(path: parent, reason: "the directory does not exist; create it first (mkdir -p), or choose another --vault")
    }
  }

}
