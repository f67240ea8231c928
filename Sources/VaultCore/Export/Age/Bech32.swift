// Export/ builds what a client takes away: the age-encrypted bundle (age-encryption.org/v1) a
// standard `age` opens. This folder is the age format itself, on VaultCrypto's primitives.

/// Bech32 (BIP 173), the encoding of age recipients ("age1…") and identities ("AGE-SECRET-KEY-1…").
enum Bech32 {
  static let charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l")

  static func polymod(_ values: [UInt8]) -> UInt32 {
    let gen: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
    var chk: UInt32 = 1
    for v in values {
      let top = chk >> 25
      chk = (chk & 0x1ff_ffff) << 5 ^ UInt32(v)
      for i in 0..<5 where (top >> UInt32(i)) & 1 == 1 { chk ^= gen[i] }
    }
    return chk
  }

  static func expand(_ hrp: String) -> [UInt8] {
    let b = Array(hrp.utf8)
    return b.map { $0 >> 5 } + [0] + b.map { $0 & 31 }
  }

  /// Regroups bits (8 → 5 to encode, 5 → 8 to decode); nil for invalid padding.
  static func convert(_ data: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
    var acc = 0
    var bits = 0
    var out: [UInt8] = []
    let maxv = (1 << to) - 1
    for v in data {
      acc = (acc << from) | Int(v)
      bits += from
      while bits >= to {
        bits -= to
        out.append(UInt8((acc >> bits) & maxv))
      }
    }
    if pad {
      if bits > 0 { out.append(UInt8((acc << (to - bits)) & maxv)) }
    } else if bits >= from || (acc << (to - bits)) & maxv != 0 {
      return nil
    }
    return out
  }

  /// Encodes `data` with human-readable part `hrp` (lowercase).
  static func encode(hrp: String, _ data: [UInt8]) -> String {
    let values = convert(data, from: 8, to: 5, pad: true) ?? []
    let poly = polymod(expand(hrp) + values + [0, 0, 0, 0, 0, 0]) ^ 1
    let checksum = (0..<6).map { UInt8((poly >> UInt32(5 * (5 - $0))) & 31) }
    return hrp + "1" + String((values + checksum).map { charset[Int($0)] })
  }

  /// Decodes a string entirely in lower or entirely in upper case; nil if malformed.
  static func decode(_ text: String) -> (hrp: String, data: [UInt8])? {
    guard text == text.lowercased() || text == text.uppercased() else { return nil }
    let s = text.lowercased()
    guard let sep = s.lastIndex(of: "1"), s.distance(from: s.startIndex, to: sep) >= 1, s.distance(from: sep, to: s.endIndex) >= 7 else { return nil }
    let hrp = String(s[..<sep])
    guard hrp.utf8.allSatisfy({ (33...126).contains($0) }) else { return nil }
    var values: [UInt8] = []
    for ch in s[s.index(after: sep)...] {
      guard let i = charset.firstIndex(of: ch) else { return nil }
      values.append(UInt8(i))
    }
    guard polymod(expand(hrp) + values) == 1, let data = convert(Array(values.dropLast(6)), from: 5, to: 8, pad: false) else { return nil }
    return (hrp, data)
  }
}

/// Base64 as age writes it: the standard alphabet, no padding, and only the canonical encoding.
enum AgeBase64 {
  static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
  static let reverse: [Int8] = {
    var r = [Int8](repeating: -1, count: 256)
    for (i, c) in alphabet.enumerated() { r[Int(c)] = Int8(i) }
    return r
  }()

  static func encode(_ data: [UInt8]) -> String {
    var out: [UInt8] = []
    var i = 0
    while i + 3 <= data.count {
      let n = Int(data[i]) << 16 | Int(data[i + 1]) << 8 | Int(data[i + 2])
      out += [alphabet[n >> 18 & 63], alphabet[n >> 12 & 63], alphabet[n >> 6 & 63], alphabet[n & 63]]
      i += 3
    }
    let rest = data.count - i
    if rest == 1 {
      let n = Int(data[i]) << 16
      out += [alphabet[n >> 18 & 63], alphabet[n >> 12 & 63]]
    } else if rest == 2 {
      let n = Int(data[i]) << 16 | Int(data[i + 1]) << 8
      out += [alphabet[n >> 18 & 63], alphabet[n >> 12 & 63], alphabet[n >> 6 & 63]]
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Nil for padding, characters outside the alphabet, an impossible length, or non-zero unused bits.
  static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
    let s = Array(text)
    guard s.count % 4 != 1 else { return nil }
    var vals: [Int] = []
    vals.reserveCapacity(s.count)
    for c in s {
      let v = reverse[Int(c)]
      guard v >= 0 else { return nil }
      vals.append(Int(v))
    }
    var out: [UInt8] = []
    var i = 0
    while i + 4 <= vals.count {
      let n = vals[i] << 18 | vals[i + 1] << 12 | vals[i + 2] << 6 | vals[i + 3]
      out += [UInt8(n >> 16 & 255), UInt8(n >> 8 & 255), UInt8(n & 255)]
      i += 4
    }
    let rest = vals.count - i
    if rest == 2 {
      guard vals[i + 1] & 15 == 0 else { return nil }
      out.append(UInt8((vals[i] << 2 | vals[i + 1] >> 4) & 255))
    } else if rest == 3 {
      guard vals[i + 2] & 3 == 0 else { return nil }
      let n = vals[i] << 12 | vals[i + 1] << 6 | vals[i + 2]
      out += [UInt8(n >> 10 & 255), UInt8(n >> 2 & 255)]
    }
    return out
  }
}
