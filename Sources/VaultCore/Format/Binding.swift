// Domain-separation labels: every AEAD, MAC and KDF input starts with one of these, so a value
// sealed for one purpose can never be opened as another (FORMAT.md §4). Changing any of them
// makes every existing vault unreadable.

/// The labels and associated-data encodings of format version 1.
public enum Binding {
  /// AD prefix of a key slot's wrapped master key.
  public static let keySlot = Array("vault.v1/keyslot".utf8)
  /// Input prefix of a recovery key's key-encryption key.
  public static let recovery = Array("vault.v1/recovery".utf8)
  /// AD prefix of the index.
  public static let index = Array("vault.v1/index".utf8)
  /// AD prefix of a wrapped client key.
  public static let clientKey = Array("vault.v1/clientkey".utf8)
  /// AD prefix of every object chunk.
  public static let object = Array("vault.v1/object".utf8)
  /// Input prefix of the config MAC.
  public static let config = Array("vault.v1/config".utf8)
  /// AD prefix of a keyed log entry, input prefix of the log chain's genesis hash.
  public static let log = Array("vault.v1/log".utf8)
  /// Input prefix of the keyed hash that gives a client's short code.
  public static let clientCode = Array("vault.v1/clientcode".utf8)
  /// Prefix of the message a checkpoint signs.
  public static let checkpoint = Array("vault.v1/checkpoint".utf8)
  /// Prefix of the message that signs the practitioner registry.
  public static let practitioners = Array("vault.v1/practitioners".utf8)
  /// crypto_kdf context of a practitioner's personal key pair (exactly 8 bytes).
  public static let personalKeyContext: StaticString = "vaultpk1"
  /// crypto_kdf context of a client's register key (exactly 8 bytes).
  public static let registerKeyContext: StaticString = "vaultrg1"
  /// crypto_kdf context for subkeys of the master key (exactly 8 bytes).
  public static let masterKeyContext: StaticString = "vaultmk1"
}
