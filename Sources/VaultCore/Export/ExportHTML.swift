/// The human-readable parts of an export: index.html (self-contained: no scripts, no external
/// resources, a content-security policy that forbids both), the notes as Markdown, README.txt.
enum ExportHTML {
  /// HTML-escapes `s` (see `HTMLText`).
  static func escape(_ s: String) -> String { HTMLText.escape(s) }

  static func page(_ r: ExportRecord) -> String {
    let c = r.client.record
    func row(_ label: String, _ value: String?) -> String { value.map { "<tr><th>\(escape(label))</th><td>\(escape($0))</td></tr>" } ?? "" }
    var details = [
      row("Legal name", c.legalName), row("Preferred name", c.preferredName), row("Date of birth", c.dateOfBirth?.description),
      row("Phone", c.phone), row("E-mail", c.email), row("Address", c.address), row("Emergency contact", c.emergencyContact),
      row("Start of care", c.startDate.description), row("Discharged", c.dischargeDate?.description), row("Discharge reason", c.dischargeReason),
    ]
    details += c.fields.sorted { $0.key < $1.key }.map { row($0.key, $0.value) }
    let notes = r.notes.map { n in
      let meta = "\(n.date) · \(n.kind)\(n.minutes.map { " · \($0) min" } ?? "") · "
        + (n.status == "signed" ? "signed by \(n.signedBy ?? "?") on \(n.signedAt ?? "?")" : "unsigned draft")
      let addenda = n.addenda.map { a in
        "<div class=\"addendum\"><p class=\"meta\">Addendum by \(escape(a.author)) on \(escape(a.time)); reason: \(escape(a.reason))</p><pre>\(escape(a.text))</pre></div>"
      }.joined()
      return "<article><h3>Note \(escape(n.id))</h3><p class=\"meta\">\(escape(meta))</p><pre>\(escape(n.text))</pre>\(addenda)</article>"
    }.joined(separator: "\n")
    let consents = r.consents.map { d in
      "<tr><td>\(escape(d.id))</td><td>\(escape(d.kind))</td><td>\(escape(d.signed ?? "-"))</td><td>\(escape(d.expires ?? "-"))</td>"
        + "<td>\(escape(d.status))\(d.revocationReason.map { ": " + escape($0) } ?? "")</td><td>\(escape(d.file))</td></tr>"
    }.joined(separator: "\n")
    let disclosures = r.disclosures.map { d in
      "<tr><td>\(escape(d.date))</td><td>\(escape(d.recipient))\(d.address.map { "<br>" + escape($0) } ?? "")</td><td>\(escape(d.what))</td>"
        + "<td>\(escape(d.purpose)) (\(escape(d.basis)))\(d.reason.map { "<br>" + escape($0) } ?? "")</td></tr>"
    }.joined(separator: "\n")
    let access = r.accessHistory.map { a in
      "<tr><td>\(escape(a.time))</td><td>\(escape(a.actor))</td><td>\(escape(a.action))</td><td>\(escape(a.detail ?? ""))\(a.reason.map { " — " + escape($0) } ?? "")</td></tr>"
    }.joined(separator: "\n")
    let empty = "<p>None.</p>"
    return """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8">
      <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
      <title>Record of \(escape(c.legalName))</title>
      <style>
      body{font-family:Georgia,serif;max-width:50em;margin:2em auto;padding:0 1em;line-height:1.4}
      table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #aaa;padding:.3em .5em;text-align:left;vertical-align:top}
      pre{white-space:pre-wrap;font-family:inherit;margin:.3em 0}.meta{color:#555;font-size:.9em;margin:0}
      article{border-top:1px solid #ccc;padding:.5em 0;page-break-inside:avoid}.addendum{margin-left:1.5em;border-left:3px solid #ccc;padding-left:.7em}
      </style></head><body>
      <h1>Record of \(escape(c.legalName))</h1>
      <p class="meta">Client code \(escape(r.client.code)). Exported \(escape(r.generatedAt)).\(r.range.since.map { " Notes from \(escape($0))." } ?? "")\(r.range.until.map { " Notes until \(escape($0))." } ?? "")
      \(r.psychotherapyNotesLeftOut > 0 ? " \(r.psychotherapyNotesLeftOut) psychotherapy note(s) are not included." : "")</p>
      <h2>Details</h2><table>\(details.joined())</table>
      <h2>Session notes (\(r.notes.count))</h2>
      \(r.notes.isEmpty ? empty : notes)
      <h2>Consent documents (\(r.consents.count))</h2>
      \(r.consents.isEmpty ? empty : "<table><tr><th>Id</th><th>Kind</th><th>Signed</th><th>Expires</th><th>Status</th><th>File</th></tr>\n\(consents)</table>")
      <h2>Accounting of disclosures (\(r.disclosures.count))</h2>
      \(r.disclosures.isEmpty ? empty : "<table><tr><th>Date</th><th>Recipient</th><th>What was disclosed</th><th>Purpose</th></tr>\n\(disclosures)</table>")
      <h2>Access history (\(r.accessHistory.count))</h2>
      \(r.accessHistory.isEmpty ? empty : "<table><tr><th>Time (UTC)</th><th>By</th><th>Action</th><th>Detail</th></tr>\n\(access)</table>")
      <p class="meta">Every file of this export is listed with its SHA-256 in manifest.sha256; see README.txt.</p>
      </body></html>

      """
  }

  static func markdown(_ n: ExportRecord.Note) -> String {
    var s = "# Note \(n.id)\n\n- Date: \(n.date)\n- Kind: \(n.kind)\n"
    if let m = n.minutes { s += "- Duration: \(m) minutes\n" }
    s += n.status == "signed" ? "- Signed by \(n.signedBy ?? "?") on \(n.signedAt ?? "?")\n" : "- Unsigned draft\n"
    s += "\n" + n.text + (n.text.hasSuffix("\n") ? "" : "\n")
    for a in n.addenda {
      s += "\n## Addendum by \(a.author) on \(a.time)\n\nReason: \(a.reason)\n\n\(a.text)\(a.text.hasSuffix("\n") ? "" : "\n")"
    }
    return s
  }

  static func readme(_ r: ExportRecord) -> String {
    """
    This is a copy of the record of \(r.client.record.legalName), exported on \(r.generatedAt).

    index.html        the whole record, readable and printable in any web browser
    record.json       the same, machine-readable (format \(r.format))
    notes/            each session note as a text (Markdown) file
    documents/        the signed consent documents, under their original names
    manifest.sha256   the SHA-256 of every file above

    To check that nothing is missing or altered, in this folder run:
        sha256sum -c manifest.sha256          (Linux)
        shasum -a 256 -c manifest.sha256      (macOS)

    """
  }
}
