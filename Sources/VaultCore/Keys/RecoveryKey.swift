import VaultCrypto

/// A 256-bit recovery secret, shown once at init as 56 Crockford base32 characters in groups of four.
///
/// Three checksum bytes (BLAKE2b of the key) travel with it, so a mistyped character is reported
/// as a typo rather than as a wrong key.
public struct RecoveryKey: Sendable {
  /// The secret itself.
  public let key: SecretKey
  static let checksumSize = 3
  static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
  /// (32 + 3) bytes × 8 bits / 5 bits per symbol.
  static let symbolCount = 56

  /// A fresh random recovery key.
  public static func generate() throws -> RecoveryKey { RecoveryKey(key: try SecretKey.random()) }

  init(key: SecretKey) { self.key = key }

  /// The printable form, e.g. `7K3D-...` (14 groups). Print it once; never log it.
  public func encoded() throws -> String {
    // One buffer of exactly key ‖ checksum, in secure memory: appending to an array would
    // reallocate and leave an unwiped copy of the key behind.
    let bytes = try SecureBytes(count: SecretKey.size + Self.checksumSize)
    let hasher = try Hasher()
    key.withUnsafeBytes { hasher.update($0) }
    let checksum = hasher.finalize().prefix(Self.checksumSize)
    bytes.withUnsafeMutableBytes { b in
      key.withUnsafeBytes { b.copyMemory(from: $0) }
      for (i, c) in checksum.enumerated() { b[SecretKey.size + i] = c }
    }
    // Capacity reserved up front so no reallocation leaves a copy; both buffers are wiped. The
    // returned String itself is ordinary memory: it exists to be printed once.
    var chars = [UInt8]()
    chars.reserveCapacity(Self.symbolCount)
    var out = [UInt8]()
    out.reserveCapacity(Self.symbolCount + Self.symbolCount / 4)
    defer {
      for i in chars.indices { chars[i] = 0 }
      for i in out.indices { out[i] = 0 }
    }
    var acc: UInt32 = 0
    var bits = 0
    bytes.withUnsafeBytes { raw in
      for b in raw {
        acc = (acc << 8) | UInt32(b)
        bits += 8
        while bits >= 5 {
          bits -= 5
          chars.append(Self.alphabet[Int((acc >> UInt32(bits)) & 31)])
        }
      }
    }
    acc = 0
    for (i, c) in chars.enumerated() {
      if i > 0 && i % 4 == 0 { out.append(UInt8(ascii: "-")) }
      out.append(c)
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Parses the printable form from secure memory, ignoring case, dashes and whitespace and
  /// reading I, L as 1 and O as 0 (Crockford's rules for hand-typed codes).
  public static func parse(_ text: SecureBytes) throws -> RecoveryKey {
    let total = 32 + checksumSize
    let out = try SecureBytes(count: total)
    let ok: Bool = text.withUnsafeBytes { t in
      out.withUnsafeMutableBytes { o in
        var acc: UInt32 = 0
        var bits = 0
        var n = 0
        var symbols = 0
        for var c in t {
          if c == UInt8(ascii: "-") || c == 32 || c == 9 || c == 10 || c == 13 { continue }
          if c >= 97 && c <= 122 { c -= 32 }
          switch c {
          case UInt8(ascii: "I"), UInt8(ascii: "L"): c = UInt8(ascii: "1")
          case UInt8(ascii: "O"): c = UInt8(ascii: "0")
          default: break
          }
          guard let v = alphabet.firstIndex(of: c) else { return false }
          symbols += 1
          acc = (acc << 5) | UInt32(v)
          bits += 5
          if bits >= 8 {
            bits -= 8
            guard n < total else { return false }
            o[n] = UInt8((acc >> UInt32(bits)) & 0xff)
            n += 1
          }
        }
        return n == total && symbols == symbolCount
      }
    }
    guard ok else { throw VaultError.invalidRecoveryKey }
    let key = try SecretKey(out.prefix(32))
    let sum = out.withUnsafeBytes { Array($0.suffix(checksumSize)) }
    let hasher = try Hasher()
    key.withUnsafeBytes { hasher.update($0) }
    let expect = hasher.finalize()
    guard constantTimeEqual(Array(expect.prefix(checksumSize)), sum) else { throw VaultError.invalidRecoveryKey }
    return RecoveryKey(key: key)
  }

  /// The key-encryption key for a recovery slot: keyed BLAKE2b, since the secret already has 256 bits of entropy.
  func keyEncryptionKey(salt: [UInt8]) throws -> SecretKey {
    let h = try Hasher(key: key)
    h.update(Binding.recovery + salt)
    return try h.finalizeKey()
  }
}
