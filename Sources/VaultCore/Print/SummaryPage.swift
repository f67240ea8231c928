/// `vault client summary`: a client's record on one page: details, care, the notes by date and
/// kind (not their text), documents and disclosures. Psychotherapy notes are not listed.
struct SummaryPage {
  let client: Client
  let record: ClientRecord

  var title: String { "Client summary: \(record.legalName)" }

  /// The page, printed by `printedBy` at `now`.
  func html(profile: PracticeProfile, printedBy: String, now: Int64) -> String {
    let clock = LocalClock(timeZone: profile.timeZone)
    let e = { (s: String) in PrintPage.escape(s) }
    let row = PrintPage.row
    let today = Day.today()
    let notes = client.index.notes.filter { $0.kind != .psychotherapy }.sorted { ($0.date, $0.number) < ($1.date, $1.number) }
    let signed = notes.filter(\.isSigned)
    let minutes = signed.reduce(0) { $0 + Int($1.minutes) }
    var details = [
      row("Legal name", record.legalName), row("Preferred name", record.preferredName), row("Client code", client.code.description),
      row("Date of birth", record.dateOfBirth.map(clock.day)), row("Phone", record.phone), row("E-mail", record.email),
      row("Address", record.address), row("Emergency contact", record.emergencyContact),
    ]
    details += record.fields.sorted { $0.key < $1.key }.map { row($0.key, $0.value) }
    let care = [
      row("Start of care", clock.day(record.startDate)),
      row("End of care", record.dischargeDate.map { clock.day($0) + (record.dischargeReason.map { " — \($0)" } ?? "") } ?? "Active"),
      row("Sessions documented", "\(signed.count) signed note\(signed.count == 1 ? "" : "s")" + (minutes > 0 ? ", \(minutes) minutes in all" : "")),
      row("First and last", signed.first.map { "\(clock.day($0.date)) — \(clock.day(signed[signed.count - 1].date))" }),
      row("Unsigned drafts", notes.count > signed.count ? "\(notes.count - signed.count)" : nil),
    ]
    let noteRows = notes.map { n in
      "<tr><td>\(e(clock.day(n.date)))</td><td>\(e(PlainWords.noteKind(n.kind.description)))</td><td>\(n.minutes == 0 ? "" : "\(n.minutes) min")</td>"
        + "<td>\(n.isSigned ? "Signed by \(e(n.signature?.signer ?? ""))" : "<span class=\"draft\">Draft</span>")</td></tr>"
    }.joined(separator: "\n")
    let consentRows = client.index.consents.map { d in
      "<tr><td>\(e(PlainWords.consentKind(d.kind.description)))</td><td>\(e(d.signed.map(clock.day) ?? "—"))</td>"
        + "<td>\(e(d.expires.map(clock.day) ?? "—"))</td><td>\(e(PlainWords.consentStatus(d.status(on: today).rawValue)))</td></tr>"
    }.joined(separator: "\n")
    let disclosureRows = client.index.disclosures.map { d in
      "<tr><td>\(e(clock.day(d.date)))</td><td>\(e(d.recipient))</td><td>\(e(d.what))</td><td>\(e(PlainWords.disclosureBasis(d.basis.description)))</td></tr>"
    }.joined(separator: "\n")
    let none = "<p>None.</p>"
    let body = """
      <h2>Details</h2><table>\(details.joined())</table>
      <h2>Care</h2><table>\(care.joined())</table>
      <h2>Session notes (\(notes.count))</h2>
      \(notes.isEmpty ? none : "<table><thead><tr><th>Date</th><th>Kind</th><th>Length</th><th>Status</th></tr></thead>\n\(noteRows)</table>")
      <h2>Documents (\(client.index.consents.count))</h2>
      \(client.index.consents.isEmpty ? none : "<table><thead><tr><th>Document</th><th>Signed</th><th>Expires</th><th>Status today</th></tr></thead>\n\(consentRows)</table>")
      <h2>Disclosures (\(client.index.disclosures.count))</h2>
      \(client.index.disclosures.isEmpty ? none : "<table><thead><tr><th>Date</th><th>Recipient</th><th>What</th><th>Basis</th></tr></thead>\n\(disclosureRows)</table>")
      """
    return PrintPage(
      profile: profile, title: title, body: body,
      footer: "Confidential. Printed \(clock.time(seconds: now)) by \(printedBy). Psychotherapy notes are kept apart and not listed."
    ).html
  }
}
