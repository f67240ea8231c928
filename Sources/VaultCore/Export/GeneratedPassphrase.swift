import VaultCrypto

/// A passphrase for an export, to read out or write down and give the client by another channel:
/// six random pronounceable words of three syllables (80 syllables, so about 19 bits a word,
/// 114 bits in all), separated by dashes, e.g. "kobira-tenulo-…".
public enum GeneratedPassphrase {
  static let consonants = Array("bdfghjklmnprstvz")
  static let vowels = Array("aeiou")

  /// A new passphrase of `words` words.
  public static func make(words: Int = 6) throws -> String {
    let random = try Random.bytes(words * 3 * 2)
    var out: [String] = []
    for w in 0..<words {
      var word = ""
      for s in 0..<3 {
        // Two random bytes per syllable: reducing 65536 values mod 80 favours some syllables by
        // 1 in 4096, which costs a negligible fraction of a bit.
        let i = (w * 3 + s) * 2
        let v = (Int(random[i]) << 8 | Int(random[i + 1])) % 80
        word.append(consonants[v / 5])
        word.append(vowels[v % 5])
      }
      out.append(word)
    }
    return out.joined(separator: "-")
  }
}
