/// "Did you mean …?": the nearest of a few known words to a mistyped one.
public enum Suggestion {
  /// The candidate nearest to `word` when it is close enough to be a typing slip (one or two
  /// edits, a swapped pair counting as one, and fewer edits than the word has letters), or the
  /// one candidate `word` begins; nil when none is near or two are equally near.
  public static func nearest(to word: String, among candidates: [String]) -> String? {
    let w = Array(word.lowercased())
    guard !w.isEmpty else { return nil }
    let limit = min(2, max(1, w.count / 3))
    var best: (name: String, distance: Int)?
    var tied = false
    for candidate in candidates {
      let d = distance(w, Array(candidate.lowercased()))
      if d > limit || d >= w.count { continue }
      if let b = best {
        if d < b.distance { (best, tied) = ((candidate, d), false) } else if d == b.distance { tied = true }
      } else {
        best = (candidate, d)
      }
    }
    if let best, !tied { return best.name }
    let prefixed = candidates.filter { $0.lowercased().hasPrefix(word.lowercased()) }
    return prefixed.count == 1 ? prefixed[0] : nil
  }

  /// Edit distance with adjacent transpositions (optimal string alignment).
  static func distance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
      }
    }
    return d[a.count][b.count]
  }
}
