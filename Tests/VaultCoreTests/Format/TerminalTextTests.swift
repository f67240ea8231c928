import Testing
import VaultCore

@Suite("escaping stored text for terminals, and paths as bytes")
struct TerminalTextTests {
  @Test("controls, C1, bidirectional controls and separators are escaped; plain text is unchanged")
  func escapes() {
    #expect(TerminalText.escape("Ann Lee — María, 李") == "Ann Lee — María, 李")
    #expect(TerminalText.escape("a\nb\rc\td\u{1B}[2J") == "a\\nb\\rc\\td\\e[2J")
    #expect(TerminalText.escape("x\u{7F}\u{9B}31m") == "x\\u{7f}\\u{9b}31m")
    #expect(TerminalText.escape("\u{202E}gpj.exe\u{2066}\u{2028}") == "\\u{202e}gpj.exe\\u{2066}\\u{2028}")
    #expect(TerminalText.escape("line 1\n\tline 2\u{1B}", multiline: true) == "line 1\n\tline 2\\e")
  }

  @Test("escaping is idempotent: escaped text needs no second escape")
  func idempotent() {
    for s in ["a\nb", "\u{1B}[0m", "\u{202E}x", "\u{0}\u{1}"] {
      let once = TerminalText.escape(s)
      #expect(TerminalText.escape(once) == once)
    }
  }

  @Test("bytes that are not UTF-8 survive a round trip through a path string and show as \\xHH")
  func rawBytes() {
    let cases: [[UInt8]] = [
      Array("/tmp/café.txt".utf8), [0x2F, 0x63, 0xE9, 0x2E], [0xFF, 0xFE], [0xEF, 0xBF, 0xBF], [0xC3], [0x41, 0xC3, 0x28, 0x42], [],
    ]
    for bytes in cases {
      let path = SystemPath.string(fromBytes: bytes)
      #expect(SystemPath.bytes(of: path) == bytes, "\(bytes)")
    }
    #expect(TerminalText.escape(SystemPath.string(fromBytes: [0x63, 0xE9])) == "c\\xE9")
    #expect(SystemPath.string(fromBytes: Array("plain/path".utf8)) == "plain/path")
  }
}
