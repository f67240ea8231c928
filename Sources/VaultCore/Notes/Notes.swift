/// Session notes: every read and write of a note goes through here.
public struct Notes {
  let practice: Practice

  /// Adds a note to a client (signed at once when `sign`).
  public func add(to query: String, text: String, kind: NoteKind, date: Day, minutes: UInt16, sign: Bool) throws -> NoteSummary {
    let c = try practice.client(query, for: .noteAdd)
    return try practice.access(.noteAdd, client: c.code) {
      let (_, note) = try practice.records.addNote(
        to: c, text: text, kind: kind, date: date, minutes: minutes, sign: sign, author: practice.actor.name, now: practice.now)
      return .init(
        value: NoteSummary(note, of: c), objects: [note.current.object],
        detail: "note \(c.noteID(note.number)) (\(kind), \(date))\(sign ? ", signed" : "")")
    }
  }

  /// Throws what `add` would (unknown or discharged client, future date), before a person types.
  public func checkCanAdd(to query: String, date: Day) throws {
    let c = try practice.client(query, for: .noteAdd, ahead: true)

    try practice.records.checkCanAddNote(to: c, date: date)
  }

  /// Opens a draft for editing: its current text (a read, recorded) and the version it is.
  public func openForEditing(_ id: String) throws -> NoteDraft {
    let (c, n) = try practice.note(id, for: .noteShow)
    return try practice.access(.noteShow, client: c.code) {
      try practice.records.checkDraft(n.number, of: c)
      let draft = NoteDraft(text: try practice.records.text(c, n.current), basedOn: n.current.object)
      return .init(value: draft, objects: [n.current.object], detail: "note \(c.noteID(n.number)) opened for editing")
    }
  }

  /// Saves a new version of a draft. When the text was edited from version `basedOn` and another
  /// version was saved meanwhile, refuses (`RecordError.editConflict`) so an edit never silently
  /// replaces another.
  public func edit(_ id: String, _ change: NoteChange, basedOn: ObjectID? = nil) throws -> NoteSummary {
    let (c, n) = try practice.note(id, for: .noteEdit)
    return try practice.access(.noteEdit, client: c.code) {
      if let basedOn, n.current.object != basedOn {
        throw RecordError.editConflict(c.noteID(n.number).description, by: n.current.author, versions: n.versions.count, current: n.current.object)
      }
      let (_, edited) = try practice.records.editNote(
        n.number, of: c, text: change.text, kind: change.kind, date: change.date, minutes: change.minutes,
        author: practice.actor.name, now: practice.now)
      return .init(
        value: NoteSummary(edited, of: c), objects: [edited.current.object],
        detail: "note \(c.noteID(n.number)) now at version \(edited.versions.count)")
    }
  }

  /// Throws what `edit` would for this note (unknown, signed).
  public func checkDraft(_ id: String) throws {
    let (c, n) = try practice.note(id, for: .noteEdit, ahead: true)

    try practice.records.checkDraft(n.number, of: c)
  }

  /// Signs drafts, telling `signed` about each as it is done. Every id is checked first, so a
  /// typo cannot leave half the list signed.
  public func sign(_ ids: [String], signed: (NoteSummary) -> Void = { _ in }) throws -> [NoteSummary] {
    var seen = Set<String>()
    for id in ids {
      let (c, n) = try practice.note(id, for: .noteSign)
      if let s = n.signature {
        throw RecordError.alreadySigned(c.noteID(n.number).description, signedOn: LogEntry.format(seconds: s.time), by: s.signer)
      }
      guard seen.insert(c.noteID(n.number).description).inserted else { throw RecordError.namedTwice(c.noteID(n.number).description) }
    }
    return try ids.map { id in
      let (c, n) = try practice.note(id, for: .noteSign)
      let summary = try practice.access(.noteSign, client: c.code) {
        let (updated, note) = try practice.records.signNote(n.number, of: c, author: practice.actor.name, now: practice.now)
        return .init(value: NoteSummary(note, of: updated), objects: [note.current.object], detail: "note \(c.noteID(n.number)) signed")
      }
      signed(summary)
      return summary
    }
  }

  /// Adds an addendum to a signed note, for `reason`.
  public func amend(_ id: String, text: String, reason: String) throws -> NoteSummary {
    let (c, n) = try practice.note(id, for: .noteAmend)
    return try practice.access(.noteAmend, client: c.code) {
      let (_, amended) = try practice.records.amendNote(n.number, of: c, text: text, reason: reason, author: practice.actor.name, now: practice.now)
      return .init(
        value: NoteSummary(amended, of: c), objects: [amended.addenda[amended.addenda.count - 1].revision.object],
        detail: "addendum \(amended.addenda.count) to note \(c.noteID(n.number))")
    }
  }

  /// Throws what `amend` would for this note (unknown, a draft).
  public func checkCanAmend(_ id: String) throws {
    let (c, n) = try practice.note(id, for: .noteAmend, ahead: true)

    try practice.records.checkCanAmend(n.number, of: c)
  }

  /// One version of a note (default: the latest) with its addenda.
  public func show(_ id: String, version: Int? = nil) throws -> NoteView {
    let (c, n) = try practice.note(id, for: .noteShow)
    return try practice.access(.noteShow, client: c.code) {
      let v = version ?? n.versions.count
      guard (1...n.versions.count).contains(v) else { throw RecordError.noSuchVersion("note \(c.noteID(n.number))", versions: n.versions.count) }
      let revision = n.versions[v - 1]
      let view = NoteView(
        note: NoteSummary(n, of: c), version: v, text: try practice.records.text(c, revision),
        addenda: try n.addenda.map {
          .init(time: LogEntry.format(seconds: $0.revision.time), author: $0.revision.author, reason: $0.reason, text: try practice.records.text(c, $0.revision))
        },
        clientName: c.displayName, writtenBy: revision.author, writtenAt: LogEntry.format(seconds: revision.time))
      return .init(value: view, objects: [revision.object] + n.addenda.map(\.revision.object), detail: "note \(c.noteID(n.number)) version \(v)")
    }
  }

  /// The notes of one client (or all) that `filter` allows (only drafts when `draftsOnly`), by date.
  public func list(client query: String?, filter: NoteFilter, draftsOnly: Bool = false) throws -> NoteListing {
    let (clients, code) = try practice.clients(query, for: .noteList)
    return try practice.access(.noteList, client: code) {
      var rows: [(Client, NoteEntry)] = []
      var hidden = 0
      for c in clients {
        for n in c.index.notes where !draftsOnly || !n.isSigned {
          if filter.matches(n) { rows.append((c, n)) } else if n.kind == .psychotherapy && !filter.kinds.contains(.psychotherapy) { hidden += 1 }
        }
      }
      rows.sort { ($0.1.date, $0.0.code, $0.1.number) < ($1.1.date, $1.0.code, $1.1.number) }
      return .init(
        value: NoteListing(notes: rows.map { NoteSummary($0.1, of: $0.0) }, psychotherapyNotesLeftOut: hidden),
        detail: "\(rows.count) note(s)\(query == nil ? " of \(clients.count) client(s)" : "")")
    }
  }

  /// The notes of one client (or all) whose text or addenda contain `text` (case-insensitive).
  ///
  /// Recorded as the record of each client whose notes it returns was read: one `search` entry
  /// per such client, naming their matching notes and objects (psychotherapy notes in an entry
  /// of their own, as they are kept apart from the record), so `log show --client` and the
  /// client's export show the search; then the search's own entry (the client only with
  /// `--client`). The search text is never recorded. Clients whose notes were decrypted but did
  /// not match get no entry: nothing of their record was shown.
  public func search(_ text: String, client query: String?, filter: NoteFilter, progress: (Int, Int) -> Void = { _, _ in }) throws -> [SearchResult] {
    let (clients, code) = try practice.clients(query, for: .search)
    return try practice.access(.search, client: code) {
      let hits = try NoteSearch(text).run(in: clients, filter: filter, records: practice.records, progress: progress)
      let shownClients = Set(hits.map(\.client.code)).count
      let summary = "\(hits.count) matching note(s) in \(shownClients) of \(clients.count) client(s) searched"
      // Before the results leave the core, with the search's own entry right after (`access`).
      try practice.record(batch: Self.readEntries(hits, summary: summary))
      return .init(
        value: hits.map { SearchResult(note: NoteSummary($0.note, of: $0.client), matches: $0.count, snippet: $0.snippet) },
        detail: summary + (hits.isEmpty ? "" : "; one entry per client whose notes were shown"))
    }
  }

  /// The entries that say whose notes a search showed: per client in the order found, record
  /// notes and psychotherapy notes apart (a client's export leaves out entries naming withheld
  /// notes, and must keep the rest).
  static func readEntries(_ hits: [SearchHit], summary: String) -> [Practice.PendingEntry] {
    var groups: [(key: String, hits: [SearchHit])] = []
    for h in hits {
      let key = "\(h.client.code) \(h.note.kind == .psychotherapy)"
      if let i = groups.firstIndex(where: { $0.key == key }) { groups[i].hits.append(h) } else { groups.append((key, [h])) }
    }
    return groups.map { _, hits in
      let c = hits[0].client
      let ids = hits.map { c.noteID($0.note.number).description }
      let listed = ids.prefix(Self.loggedNoteIDs).joined(separator: ", ") + (ids.count > Self.loggedNoteIDs ? " and \(ids.count - Self.loggedNoteIDs) more" : "")
      return Practice.PendingEntry(
        action: .search, client: c.code, objects: Array(hits.flatMap(\.objects).prefix(Self.loggedObjects)),
        detail: "shown by a search: \(listed) (\(hits.count) note(s); \(summary))")
    }
  }

  /// At most this many matching objects are named in a search's log entry (an entry holds at
  /// most 1 MiB: a search matching tens of thousands of one client's notes lists the first ones).
  static let loggedObjects = 1000
  /// At most this many note ids are named in the detail of a search's entry about one client.
  static let loggedNoteIDs = 200

  /// Decrypts the current text and addenda of every note `filter` allows, in client order, and
  /// passes each note with its texts to `body` (bulk reading: benchmarks, whole-practice
  /// exports). Recorded as one access before anything is read.
  public func readEvery(filter: NoteFilter, _ body: (NoteSummary, [String]) throws -> Void) throws {
    let (clients, _) = try practice.clients(nil, for: .noteReadAll)
    try practice.record(.noteReadAll, detail: "every note of \(clients.count) client(s)")
    for c in clients {
      for n in c.index.notes where filter.matches(n) {
        try body(NoteSummary(n, of: c), try ([n.current] + n.addenda.map(\.revision)).map { try practice.records.text(c, $0) })
      }
    }
  }
}
