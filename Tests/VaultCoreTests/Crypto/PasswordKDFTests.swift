import Testing
import VaultCrypto

@Suite("Argon2id password KDF")
struct PasswordKDFTests {
  static let passphrase = "correct horse battery staple"
  static let salt = Array("vault.salt.16byt".utf8)

  // Expected keys come from the reference implementation (phc-winner-argon2 CLI, Debian package
  // argon2), not from libsodium:
  //   printf 'correct horse battery staple' | argon2 vault.salt.16byt -id -t T -k KiB -p 1 -l 32 -r
  // libsodium's crypto_pwhash uses one lane and takes memory in bytes (KiB × 1024).
  @Test(
    "derived keys match the Argon2id reference implementation",
    arguments: [
      (KDFParameters(opsLimit: 1, memLimit: 8 << 10), "85eb20020151058d8233e1edce844482240779ff7be2678992d655a6170e5e63"),
      (KDFParameters(opsLimit: 2, memLimit: 16 << 10), "c0bfbda53666fc9819ffe7e1cdcbda47168a6b086f8e1ac038876a8b5ce47771"),
      (KDFParameters(opsLimit: 2, memLimit: 64 << 10), "d3af7f8131a64fc69e26a58665720b00b11c85f8db7070aa436f2f1818f0a62c"),
    ])
  func knownAnswers(parameters: KDFParameters, expected: String) throws {
    let key = try PasswordKDF.derive(TestBytes.secure(Self.passphrase), salt: Self.salt, parameters: parameters)
    #expect(TestBytes.bytes(of: key) == TestBytes.hex(expected))
  }

  @Test("the insecure test parameters are libsodium's minimums")
  func insecureTestIsMinimum() {
    #expect(KDFParameters.insecureTest == KDFParameters(opsLimit: 1, memLimit: 8192))
  }

  @Test("the same passphrase, salt and parameters give the same key")
  func deterministic() throws {
    let a = try PasswordKDF.derive(TestBytes.secure("a passphrase"), salt: Self.salt, parameters: .insecureTest)
    let b = try PasswordKDF.derive(TestBytes.secure("a passphrase"), salt: Self.salt, parameters: .insecureTest)
    #expect(a.isEqual(to: b))
  }

  @Test("a different salt, passphrase or cost gives a different key")
  func inputsMatter() throws {
    let base = try PasswordKDF.derive(TestBytes.secure("a passphrase"), salt: Self.salt, parameters: .insecureTest)
    var otherSalt = Self.salt
    otherSalt[15] ^= 1
    let variants = [
      try PasswordKDF.derive(TestBytes.secure("a passphrase"), salt: otherSalt, parameters: .insecureTest),
      try PasswordKDF.derive(TestBytes.secure("a passphrasf"), salt: Self.salt, parameters: .insecureTest),
      try PasswordKDF.derive(TestBytes.secure("a passphrase"), salt: Self.salt, parameters: KDFParameters(opsLimit: 2, memLimit: 8192)),
      try PasswordKDF.derive(TestBytes.secure("a passphrase"), salt: Self.salt, parameters: KDFParameters(opsLimit: 1, memLimit: 16384)),
    ]
    for variant in variants { #expect(!variant.isEqual(to: base)) }
  }

  @Test("an empty passphrase still derives a key")
  func emptyPassphrase() throws {
    let a = try PasswordKDF.derive(SecureBytes(count: 0), salt: Self.salt, parameters: .insecureTest)
    let b = try PasswordKDF.derive(TestBytes.secure("x"), salt: Self.salt, parameters: .insecureTest)
    #expect(!a.isEqual(to: b))
  }

  @Test("a salt of the wrong length is rejected")
  func saltLength() throws {
    for length in [0, 15, 17, 32] {
      #expect(throws: CryptoError.invalidLength(expected: 16, actual: length)) {
        try PasswordKDF.derive(TestBytes.secure("p"), salt: [UInt8](repeating: 0, count: length), parameters: .insecureTest)
      }
    }
  }

  @Test(
    "parameters outside the accepted range are rejected",
    arguments: [
      KDFParameters(opsLimit: 0, memLimit: 8192),
      KDFParameters(opsLimit: 17, memLimit: 8192),
      KDFParameters(opsLimit: .max, memLimit: 8192),
      KDFParameters(opsLimit: 1, memLimit: 8191),
      KDFParameters(opsLimit: 1, memLimit: 0),
      KDFParameters(opsLimit: 1, memLimit: (4 << 30) + 1),
      KDFParameters(opsLimit: 1, memLimit: .max),
    ])
  func rejectsOutOfRange(parameters: KDFParameters) throws {
    #expect(throws: CryptoError.invalidKDFParameters) { try parameters.validate() }
    // derive checks before hashing, so a hostile cost never reaches Argon2id.
    #expect(throws: CryptoError.invalidKDFParameters) {
      try PasswordKDF.derive(TestBytes.secure("p"), salt: Self.salt, parameters: parameters)
    }
  }

  @Test("the caps themselves and the named presets are accepted")
  func acceptsBoundaries() throws {
    try KDFParameters(opsLimit: 16, memLimit: 4 << 30).validate()
    try KDFParameters(opsLimit: 1, memLimit: 8192).validate()
    try KDFParameters.insecureTest.validate()
    try KDFParameters.moderate.validate()
    try KDFParameters.sensitive.validate()
    #expect(KDFParameters.maxOpsLimit == 16)
    #expect(KDFParameters.maxMemLimit == 4 << 30)
  }
}
