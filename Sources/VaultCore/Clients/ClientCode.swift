import VaultCrypto

/// A client's short code, such as `K7F3-2Q`: six Crockford base32 symbols (30 bits).
///
/// It is a keyed hash of the client's random id, so it reveals nothing about the client (not
/// even to someone who sees the vault's file names, which hold the ids), it can be recomputed
/// for every client in milliseconds without decrypting a record, and `vault client add` draws
/// a new id until the code differs from every other client's.
public struct ClientCode: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The 30-bit value.
  public let value: UInt32

  static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

  /// A code from its 30-bit value.
  public init(value: UInt32) { self.value = value & 0x3FFF_FFFF }

  /// The code of `client` under the vault's code key (FORMAT.md §8.2).
  public static func derive(client: RandomID, key: SecretKey) throws -> ClientCode {
    let mac = try VaultCrypto.Hasher.mac(Binding.clientCode + client.bytes, key: key)
    return ClientCode(value: LittleEndian.u32(mac.prefix(4)))
  }

  /// Parses what a person typed: case-insensitive, dash and spaces optional, and the Crockford
  /// look-alikes I and L read as 1, O as 0. Nil unless exactly six symbols remain.
  public init?(parsing text: String) {
    var v: UInt32 = 0
    var n = 0
    for ch in text.uppercased() {
      if ch == "-" || ch == " " { continue }
      let c: Character = ch == "I" || ch == "L" ? "1" : ch == "O" ? "0" : ch
      guard n < 6, let i = Self.alphabet.firstIndex(of: c) else { return nil }
      v = v << 5 | UInt32(i)
      n += 1
    }
    guard n == 6 else { return nil }
    self.init(value: v)
  }

  /// "K7F3-2Q".
  public var description: String {
    let symbols = (0..<6).map { Self.alphabet[Int(value >> UInt32(25 - 5 * $0) & 31)] }
    return String(symbols[0..<4]) + "-" + String(symbols[4..<6])
  }

  public static func < (a: ClientCode, b: ClientCode) -> Bool { a.description < b.description }
}
