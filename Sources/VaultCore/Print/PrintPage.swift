/// The frame of every page a client or a counselor reads or prints: the practice's letterhead
/// (name, address, contact: `vault practice set`), a title, the body, and a footer. One
/// self-contained HTML document: no script, no external resource, and a content-security policy
/// that forbids both, so stored text can never run or fetch anything; styles that print on A4
/// and Letter alike.
struct PrintPage {
  /// The practice's profile; an empty one prints a plain heading instead of a letterhead.
  var profile: PracticeProfile
  /// The document's title (also the browser tab's).
  var title: String
  /// HTML already escaped by the caller (`PrintPage.escape`).
  var body: String
  /// One line under the page, e.g. when and by whom it was made.
  var footer: String

  /// HTML-escapes `s`; line breaks become `<br>` when `lines`.
  static func escape(_ s: String, lines: Bool = false) -> String {
    let e = HTMLText.escape(s)
    return lines ? e.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "<br>") : e
  }

  /// A two-column table row, or nothing when `value` is nil or empty.
  static func row(_ label: String, _ value: String?) -> String {
    guard let value, !value.isEmpty else { return "" }
    return "<tr><th>\(escape(label))</th><td>\(escape(value, lines: true))</td></tr>"
  }

  /// The letterhead block.
  var letterhead: String {
    guard !profile.name.isEmpty || !profile.address.isEmpty || !profile.contact.isEmpty else { return "" }
    let name = profile.name.isEmpty ? "" : "<div class=\"practice\">\(Self.escape(profile.name))</div>"
    let lines = [profile.address, profile.contact].filter { !$0.isEmpty }.map { "<div>\(Self.escape($0, lines: true))</div>" }.joined()
    return "<header class=\"letterhead\">\(name)<div class=\"contact\">\(lines)</div></header>\n"
  }

  /// The whole document.
  var html: String {
    """
    <!DOCTYPE html>
    <html lang="en"><head><meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
    <title>\(Self.escape(title))</title>
    <style>\(Self.style)</style></head><body>
    \(letterhead)<h1>\(Self.escape(title))</h1>
    \(body)
    <footer>\(Self.escape(footer))</footer>
    </body></html>

    """
  }

  /// Screen and print styles: a readable column on a phone, page breaks kept out of notes.
  static let style = """
    body{font-family:Georgia,'Times New Roman',serif;max-width:46em;margin:1.5em auto;padding:0 1em;line-height:1.45;color:#111}
    .letterhead{border-bottom:2px solid #333;padding-bottom:.6em;margin-bottom:1.2em;display:flex;flex-wrap:wrap;justify-content:space-between;gap:.5em}
    .practice{font-size:1.5em;font-weight:bold}.contact{font-size:.9em;color:#333;text-align:right}
    h1{font-size:1.4em;margin:.2em 0 .6em}h2{font-size:1.15em;margin:1.4em 0 .4em;border-bottom:1px solid #ccc}
    table{border-collapse:collapse;width:100%;margin:.4em 0}th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top;overflow-wrap:break-word}
    th{background:#f3f3f3;font-weight:normal;width:30%}thead th{width:auto;font-weight:bold}
    pre{white-space:pre-wrap;overflow-wrap:anywhere;font-family:inherit;margin:.4em 0}.meta{color:#444;font-size:.92em;margin:.2em 0}
    .about{background:#f6f6f0;border:1px solid #ddd;padding:.6em .8em;margin:.8em 0}
    article{border-top:1px solid #ccc;padding:.6em 0;break-inside:avoid;page-break-inside:avoid}
    .addendum{margin-left:1.5em;border-left:3px solid #ccc;padding-left:.7em}.draft{color:#a40;font-weight:bold}
    footer{margin-top:2em;border-top:1px solid #ccc;padding-top:.4em;color:#555;font-size:.85em}
    @media (max-width:40em){body{margin:.8em auto;padding:0 .6em}table{font-size:.9em}th,td{padding:.25em .3em}th{width:auto}.contact{text-align:left}}
    @media print{body{margin:0;max-width:none}a{color:inherit;text-decoration:none}@page{margin:18mm 16mm}}
    """
}
