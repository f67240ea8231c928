// Byte-level helpers shared by the VaultCoreTests suites. Vectors are spelled in hex exactly as
// their sources print them, and decoded here without VaultCore.Hex, so the Hex tests do not
// vouch for their own vectors.
import VaultCrypto

enum TestBytes {
  /// Decodes a lowercase or uppercase hex literal; a typo in a vector is a test bug, so it traps.
  static func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8)
    precondition(digits.count % 2 == 0, "odd-length hex literal")
    return stride(from: 0, to: digits.count, by: 2).map { i in
      UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16)!
    }
  }

  /// `bytes` with one bit inverted; `bit` counts from the first byte's least significant bit.
  static func flipping(_ bytes: [UInt8], bit: Int) -> [UInt8] {
    var out = bytes
    out[bit / 8] ^= 1 << UInt8(bit % 8)
    return out
  }

  /// `bytes` with every bit of the byte at `offset` inverted.
  static func flipping(_ bytes: [UInt8], byteAt offset: Int) -> [UInt8] {
    var out = bytes
    out[offset] ^= 0xff
    return out
  }

  /// Copies `bytes` into secure memory.
  static func secure(_ bytes: [UInt8]) throws -> SecureBytes {
    try bytes.withUnsafeBytes { try SecureBytes(copying: $0) }
  }

  /// A passphrase as the CLI would hand it over: UTF-8 in secure memory.
  static func secure(_ text: String) throws -> SecureBytes { try secure(Array(text.utf8)) }

  /// A key with the given 32 bytes.
  static func key(_ bytes: [UInt8]) throws -> SecretKey { try SecretKey(secure(bytes)) }

  /// The bytes of a key, for comparing against a vector.
  static func bytes(of key: SecretKey) -> [UInt8] { key.withUnsafeBytes { [UInt8]($0) } }

  /// The bytes of secure memory, for comparing against a vector.
  static func bytes(of secret: SecureBytes) -> [UInt8] { secret.withUnsafeBytes { [UInt8]($0) } }

  /// `count` deterministic bytes that do not repeat with any short period.
  static func pattern(count: Int, seed: UInt32 = 1) -> [UInt8] {
    var state = seed &* 2_654_435_761 | 1
    return (0..<count).map { _ in
      state ^= state << 13
      state ^= state >> 17
      state ^= state << 5
      return UInt8(truncatingIfNeeded: state >> 24)
    }
  }

  /// A checksummed vault file after an edit, with its trailing BLAKE2b-256 recomputed the way
  /// anyone with write access (and no key) can: the checksum is not a MAC.
  static func withRecomputedChecksum(_ file: [UInt8]) throws -> [UInt8] {
    let content = Array(file.dropLast(Hasher.digestSize))
    return content + (try Hasher.blake2b256(content))
  }

  /// True if `needle` occurs anywhere in `haystack`.
  static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
    return (0...(haystack.count - needle.count)).contains { start in
      haystack[start..<start + needle.count].elementsEqual(needle)
    }
  }
}
