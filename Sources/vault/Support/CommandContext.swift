import ArgumentParser
import VaultCore
import Foundation
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
    var unlocked: UnlockedVault?
    if access != .keyless {
      guard let unlock else { preconditionFailure("a command that unlocks must offer UnlockOptions") }
      unlocked = try Self.unlock(location, unlock)
    }
    return try open(location, lock: lock, unlocked: unlocked, access: access)
  }

  /// Unlocks without taking the lock, for commands that must ask for input (an editor) between
  /// checking their arguments and writing: the lock is never held while a person types.
  static func unlock(_ location: VaultOptions, _ unlock: UnlockOptions) throws -> UnlockedVault {
    try Vault.open(at: location.path).unlock(credential(unlock))
  }

  /// Runs `body` under a shared lock that is released when it returns: for the checks a command
  /// makes before it opens an editor, which must not hold the vault while a person types.
  static func briefly<T>(_ location: VaultOptions, lock: LockOptions, unlocked: UnlockedVault, _ body: (CommandContext) throws -> T)
    throws -> T
  {
    let context = try open(location, lock: lock, unlocked: unlocked, access: .unlockedRead)
    return try withExtendedLifetime(context) { try body(context) }
  }

  /// Locks an already unlocked (or keyless) vault and prepares it for `access`.
  static func open(_ location: VaultOptions, lock: LockOptions, unlocked: UnlockedVault?, access: VaultAccess) throws -> CommandContext {
    let vault = try unlocked?.vault ?? Vault.open(at: location.path)
    let held = try vault.lock(access == .unlockedWrite ? .exclusive : .shared, wait: lock.wait)
    if access == .unlockedWrite, let unlocked {
      // A change the log would refuse to record must not happen at all, and a change takes
      // effect only once its entry is written.
      unlocked.commitWithLogEntries()
      try AccessLog(vault: vault).preflight(unlocked: unlocked)
      let reclaimed = try unlocked.prepareForWriting(reason: location.reason)
      if !reclaimed.isEmpty { location.output.note("reclaimed \(reclaimed.description) left by an interrupted command") }
    }
    return CommandContext(vault: vault, unlocked: unlocked, output: location.output, reason: location.reason, lock: held)
  }

  /// Appends this command's entry to the access log (keyed and checkpointed when unlocked,
  /// sealed as "system" otherwise). Commands that reveal data call it before printing, so an
  /// access that cannot be logged does not happen.
  @discardableResult
  func record(_ action: String, client: ClientCode? = nil, objects: [ObjectID] = [], detail: String? = nil) throws -> LogHead {
    let entry = LogEntry(
      action: action, actor: author, client: client?.description, objects: objects.isEmpty ? nil : objects.map(\.hex),
      reason: reason, detail: detail)
    return try AccessLog(vault: vault).append(entry, unlocked: unlocked)
  }

  /// Who is acting: the label of the key slot that unlocked, or "system".
  var author: String { unlocked?.slot.label ?? LogEntry.system }

  /// The records of the unlocked vault.
  var records: Records { Records(keys) }

  /// Now, as Unix seconds, for record times.
  static var now: Int64 { Int64(Date().timeIntervalSince1970) }

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
