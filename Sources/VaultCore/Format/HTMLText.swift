/// The one escaping function for stored text placed in an HTML page (an export, an accounting of disclosures).
public enum HTMLText {
  /// HTML-escapes `s` scalar by scalar: by grapheme cluster, a "prepend" character (U+0600…)
  /// fused with a following "<" would hide it from the comparison and let markup through.
  public static func escape(_ s: String) -> String {
    var out = String.UnicodeScalarView()
    for u in s.unicodeScalars {
      switch u {
      case "&": out.append(contentsOf: "&amp;".unicodeScalars)
      case "<": out.append(contentsOf: "&lt;".unicodeScalars)
      case ">": out.append(contentsOf: "&gt;".unicodeScalars)
      case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
      case "'": out.append(contentsOf: "&#39;".unicodeScalars)
      // Controls and bidirectional overrides as references: harmless in a browser, and inert
      // text when the page is printed to a terminal (`vault disclosures --format html`).
      case _ where TerminalText.needsEscape(u, multiline: true):
        out.append(contentsOf: "&#x\(String(u.value, radix: 16));".unicodeScalars)
      default: out.append(u)
      }
    }
    return String(out)
  }
}
