// Keys/ owns the key hierarchy (FORMAT.md §4): passphrase or recovery key → key slot →
// master key → purpose subkeys and wrapped per-client keys. Nothing here touches the file
// system; callers hand in bytes and get bytes back.
import VaultCrypto

/// The master key and the subkeys derived from it, held only while the vault is unlocked.
public struct VaultKeys: Sendable {
  /// The 32-byte master key that every key slot wraps.
  public let master: SecretKey
  /// Encrypts the index.
  public let index: SecretKey
  /// Authenticates the config file.
  public let configMAC: SecretKey
  /// Wraps per-client data keys.
  public let clientKeyWrap: SecretKey
  /// Encrypts objects that belong to no client.
  public let vaultObjects: SecretKey
  /// Keys the hash that turns a client id into its short code.
  public let clientCodes: SecretKey
  /// Signs access-log checkpoints.
  public let signing: SigningKeyPair
  /// Opens access-log entries sealed by keyless writers.
  public let logBox: BoxKeyPair
  /// Encrypts access-log entries written while the vault is unlocked.
  public let logEntries: SecretKey

  /// Subkey numbers under the "vaultmk1" context; never reuse or renumber one.
  enum Subkey: UInt64 {
    case index = 1, configMAC = 2, clientKeyWrap = 3, signingSeed = 4, logBoxSeed = 5, vaultObjects = 6, logEntries = 7, clientCodes = 8
  }

  /// Derives every subkey from `master`.
  public init(master: SecretKey) throws {
    self.master = master
    let ctx = Binding.masterKeyContext
    index = try master.derive(id: Subkey.index.rawValue, context: ctx)
    configMAC = try master.derive(id: Subkey.configMAC.rawValue, context: ctx)
    clientKeyWrap = try master.derive(id: Subkey.clientKeyWrap.rawValue, context: ctx)
    vaultObjects = try master.derive(id: Subkey.vaultObjects.rawValue, context: ctx)
    logEntries = try master.derive(id: Subkey.logEntries.rawValue, context: ctx)
    clientCodes = try master.derive(id: Subkey.clientCodes.rawValue, context: ctx)
    signing = try SigningKeyPair(seed: master.derive(id: Subkey.signingSeed.rawValue, context: ctx))
    logBox = try BoxKeyPair(seed: master.derive(id: Subkey.logBoxSeed.rawValue, context: ctx))
  }

  /// A vault's keys, with a fresh random master key.
  public static func generate() throws -> VaultKeys { try VaultKeys(master: SecretKey.random()) }
}
