import ArgumentParser
import VaultCore
import VaultCrypto

/// How much of the vault a command needs; grep `access:` to audit which commands touch keys.
enum VaultAccess {
  /// Reads files without a key, under a shared lock.
  case keyless
  /// Unlocks, and reads under a shared lock.
  case unlockedRead
  /// Unlocks, and writes under the exclusive lock.
  case unlockedWrite
}

/// The opened (and, if the command needs it, unlocked and locked) vault a command runs against.
///
/// Open, unlock, lock and prepare are written once, here, in that order: the passphrase is
/// asked and Argon2id runs before the lock is taken, so a prompt never holds up the nightly
/// backup, and a wrong passphrase changes nothing in the vault.
struct CommandContext {
  let vault: Vault
  let unlocked: UnlockedVault?
  let output: Output
  /// `--reason`, recorded with every log entry this command writes.
  let reason: String?
  /// Held for the command's lifetime; released when the context goes away.
  let lock: VaultLock

  static func open(_ location: VaultOptions, lock: LockOptions, unlock: UnlockOptions? = nil, access: VaultAccess) throws
    -> CommandContext
  {
    let vault = try Vault.open(at: location.path)
    var unlocked: UnlockedVault?
    if access != .keyless {
      guard let unlock else { preconditionFailure("a command that unlocks must offer UnlockOptions") }
      unlocked = try vault.unlock(credential(unlock))
    }
    let held = try vault.lock(access == .unlockedWrite ? .exclusive : .shared, wait: lock.wait)
    if access == .unlockedWrite {
      try vault.prepareForWriting()
      // A change the log would refuse to record must not happen at all.
      if let unlocked { try AccessLog(vault: vault).preflight(unlocked: unlocked) }
    }
    return CommandContext(vault: vault, unlocked: unlocked, output: location.output, reason: location.reason, lock: held)
  }

  /// Appends this command's entry to the access log (keyed and checkpointed when unlocked,
  /// sealed as "system" otherwise). Commands that reveal data call it before printing, so an
  /// access that cannot be logged does not happen.
  @discardableResult
  func record(_ action: String, detail: String? = nil) throws -> LogHead {
    let entry = LogEntry(action: action, actor: unlocked?.slot.label ?? LogEntry.system, reason: reason, detail: detail)
    return try AccessLog(vault: vault).append(entry, unlocked: unlocked)
  }

  /// The credential the options point to: a recovery key file, else a passphrase.
  static func credential(_ options: UnlockOptions) throws -> Credential {
    if let path = options.recoveryKeyFile {
      return .recoveryKey(try RecoveryKey.parse(PassphraseSource.readFile(path)))
    }
    return .passphrase(try options.passphraseSource.read())
  }

  /// The unlocked vault; only valid for commands whose access is not `.keyless`.
  var keys: UnlockedVault {
    guard let unlocked else { preconditionFailure("command declared keyless access but asked for keys") }
    return unlocked
  }
}
