import ArgumentParser
import Foundation
import VaultCore

/// Opens the `Practice` a command runs against: the passphrase is asked (and Argon2id runs)
/// before the core takes the lock, so a prompt never holds up the nightly backup, and a wrong
/// passphrase changes nothing in the vault.
enum CommandContext {
  /// Whether this command has already warned of failed unlocks.
  nonisolated(unsafe) private static var toldFailedUnlocks = false

  /// Opens (unlocking unless `mode` is keyless) and locks the vault.
  static func open(_ location: VaultOptions, lock: LockOptions, unlock: UnlockOptions? = nil, mode: Practice.Mode) throws -> Practice {
    // Keyless work never asks for a passphrase, whatever options the command offers.
    let unlocked = try mode == .keyless ? nil : unlock.map { try Self.unlock(location, $0) }
    return try open(location, lock: lock, unlocked: unlocked, mode: mode)
  }

  /// Unlocks without taking the lock, for commands that ask for input (an editor) between
  /// checking their arguments and writing: the lock is never held while a person types.
  static func unlock(_ location: VaultOptions, _ unlock: UnlockOptions) throws -> UnlockedVault {
    let vault = try Vault.open(at: location.path)
    // An unlock session (vault unlock) answers instead of a prompt, unless a credential was named.
    if unlock.mayUseSession, let resumed = Sessions().resume(vault, as: unlock.practitionerName) { return resumed }
    return try vault.unlock(credential(unlock), as: unlock.practitionerName)
  }

  /// Locks an already unlocked (or keyless) vault for `mode`.
  static func open(_ location: VaultOptions, lock: LockOptions, unlocked: UnlockedVault?, mode: Practice.Mode) throws -> Practice {
    let vault = try unlocked?.vault ?? Vault.open(at: location.path)
    let practice = try Practice(vault, unlocked: unlocked, mode: mode, wait: lock.wait, reason: location.reason)
    if !practice.reclaimed.isEmpty { location.output.note("reclaimed \(practice.reclaimed.description) left by an interrupted command") }
    // Told once per command, by its first unlocked practice (the brief look before an editor
    // may be the only one that reads them: it records a keyed entry).
    let failed = toldFailedUnlocks ? [] : try practice.failedUnlocks()
    if let last = failed.last {
      toldFailedUnlocks = true
      let n = failed.count
      location.output.note(
        "warning: \(n) failed unlock attempt\(n == 1 ? "" : "s") since the vault was last unlocked (the last at \(last.time): \(last.why)); "
          + "if that was not you, see 'vault log show --action unlock-failed' and OPERATIONS.md")
    }
    // On a terminal, a name that matches several clients also shows their names (the core records
    // that read); captured output and logs get only the codes.
    if Terminal.stderrIsTerminal {
      practice.showCandidates = { _, candidates in
        for c in candidates { location.output.note("  \(c.code)  \(c.displayName)\(c.isDischarged ? "  (discharged)" : "")") }
      }
    }
    return practice
  }

  /// Runs `body` on a practice opened for reading and closed when it returns: for the checks a
  /// command makes before it opens an editor, which must not hold the vault while a person types.
  static func briefly<T>(_ location: VaultOptions, lock: LockOptions, unlocked: UnlockedVault, _ body: (Practice) throws -> T) throws -> T {
    let practice = try open(location, lock: lock, unlocked: unlocked, mode: .read)
    return try withExtendedLifetime(practice) { try body(practice) }
  }

  /// The credential the options point to: a recovery key file, else a passphrase.
  static func credential(_ options: UnlockOptions) throws -> Credential {
    if let path = options.recoveryKeyFile { return try Credential.recoveryKey(file: path) }
    return .passphrase(try options.passphraseSource.read())
  }
}
