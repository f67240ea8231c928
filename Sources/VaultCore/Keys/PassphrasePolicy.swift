import VaultCrypto

/// The rule a new passphrase must meet; existing passphrases are never re-checked.
public enum PassphrasePolicy {
  /// Minimum length in characters (Unicode scalars).
  public static let minimumLength = 12

  /// Throws `.passphraseEmpty` or `.passphraseTooShort` if `passphrase` breaks the rule.
  public static func check(_ passphrase: SecureBytes) throws {
    // Counting UTF-8 lead bytes counts characters without copying the secret into a String.
    let characters = passphrase.withUnsafeBytes { $0.reduce(0) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 } }
    if characters == 0 { throw VaultError.passphraseEmpty }
    if characters < minimumLength { throw VaultError.passphraseTooShort(minimum: minimumLength) }
  }
}
