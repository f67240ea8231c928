/// One note whose text (or an addendum's) contains the query.
public struct SearchHit: Sendable {
  /// The client.
  public let client: Client
  /// The note.
  public let note: NoteEntry
  /// How many times the query occurs in the note and its addenda.
  public let count: Int
  /// About 80 characters around the first occurrence, on one line.
  public let snippet: String
  /// The objects (note text, addenda) that contain the query.
  public let objects: [ObjectID]
}

/// Case-insensitive search over decrypted notes, entirely in memory.
public struct NoteSearch {
  let needle: [UInt8]
  let unicodeNeedle: String?

  /// A search for `query` (which must not be blank).
  public init(_ query: String) {
    // ASCII queries are folded byte by byte, which is as fast as the decryption; others need
    // Unicode case folding of each text.
    if query.utf8.allSatisfy({ $0 < 0x80 }) {
      needle = query.utf8.map(Self.lower)
      unicodeNeedle = nil
    } else {
      needle = []
      unicodeNeedle = query.lowercased()
    }
  }

  /// Searches the current text and addenda of every note of `clients` that `filter` allows.
  func run(in clients: [Client], filter: NoteFilter, records: Records, progress: (Int, Int) -> Void = { _, _ in }) throws -> [SearchHit] {
    var hits: [SearchHit] = []
    let total = clients.reduce(0) { $0 + $1.index.notes.count }
    var done = 0
    for c in clients {
      for n in c.index.notes {
        done += 1
        guard filter.matches(n) else { continue }
        var count = 0
        var snippet: String?
        var objects: [ObjectID] = []
        for revision in [n.current] + n.addenda.map(\.revision) {
          let found = matches(in: try records.text(c, revision))
          guard found.count > 0 else { continue }
          snippet = snippet ?? found.snippet
          count += found.count
          objects.append(revision.object)
        }
        if let snippet { hits.append(SearchHit(client: c, note: n, count: count, snippet: snippet, objects: objects)) }
        progress(done, total)
      }
    }
    return hits
  }

  /// The number of occurrences in `text` and a snippet around the first.
  public func matches(in text: String) -> (count: Int, snippet: String) {
    if let unicodeNeedle {
      let lowered = text.lowercased()
      var count = 0
      var first: Range<String.Index>?
      var rest = lowered[...]
      while let r = rest.firstRange(of: unicodeNeedle) {
        count += 1
        first = first ?? r
        rest = rest[r.upperBound...]
      }
      guard let first else { return (0, "") }
      let offset = lowered.utf8.distance(from: lowered.startIndex, to: first.lowerBound)
      // Quote the note as written when lowercasing kept every byte offset (nearly always).
      let source = lowered.utf8.count == text.utf8.count ? Array(text.utf8) : Array(lowered.utf8)
      return (count, Self.snippet(source, at: offset, length: unicodeNeedle.utf8.count))
    }
    let bytes = Array(text.utf8)
    guard !needle.isEmpty, bytes.count >= needle.count else { return (0, "") }
    var count = 0
    var first = -1
    var i = 0
    let n0 = needle[0]
    let last = bytes.count - needle.count
    while i <= last {
      if Self.lower(bytes[i]) == n0 {
        var j = 1
        while j < needle.count && Self.lower(bytes[i + j]) == needle[j] { j += 1 }
        if j == needle.count {
          count += 1
          if first < 0 { first = i }
          i += needle.count
          continue
        }
      }
      i += 1
    }
    return count == 0 ? (0, "") : (count, Self.snippet(bytes, at: first, length: needle.count))
  }

  @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b &- 65 < 26 ? b | 0x20 : b }

  /// ~40 bytes either side, widened to character boundaries, line breaks as spaces.
  static func snippet(_ bytes: [UInt8], at offset: Int, length: Int) -> String {
    var start = max(0, offset - 40)
    var end = min(bytes.count, offset + length + 40)
    while start > 0 && bytes[start] & 0xC0 == 0x80 { start -= 1 }
    while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
    let text = String(decoding: bytes[start..<end], as: UTF8.self).map { $0.isNewline || $0 == "\t" ? " " : $0 }
    return (start > 0 ? "…" : "") + String(text).trimmingSpaces() + (end < bytes.count ? "…" : "")
  }
}
