/// `vault note print`: one session note on the practice's letterhead.
struct NotePage {
  /// The note's id ("K7F3-2Q.3").
  let id: String
  let note: NoteEntry
  /// The version printed (1-based).
  let version: Int
  /// The client's current details.
  let record: ClientRecord
  /// The version's text.
  let text: String
  /// Each addendum with its text.
  let addenda: [(Addendum, String)]

  var title: String { "\(PlainWords.noteKind(note.kind.description)) \(id)" }

  /// The page, printed by `printedBy` at `now`.
  func html(profile: PracticeProfile, printedBy: String, now: Int64) -> String {
    let clock = LocalClock(timeZone: profile.timeZone)
    let e = { (s: String) in PrintPage.escape(s) }
    let revision = note.versions[version - 1]
    let status: String
    if let signature = note.signature, version == note.versions.count {
      status = "Signed by \(e(signature.signer)), \(e(clock.time(seconds: signature.time)))"
    } else if note.isSigned {
      status = "Version \(version) of \(note.versions.count): a version replaced before signing"
    } else {
      status = "<span class=\"draft\">UNSIGNED DRAFT — not yet part of the record</span>"
    }
    var rows = [
      PrintPage.row("Client", record.legalName + (record.preferredName.map { " (\($0))" } ?? "")),
      PrintPage.row("Date of birth", record.dateOfBirth.map(clock.day)),
      PrintPage.row("Session date", clock.day(note.date)),
      PrintPage.row("Duration", note.minutes == 0 ? nil : "\(note.minutes) minutes"),
      PrintPage.row("Written by", "\(revision.author), \(clock.time(seconds: revision.time))"),
    ]
    rows.append("<tr><th>Status</th><td>\(status)</td></tr>")
    var body = "<table>\(rows.joined())</table>\n"
    if note.kind == .psychotherapy {
      body += "<div class=\"about\"><p>Psychotherapy note (HIPAA 45 CFR 164.501): kept apart from the client's record; "
        + "disclose only with the client's specific authorization.</p></div>\n"
    }
    body += "<article><pre>\(e(text))</pre></article>\n"
    for (addendum, text) in addenda {
      body += "<div class=\"addendum\"><p class=\"meta\">Addendum by \(e(addendum.revision.author)), \(e(clock.time(seconds: addendum.revision.time))). "
        + "Reason: \(e(addendum.reason))</p><pre>\(e(text))</pre></div>\n"
    }
    return PrintPage(
      profile: profile, title: title, body: body,
      footer: "Confidential. Printed \(clock.time(seconds: now)) by \(printedBy); client code \(id.split(separator: ".").first.map(String.init) ?? id)."
    ).html
  }
}
