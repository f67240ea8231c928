import Testing
import VaultCore

/// Search counts occurrences case-insensitively and quotes a one-line snippet that is always valid text.
@Suite("note search")
struct NoteSearchTests {
  @Test("ASCII queries match in any case")
  func asciiCase() {
    #expect(NoteSearch("sleep").matches(in: "Sleep sleep SLEEP").count == 3)
    #expect(NoteSearch("SLEEP").matches(in: "Sleep sleep SLEEP").count == 3)
    #expect(NoteSearch("sLeEp").matches(in: "poor sleeping, sleepless").count == 2)
    // Only letters fold: "[" and "{" differ by the same bit as "A" and "a".
    #expect(NoteSearch("[").matches(in: "{").count == 0)
    #expect(NoteSearch("@").matches(in: "`").count == 0)
  }

  @Test("overlapping occurrences are not counted twice")
  func noOverlap() {
    #expect(NoteSearch("aa").matches(in: "aaaa").count == 2)
    #expect(NoteSearch("aa").matches(in: "aaa").count == 1)
    #expect(NoteSearch("abab").matches(in: "ababab").count == 1)
  }

  @Test("no match gives a count of 0 and no snippet")
  func noMatch() {
    for (query, text) in [("anxiety", "calm session"), ("longer than text", "short"), ("été", "ete"), ("x", "")] {
      let m = NoteSearch(query).matches(in: text)
      #expect(m.count == 0, "\(query)")
      #expect(m.snippet == "", "\(query)")
    }
  }

  @Test("the snippet holds the match, as written, on one line")
  func snippetOneLine() {
    let text = "First line.\nThe client reported\r\nPOOR Sleep\tthis week.\nPlan: review.\n"
    let m = NoteSearch("poor sleep").matches(in: text)
    #expect(m.count == 1)
    #expect(m.snippet.contains("POOR Sleep"))
    #expect(!m.snippet.contains { $0.isNewline || $0 == "\t" })
  }

  @Test("a long note is quoted around the first match only, with ellipses")
  func snippetBounded() {
    let text = String(repeating: "filler text. ", count: 50) + "KEYWORD" + String(repeating: " more filler", count: 50) + " keyword"
    let m = NoteSearch("keyword").matches(in: text)
    #expect(m.count == 2)
    #expect(m.snippet.hasPrefix("…") && m.snippet.hasSuffix("…"))
    #expect(m.snippet.contains("KEYWORD"))
    #expect(m.snippet.utf8.count <= 40 + 7 + 40 + 2 * "…".utf8.count)
    // A match at the very start needs no leading ellipsis.
    #expect(!NoteSearch("filler").matches(in: text).snippet.hasPrefix("…"))
  }

  @Test("the snippet never splits a multibyte character, wherever the match is")
  func snippetBoundaries() {
    for padding in 0..<60 {
      for filler in ["é", "€", "😀"] {
        let text = String(repeating: filler, count: padding) + "sleep" + String(repeating: filler, count: padding + 7)
        let m = NoteSearch("sleep").matches(in: text)
        #expect(m.count == 1)
        #expect(!m.snippet.unicodeScalars.contains("\u{FFFD}"), "\(filler) × \(padding): \(m.snippet)")
        #expect(m.snippet.contains("sleep"))
        let body = m.snippet.replacing("…", with: "")
        // What remains is whole filler characters around the match.
        #expect(body.replacing("sleep", with: "").allSatisfy { String($0) == filler }, "\(filler) × \(padding): \(m.snippet)")
      }
    }
  }

  @Test("non-ASCII queries match with Unicode case folding")
  func unicodeQuery() {
    #expect(NoteSearch("ÉTÉ").matches(in: "Cet été, puis l'ÉTÉ suivant.").count == 2)
    #expect(NoteSearch("été").matches(in: "Cet ÉTÉ").count == 1)
    #expect(NoteSearch("Ünïcode").matches(in: "über ÜNÏCODE und ünïcode").count == 2)
  }

  @Test("a non-ASCII match decomposed in the text still matches")
  func unicodeCanonical() {
    // "é" typed as e + combining acute, as some editors save it.
    #expect(NoteSearch("été").matches(in: "l'e\u{301}te\u{301} dernier").count == 1)
  }

  @Test("the snippet for a non-ASCII query holds the match on one line without split characters")
  func unicodeSnippet() {
    let text = String(repeating: "é", count: 60) + "\nÉTÉ\n" + String(repeating: "ü", count: 60)
    let m = NoteSearch("été").matches(in: text)
    #expect(m.count == 1)
    #expect(m.snippet.lowercased().contains("été"))
    #expect(!m.snippet.contains { $0.isNewline })
    #expect(!m.snippet.unicodeScalars.contains("\u{FFFD}"))
  }

  @Test("the snippet quotes the note as written, whatever the query's script")
  func snippetKeepsCase() {
    // ASCII queries quote the original text; a non-ASCII query should too.
    #expect(NoteSearch("sleep").matches(in: "Client: POOR SLEEP").snippet == "Client: POOR SLEEP")
    #expect(NoteSearch("été").matches(in: "Client: ÉTÉ DIFFICILE").snippet == "Client: ÉTÉ DIFFICILE")
  }
}
