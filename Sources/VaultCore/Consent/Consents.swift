/// Consent documents, the practice's forms, and disclosures with their accounting: every read
/// and write of them goes through here.
public struct Consents {
  let practice: Practice

  /// Stores a signed consent document for a client (`progress`: bytes done, total).
  public func add(to query: String, _ consent: NewConsent, progress: (Int, Int) -> Void = { _, _ in }) throws -> ConsentView {
    let c = try practice.client(query, for: .consentAdd)
    return try practice.access(.consentAdd, client: c.code) {
      let (updated, entry) = try practice.records.addConsent(
        to: c, consent.file, kind: consent.kind, signed: consent.signed, expires: consent.expires, formVersion: consent.formVersion,
        note: consent.note, release: consent.release, author: practice.actor.name, now: practice.now, progress: progress)
      return .init(
        value: ConsentView(entry, of: updated), objects: [entry.file.object],
        detail: "\(c.consentID(entry.number)) \(consent.kind), \(ByteCount.format(entry.file.size))")
    }
  }

  /// Decrypts a consent document to `target`. The access is recorded before the first byte leaves
  /// the vault; a file appears whole or not at all.
  public func get(_ id: String, to target: DocumentTarget, progress: (Int, Int) -> Void = { _, _ in }) throws -> ConsentView {
    let (c, e) = try consent(id, for: .consentGet)

    var file: OutputFile?
    switch target {
    case .file(let path, let force): file = try OutputFile(path, force: force)
    case .standardOutput(let isTerminal):
      if isTerminal, e.file.mediaType != "text/plain" {
        throw RecordError.binaryToTerminal(c.consentID(e.number).description, mediaType: e.file.mediaType)
      }
    }
    try practice.record(
      .consentGet, client: c.code, objects: [e.file.object], detail: "\(c.consentID(e.number)) to \(file == nil ? "standard output" : "a file")")
    var done = 0
    try practice.records.readConsent(e, of: c) { chunk in
      if let file { try file.write(chunk) } else { try OutputFile.writeAll(1, chunk, what: "standard output") }
      done += chunk.count
      progress(done, Int(e.file.size))
    }
    try file?.commit()
    return ConsentView(e, of: c)
  }

  /// Records that a consent was revoked as of `date`, for `reason`.
  public func revoke(_ id: String, on date: Day, reason: String) throws -> ConsentView {
    let (c, e) = try consent(id, for: .consentRevoke)
    return try practice.access(.consentRevoke, client: c.code) {
      let (updated, revoked) = try practice.records.revokeConsent(e.number, of: c, date: date, reason: reason, author: practice.actor.name, now: practice.now)
      return .init(value: ConsentView(revoked, of: updated), detail: "\(c.consentID(e.number)) revoked as of \(date)")
    }
  }

  /// The consents of one client, or of every client.
  public func list(client query: String?) throws -> [ConsentView] {
    let (clients, code) = try practice.clients(query, for: .consentList)
    return try practice.access(.consentList, client: code) {
      let rows = clients.flatMap { c in c.index.consents.map { ConsentView($0, of: c) } }
      return .init(value: rows, detail: "\(rows.count) consent(s)\(query == nil ? " of \(clients.count) client(s)" : "")")
    }
  }

  /// One consent's details and history (not the document).
  public func show(_ id: String) throws -> ConsentView {
    let (c, e) = try consent(id, for: .consentShow)
    return try practice.access(.consentShow, client: c.code) { .init(value: ConsentView(e, of: c), detail: "\(c.consentID(e.number))") }
  }

  /// What needs attention for active clients: consents missing, revoked, expired, expiring within
  /// `within` days or signed on an older form version, and releases expiring within `within` days.
  public func check(within days: Int) throws -> ConsentCheckReport {
    try practice.access(.consentCheck) {
      let forms = try practice.records.practice()
      let clients = try practice.visibleClients(for: .consentCheck)
      let items = try practice.records.checkConsents(clients, practice: forms, within: days).map { f in
        ConsentCheckItem(
          client: f.client.code.description, kind: f.kind.description, status: f.status.rawValue, detail: f.detail,
          consent: f.consent.map { f.client.consentID($0.number).description })
      }
      return .init(
        value: ConsentCheckReport(items: items, formsRegistered: !forms.forms.isEmpty),
        detail: "\(items.count) finding(s) for \(clients.filter { !$0.isDischarged }.count) active client(s)")
    }
  }

  /// Registers a version of the practice's blank form for `kind`; it becomes the current one.
  public func addForm(kind: ConsentKind, version: String, file: FileSource) throws -> FormView {
    try practice.access(.formAdd) {
      let form = try practice.records.addForm(kind: kind, version: version, file, author: practice.actor.name, now: practice.now)
      return .init(value: FormView(form, current: true), objects: [form.file.object], detail: "\(kind) form version '\(version)'")
    }
  }

  /// Every registered form, the current one of each kind marked.
  public func forms() throws -> [FormView] {
    try practice.access(.formList) {
      let forms = try practice.records.practice()
      let current = forms.currentForms
      return .init(value: forms.forms.map { FormView($0, current: current[$0.kind] == $0) }, detail: "\(forms.forms.count) form(s)")
    }
  }

  /// Records a disclosure, checked against its basis (an authorization must be a valid release
  /// naming this recipient; limits of confidentiality need `reason` and are flagged).
  public func disclose(_ query: String, _ d: NewDisclosure, reason: String?) throws -> DisclosureView {
    let auth = try d.authorization.map { try ItemID(parsing: $0, letter: "C") }
    let corrected = try d.corrects.map { try ItemID(parsing: $0, letter: "D") }
    let c = try practice.client(query, for: .disclosure)
    return try practice.access(.disclosure, client: c.code) {
      let (updated, entry) = try practice.records.disclose(
        c, date: d.date, basis: d.basis, recipient: d.recipient, address: d.address, what: d.what, purpose: d.purpose,
        reason: reason, authorization: auth, corrects: corrected, author: practice.actor.name, now: practice.now)
      return .init(
        value: DisclosureView(entry, of: updated),
        detail: "\(c.disclosureID(entry.number)) to \(d.recipient), basis \(d.basis)\(d.basis.isLimitOfConfidentiality ? " (limits of confidentiality: flagged)" : "")")
    }
  }

  /// The accounting of disclosures for a client from `since` (default: six years ago) to today.
  public func accounting(_ query: String, since: Day? = nil, asHTML: Bool = false) throws -> Accounting {
    let c = try practice.client(query, for: .disclosuresRead)
    return try practice.access(.disclosuresRead, client: c.code) {
      let today = Day.today()
      let from = since ?? Accounting.defaultStart(today: today)
      let rows = c.index.disclosures.filter { $0.date >= from }.sorted { ($0.date, $0.number) < ($1.date, $1.number) }
      let accounting = Accounting(
        client: c.code.description, clientName: c.displayName, legalName: c.index.legalName, from: from, to: today,
        disclosures: rows.map { DisclosureView($0, of: c) })
      return .init(value: accounting, detail: "\(rows.count) disclosure(s) since \(from)\(asHTML ? ", as HTML" : "")")
    }
  }

  /// The client and consent an id ("K7F3-2Q.C2") names, once the policy allows `action` on that client.
  private func consent(_ id: String, for action: Action) throws -> (Client, ConsentEntry) {
    let item = try ItemID(parsing: id, letter: "C")
    let c = try practice.client(item.client.description, for: action)
    guard c.code == item.client, let entry = c.index.consent(item.number) else { throw RecordError.itemNotFound("consent \(item)") }
    return (c, entry)
  }
}
