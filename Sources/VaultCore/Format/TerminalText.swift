/// The one escaping function for stored text on its way to a terminal or a text listing.
///
/// Names, reasons, file names and notes are stored byte for byte, so any of them can hold a
/// line feed that forges a row of a listing, an escape sequence that drives the terminal, or a
/// bidirectional override that reorders what is shown. Every printer passes stored text through
/// `escape`, which replaces each such character with a visible escape and leaves the rest alone.
public enum TerminalText {
  /// `text` with control characters (C0, DEL, C1), bidirectional controls and line or
  /// paragraph separators shown as `\n`, `\r`, `\t`, `\e` or `\u{…}`, and the bytes of a file
  /// name that is not UTF-8 as `\xHH`. `multiline` keeps line feeds and tabs (a note's body).
  public static func escape(_ text: String, multiline: Bool = false) -> String {
    let scalars = Array(text.unicodeScalars)
    guard scalars.contains(where: { needsEscape($0, multiline: multiline) }) else { return text }
    var out = String.UnicodeScalarView()
    var i = 0
    while i < scalars.count {
      let u = scalars[i]
      i += 1
      guard needsEscape(u, multiline: multiline) else {
        out.append(u)
        continue
      }
      let shown: String
      switch u {
      case "\n": shown = "\\n"
      case "\r": shown = "\\r"
      case "\t": shown = "\\t"
      case "\u{1B}": shown = "\\e"
      case SystemPath.rawByteMarker:
        if let byte = SystemPath.rawByte(at: i, in: scalars) {
          shown = "\\x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
          i += 2
        } else {
          shown = "\\u{ffff}"
        }
      default: shown = "\\u{" + String(u.value, radix: 16) + "}"
      }
      out.append(contentsOf: shown.unicodeScalars)
    }
    return String(out)
  }

  /// True for a character `escape` replaces.
  public static func needsEscape(_ u: Unicode.Scalar, multiline: Bool) -> Bool {
    switch u.value {
    case 0x0A, 0x09: !multiline
    case 0x00...0x1F, 0x7F...0x9F: true
    // Arabic letter mark, LRM/RLM, embeddings and overrides, isolates: they reorder the line.
    case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
    // Line and paragraph separators: some terminals and pagers start a new line.
    case 0x2028, 0x2029: true
    case 0xFFFF: true
    default: false
    }
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
