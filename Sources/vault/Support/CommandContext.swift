import ArgumentParser
import VaultCore
import VaultCrypto

/// How much of the vault a command needs; grep `access =` to audit which commands touch keys.
enum VaultAccess {
  /// Reads files without a key, under a shared lock.
  case keyless
  /// Unlocks, and reads under a shared lock.
  case unlockedRead
  /// Unlocks, and writes under the exclusive lock.
  case unlockedWrite
}

/// The opened (and, if the command needs it, unlocked and locked) vault a command runs against.
struct CommandContext {
  let vault: Vault
  let unlocked: UnlockedVault?
  let output: Output
  /// Held for the command's lifetime; released when the context goes away.
  let lock: VaultLock

  static func open(_ global: GlobalOptions, access: VaultAccess) throws -> CommandContext {
    let vault = try Vault.open(at: global.vaultPath)
    let lock = try vault.lock(access == .unlockedWrite ? .exclusive : .shared, wait: global.wait)
    if access == .unlockedWrite { try vault.prepareForWriting() }
    var unlocked: UnlockedVault?
    if access != .keyless { unlocked = try vault.unlock(credential(global)) }
    return CommandContext(vault: vault, unlocked: unlocked, output: global.output, lock: lock)
  }

  /// The credential the options point to: a recovery key file, else a passphrase.
  static func credential(_ global: GlobalOptions) throws -> Credential {
    if let path = global.recoveryKeyFile {
      return .recoveryKey(try RecoveryKey.parse(PassphraseSource.readFile(path)))
    }
    return .passphrase(try global.passphraseSource.read())
  }

  /// The unlocked vault; only valid for commands whose access is not `.keyless`.
  var keys: UnlockedVault {
    guard let unlocked else { preconditionFailure("command declared keyless access but asked for keys") }
    return unlocked
  }
}

/// A command that runs against an existing vault: open, lock, unlock and close are written once, here.
protocol VaultSubcommand: ParsableCommand {
  static var access: VaultAccess { get }
  var global: GlobalOptions { get }
  func run(_ context: CommandContext) throws
}

extension VaultSubcommand {
  func run() throws {
    let context = try CommandContext.open(global, access: Self.access)
    try run(context)
  }
}
