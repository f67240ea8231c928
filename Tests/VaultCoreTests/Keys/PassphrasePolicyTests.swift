import Testing
import VaultCore
import VaultCrypto

@Suite("passphrase policy")
struct PassphrasePolicyTests {
  @Test("an empty passphrase is refused as empty")
  func empty() throws {
    #expect(throws: VaultError.passphraseEmpty) { try PassphrasePolicy.check(SecureBytes(count: 0)) }
  }

  @Test(
    "passphrases under 12 characters are refused as too short",
    arguments: [
      "a", "elevenchars", "correct hor", String(repeating: "\u{E9}", count: 11), "日本語のパスワード",
      String(repeating: "🔑", count: 11),
    ])
  func tooShort(passphrase: String) throws {
    #expect(throws: VaultError.passphraseTooShort(minimum: 12)) { try PassphrasePolicy.check(TestBytes.secure(passphrase)) }
  }

  @Test(
    "passphrases of 12 or more characters are accepted",
    arguments: [
      "twelve chars", "correct horse battery staple", String(repeating: "\u{E9}", count: 12), "日本語のパスフレーズですよね",
      String(repeating: "🔑", count: 12),
    ])
  func longEnough(passphrase: String) throws {
    try PassphrasePolicy.check(TestBytes.secure(passphrase))
  }

  @Test("multibyte characters count once each, not once per byte")
  func countsCharactersNotBytes() throws {
    // 11 three-byte characters are 33 bytes: still too short.
    let eleven = String(repeating: "日", count: 11)
    #expect(eleven.utf8.count == 33)
    #expect(throws: VaultError.passphraseTooShort(minimum: 12)) { try PassphrasePolicy.check(TestBytes.secure(eleven)) }
    // 11 four-byte characters are 44 bytes: still too short.
    #expect(throws: VaultError.passphraseTooShort(minimum: 12)) {
      try PassphrasePolicy.check(TestBytes.secure(String(repeating: "🔐", count: 11)))
    }
    // 12 two-byte characters are enough.
    try PassphrasePolicy.check(TestBytes.secure(String(repeating: "ß", count: 12)))
    #expect(PassphrasePolicy.minimumLength == 12)
  }
}
