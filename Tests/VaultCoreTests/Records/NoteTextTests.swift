import Testing
import VaultCore

/// Note text is refused rather than repaired, and lists show a faithful first line.
@Suite("note text")
struct NoteTextTests {
  @Test("UTF-8 text is accepted unchanged")
  func acceptsUTF8() throws {
    let text = "Session with María: ünïcödé, 日本語, 😀\n\nPlan: continue.\n"
    #expect(try NoteText.validate(Array(text.utf8), source: "note.txt") == text)
  }

  @Test("non-UTF-8 bytes are refused with the offset of the first bad byte")
  func rejectsNotUTF8() {
    // "café" saved as Latin-1: é is the single byte E9.
    #expect(throws: RecordError.notUTF8(source: "note.txt", offset: 3)) {
      try NoteText.validate(Array("caf".utf8) + [0xE9], source: "note.txt")
    }
    // A 3-byte sequence (€ is E2 82 AC) cut short at the end of the file.
    #expect(throws: RecordError.notUTF8(source: "standard input", offset: 5)) {
      try NoteText.validate(Array("price".utf8) + [0xE2, 0x82], source: "standard input")
    }
    // Valid multibyte text before the bad byte counts in bytes, not characters.
    #expect(throws: RecordError.notUTF8(source: "x", offset: 5)) {
      try NoteText.validate(Array("été".utf8) + [0xFF] + Array("ok".utf8), source: "x")
    }
    // An overlong encoding of "/" and a UTF-16 surrogate are not UTF-8 either.
    #expect(throws: RecordError.notUTF8(source: "x", offset: 1)) { try NoteText.validate([0x41, 0xC0, 0xAF], source: "x") }
    #expect(throws: RecordError.notUTF8(source: "x", offset: 0)) { try NoteText.validate([0xED, 0xA0, 0x80], source: "x") }
  }

  @Test("empty and whitespace-only notes are refused", arguments: ["", " ", "\n\n", " \t\r\n  \n"])
  func rejectsEmpty(_ text: String) {
    #expect(throws: RecordError.emptyNote("the note from the editor is empty")) {
      try NoteText.validate(Array(text.utf8), source: "the editor")
    }
  }

  @Test("a note larger than the limit is refused, one at the limit is not")
  func size() throws {
    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: NoteText.maximumBytes)
    #expect(try NoteText.validate(bytes, source: "big.txt").utf8.count == NoteText.maximumBytes)
    bytes.append(UInt8(ascii: "a"))
    #expect(throws: RecordError.noteTooLarge(source: "big.txt", limit: NoteText.maximumBytes)) {
      try NoteText.validate(bytes, source: "big.txt")
    }
  }

  @Test("the size limit is checked before the encoding, so a huge binary file is not scanned")
  func sizeFirst() {
    let bytes = [UInt8](repeating: 0xFF, count: NoteText.maximumBytes + 1)
    #expect(throws: RecordError.noteTooLarge(source: "x", limit: NoteText.maximumBytes)) { try NoteText.validate(bytes, source: "x") }
  }

  @Test("the first line skips blank lines and is trimmed")
  func firstLine() {
    #expect(NoteText.firstLine("\n   \n\t  Client arrived late.  \nSecond line") == "Client arrived late.")
    #expect(NoteText.firstLine("\r\n\r\nWindows line\r\nnext") == "Windows line")
    #expect(NoteText.firstLine("only") == "only")
    #expect(NoteText.firstLine(" \n\t\n") == "")
  }

  @Test("the first line is cut to 120 characters with an ellipsis")
  func firstLineCut() {
    let exact = String(repeating: "x", count: 120)
    #expect(NoteText.firstLine(exact) == exact)
    let long = String(repeating: "é", count: 121) + "\nmore"
    let cut = NoteText.firstLine(long)
    #expect(cut.count == 120)
    #expect(cut == String(repeating: "é", count: 119) + "…")
  }

  @Test("an untouched template, whatever its whitespace, is unchanged", arguments: NoteTemplate.allCases)
  func templateUnchanged(_ template: NoteTemplate) {
    let t = template.text
    #expect(NoteTemplate.isUnchanged(t, from: t))
    #expect(NoteTemplate.isUnchanged("  " + t.replacingNewlines(with: "\r\n") + "\n\n\t", from: t))
    #expect(NoteTemplate.isUnchanged(t.replacingNewlines(with: " "), from: t))
  }

  @Test("a template with a word written into it is changed", arguments: NoteTemplate.allCases)
  func templateChanged(_ template: NoteTemplate) {
    let t = template.text
    #expect(!NoteTemplate.isUnchanged(t + "Calm.", from: t))
    #expect(!NoteTemplate.isUnchanged("Today " + t, from: t))
    #expect(!NoteTemplate.isUnchanged(t.replacingFirstBlankLine(with: "\nSlept poorly.\n"), from: t))
    // Deleting a heading is also a change: the note is not the template.
    #expect(!NoteTemplate.isUnchanged(t.split(separator: "\n").dropFirst().joined(separator: "\n"), from: t))
  }

  @Test("each template starts with its first heading")
  func templateText() {
    #expect(NoteTemplate.soap.text.hasPrefix("Subjective:\n\n"))
    #expect(NoteTemplate.dap.text.hasPrefix("Data:\n\n"))
    #expect(NoteTemplate.birp.text.hasPrefix("Behavior:\n\n"))
    for t in NoteTemplate.allCases { #expect(t.text.hasSuffix("Plan:\n\n")) }
  }
}

extension String {
  fileprivate func replacingNewlines(with s: String) -> String {
    split(separator: "\n", omittingEmptySubsequences: false).joined(separator: s)
  }

  fileprivate func replacingFirstBlankLine(with s: String) -> String {
    var copy = self
    guard let r = copy.firstRange(of: "\n\n") else { return self }
    copy.replaceSubrange(r, with: "\n" + s)
    return copy
  }
}
