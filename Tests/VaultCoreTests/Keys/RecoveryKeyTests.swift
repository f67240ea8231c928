import Testing
@testable import VaultCore
import VaultCrypto

@Suite("recovery key")
struct RecoveryKeyTests {
  /// The key 00 01 … 1f. Its printed form was computed independently (Python: Crockford base32
  /// of key ‖ BLAKE2b-256(key)[0..<3], grouped by four), so these tests pin the printed format.
  static let fixedKey = Array(UInt8(0)..<32)
  static let fixedText = "000G-40R4-0M30-E209-185G-R38E-1W81-24GK-2GAH-C5RR-34D1-P70X-3RFW-PBTH"

  static func fixed() throws -> RecoveryKey { RecoveryKey(key: try TestBytes.key(fixedKey)) }

  static func parse(_ text: String) throws -> RecoveryKey { try RecoveryKey.parse(TestBytes.secure(text)) }

  @Test("the printed form matches an independent encoding")
  func knownEncoding() throws {
    #expect(try Self.fixed().encoded() == Self.fixedText)
  }

  @Test("the printed form is 14 groups of 4 Crockford base32 characters")
  func shape() throws {
    let text = try RecoveryKey.generate().encoded()
    let groups = text.split(separator: "-", omittingEmptySubsequences: false)
    #expect(groups.count == 14)
    #expect(groups.allSatisfy { $0.count == 4 })
    #expect(text.allSatisfy { "0123456789ABCDEFGHJKMNPQRSTVWXYZ-".contains($0) })
  }

  @Test("a printed key parses back to the same key")
  func roundTrip() throws {
    for _ in 0..<20 {
      let key = try RecoveryKey.generate()
      #expect(try Self.parse(key.encoded()).key.isEqual(to: key.key))
    }
    #expect(TestBytes.bytes(of: try Self.parse(Self.fixedText).key) == Self.fixedKey)
  }

  @Test(
    "parsing tolerates case, missing dashes, whitespace and I/L/O for 1/0",
    arguments: [
      "000g-40r4-0m30-e209-185g-r38e-1w81-24gk-2gah-c5rr-34d1-p70x-3rfw-pbth",
      "000G40R40M30E209185GR38E1W8124GK2GAHC5RR34D1P70X3RFWPBTH",
      "000G 40R4 0M30 E209 185G R38E 1W81 24GK 2GAH C5RR 34D1 P70X 3RFW PBTH",
      "  000G-40R4-0M30-E209-185G-R38E-1W81\n24GK-2GAH-C5RR-34D1-P70X-3RFW-PBTH\r\n",
      "\t000G--40R4-0M30-E209-185G-R38E-1W81-24GK-2GAH-C5RR-34D1-P70X-3RFW-PBTH-",
      "OOOG-4OR4-OM3O-E2O9-I85G-R38E-LW8I-24GK-2GAH-C5RR-34DL-P7OX-3RFW-PBTH",
      "ooog-4or4-om3o-e2o9-i85g-r38e-lw8i-24gk-2gah-c5rr-34dl-p7ox-3rfw-pbth",
    ])
  func tolerantParsing(text: String) throws {
    #expect(TestBytes.bytes(of: try Self.parse(text).key) == Self.fixedKey)
  }

  @Test("changing any one character to any other is rejected as a typo")
  func singleCharacterTypo() throws {
    let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    let characters = Array(Self.fixedText.replacingOccurrences(of: "-", with: ""))
    #expect(characters.count == 56)
    var rejected = 0
    for position in characters.indices {
      for replacement in alphabet where replacement != characters[position] {
        var typo = characters
        typo[position] = replacement
        #expect(throws: VaultError.invalidRecoveryKey, "\(replacement) at \(position)") { try Self.parse(String(typo)) }
        rejected += 1
      }
    }
    #expect(rejected == 56 * 31)
  }

  static let malformedKeys: [String] = [
    "",
    "000G",
    String(fixedText.dropLast(5)),  // a group missing
    String(fixedText.dropLast()),  // a character missing
    fixedText + "-0000",  // a group too many
    fixedText + "00",  // two characters too many
    fixedText + "7",  // one character too many: its 5 bits would complete no byte
    String(fixedText.dropLast()) + "U",  // U is not in the alphabet
    String(fixedText.dropLast()) + "*",
    String(fixedText.dropLast()) + "é",
    fixedText.replacingOccurrences(of: "-", with: "_"),
  ]

  @Test("malformed keys are rejected", arguments: malformedKeys)
  func malformed(text: String) throws {
    #expect(throws: VaultError.invalidRecoveryKey) { try Self.parse(text) }
  }

  @Test("the key-encryption key is keyed BLAKE2b-256 of the label and salt")
  func keyEncryptionKey() throws {
    // Python: hashlib.blake2b(b"vault.v1/recovery" + bytes([0xa5] * 16), key=bytes(range(32)), digest_size=32)
    let kek = try Self.fixed().keyEncryptionKey(salt: [UInt8](repeating: 0xa5, count: 16))
    #expect(TestBytes.bytes(of: kek) == TestBytes.hex("406056cb153abe2014eef8828d77f815e199f52a07074f6d04584bf18f86f91b"))
    #expect(!kek.isEqual(to: try Self.fixed().keyEncryptionKey(salt: [UInt8](repeating: 0xa4, count: 16))))
  }
}
