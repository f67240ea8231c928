import Foundation

/// The human-readable parts of an export: index.html (a `PrintPage`: self-contained, no scripts,
/// no external resources, a content-security policy that forbids both), the notes as Markdown,
/// README.txt.
enum ExportHTML {
  /// HTML-escapes `s` (see `HTMLText`).
  static func escape(_ s: String) -> String { HTMLText.escape(s) }

  /// index.html: the record as the client reads it, on the practice's letterhead, in plain words,
  /// times in the practice's time zone, documents linked to their files in the bundle.
  /// `singlePage`: shown by the self-decrypting page (no manifest, no README beside it).
  static func page(_ r: ExportRecord, singlePage: Bool = false) -> String {
    let c = r.client.record
    let clock = LocalClock(timeZone: r.practice?.timeZone ?? "")
    let row = PrintPage.row
    var details = [
      row("Legal name", c.legalName), row("Preferred name", c.preferredName), row("Date of birth", c.dateOfBirth.map(clock.day)),
      row("Phone", c.phone), row("E-mail", c.email), row("Address", c.address), row("Emergency contact", c.emergencyContact),
      row("Start of care", clock.day(c.startDate)), row("End of care", c.dischargeDate.map(clock.day)), row("Reason care ended", c.dischargeReason),
    ]
    details += c.fields.sorted { $0.key < $1.key }.map { row($0.key, $0.value) }
    let notes = r.notes.map { n in
      let signed = n.status == "signed"
        ? "Signed by \(escape(n.signedBy ?? "?")), \(escape(n.signedAt.map(clock.time) ?? "?"))" : "<span class=\"draft\">Unsigned draft</span>"
      let meta = "\(escape(clock.day(n.date)))\(n.minutes.map { " · \($0) minutes" } ?? "") · \(signed)"
      let addenda = n.addenda.map { a in
        "<div class=\"addendum\"><p class=\"meta\">Addendum by \(escape(a.author)), \(escape(clock.time(a.time))). Reason: \(escape(a.reason))</p><pre>\(escape(a.text))</pre></div>"
      }.joined()
      return "<article id=\"note-\(escape(n.id))\"><h3>\(escape(PlainWords.noteKind(n.kind)))</h3><p class=\"meta\">\(meta)</p><pre>\(escape(n.text))</pre>\(addenda)</article>"
    }.joined(separator: "\n")
    let consents = r.consents.map { d in
      let status = PlainWords.consentStatus(d.status) + (d.revocationReason.map { ": " + $0 } ?? "")
      return "<tr><td><a href=\"\(escape(link(d.file)))\">\(escape(PlainWords.consentKind(d.kind)))</a><br><span class=\"meta\">\(escape(d.fileName))</span></td>"
        + "<td>\(escape(d.signed.map(clock.day) ?? "—"))</td><td>\(escape(d.expires.map(clock.day) ?? "—"))</td><td>\(escape(status))</td></tr>"
    }.joined(separator: "\n")
    let disclosures = r.disclosures.map { d in
      "<tr><td>\(escape(clock.day(d.date)))</td><td>\(escape(d.recipient))\(d.address.map { "<br>" + escape($0) } ?? "")</td><td>\(escape(d.what))</td>"
        + "<td>\(escape(d.purpose))<br><span class=\"meta\">\(escape(PlainWords.disclosureBasis(d.basis)))</span>\(d.reason.map { "<br>" + escape($0) } ?? "")</td></tr>"
    }.joined(separator: "\n")
    let access = r.accessHistory.map { a in
      "<tr><td>\(escape(clock.time(a.time)))</td><td>\(escape(a.actor))</td><td>\(escape(PlainWords.action(a.action)))</td>"
        + "<td>\(escape(PlainWords.detail(a.detail ?? "")))\(a.reason.map { " — " + escape($0) } ?? "")</td></tr>"
    }.joined(separator: "\n")
    let none = "<p>None.</p>"
    let body = """
      <p class="meta">Copy made \(escape(clock.time(r.generatedAt))) for \(escape(c.legalName)) (client code \(escape(r.client.code))). Times are shown in \(escape(clock.zoneName)).</p>
      <div class="about"><p>\(escape(about(r)))</p></div>
      <h2>Your details</h2><table>\(details.joined())</table>
      <h2>Session notes (\(r.notes.count))</h2>
      \(r.notes.isEmpty ? none : notes)
      <h2>Signed documents (\(r.consents.count))</h2>
      \(r.consents.isEmpty ? none : "<table><thead><tr><th>Document</th><th>Signed</th><th>Expires</th><th>Status</th></tr></thead>\n\(consents)</table>")
      <h2>Who received information about you (\(r.disclosures.count))</h2>
      <p class="meta">Every disclosure of your information outside the practice, with its reason (the accounting of disclosures).</p>
      \(r.disclosures.isEmpty ? none : "<table><thead><tr><th>Date</th><th>Recipient</th><th>What was disclosed</th><th>Purpose and reason</th></tr></thead>\n\(disclosures)</table>")
      <h2>Who opened your record (\(r.accessHistory.count))</h2>
      <p class="meta">Every time someone at the practice read or changed your record, from the practice's tamper-evident log.</p>
      \(r.accessHistory.isEmpty ? none : "<table><thead><tr><th>When</th><th>Who</th><th>What</th><th>Detail</th></tr></thead>\n\(access)</table>")
      """
    return PrintPage(
      profile: r.practice ?? PracticeProfile(), title: "Record of \(c.legalName)", body: body,
      footer: singlePage
        ? "This copy opened in your browser; nothing was sent anywhere. The documents, and record.json (the same record for computers), can be saved from this page."
        : "Every file of this copy is listed with its SHA-256 in manifest.sha256 (see README.txt); record.json holds the same record for computers."
    ).html
  }

  /// The sentence on what this copy holds and what it leaves out, and why.
  static func about(_ r: ExportRecord) -> String {
    var s = "This copy holds \(count(r.notes.count, "signed session note"))"
    if r.includesDrafts { s = "This copy holds \(count(r.notes.count, "session note")) (unsigned drafts included, marked as such)" }
    s += ", \(count(r.consents.count, "signed document")), the list of everyone who received information about you and why, and the history of every access to your record."
    if let since = r.range.since, let until = r.range.until {
      s += " As requested, it covers notes from \(since) to \(until)."
    } else if let since = r.range.since {
      s += " As requested, it covers notes from \(since) on."
    } else if let until = r.range.until {
      s += " As requested, it covers notes up to \(until)."
    }
    var withheld: [String] = []
    if r.psychotherapyNotesLeftOut > 0 {
      withheld.append(
        "\(count(r.psychotherapyNotesLeftOut, "psychotherapy note")) (a counselor's separate process notes, which the law keeps apart from "
          + "the record and outside the right of access, HIPAA 45 CFR 164.524(a)(1)(i))")
    }
    if r.draftsLeftOut > 0 {
      withheld.append("\(count(r.draftsLeftOut, "unsigned draft note")) (a draft becomes part of the record when the counselor signs it)")
    }
    s += withheld.isEmpty ? " Nothing in the record was withheld." : " Not included: " + withheld.joined(separator: "; and ") + "."
    s += " You may ask the practice about anything in this copy, or ask for a correction."
    return s
  }

  /// A relative link to a file of the bundle: each path segment percent-encoded, so a name
  /// holding `#`, `%` or `?` still names its file.
  static func link(_ path: String) -> String {
    var allowed = CharacterSet.urlPathAllowed
    allowed.remove(charactersIn: "#%?;")
    return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
  }

  /// "1 note", "3 notes".
  private static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

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
