extension Records {
  /// Throws what `addNote` would for this client and date (discharged, future date), so a
  /// command can refuse before a person starts typing.
  func checkCanAddNote(to client: Client, date: Day) throws {
    if let day = client.index.dischargeDate { throw RecordError.clientDischarged(client.code, on: day) }
    try Self.checkSessionDate(date)
  }

  /// Throws what `editNote` would for this note (unknown, signed).
  func checkDraft(_ number: UInt32, of client: Client) throws { _ = try draft(number, of: client) }

  /// Throws what `amendNote` would for this note (unknown, a draft).
  func checkCanAmend(_ number: UInt32, of client: Client) throws {
    let id = client.noteID(number)
    guard let note = client.index.note(number) else { throw RecordError.noteNotFound(id.description) }
    guard note.isSigned else { throw RecordError.noteNotSigned(id.description) }
  }

  /// Adds a note (signed at once when `sign`).
  func addNote(
    to client: Client, text: String, kind: NoteKind, date: Day, minutes: UInt16, sign: Bool, author: String, now: Int64
  ) throws -> (Client, NoteEntry) {
    try checkCanAddNote(to: client, date: date)
    let version = try putText(text, client: client, author: author, now: now)
    var index = client.index
    let note = NoteEntry(
      number: (index.notes.last?.number ?? 0) + 1, kind: kind, date: date, minutes: minutes,
      signature: sign ? Signature(time: now, signer: author) : nil, firstLine: NoteText.firstLine(text),
      versions: [version], addenda: [])
    index.notes.append(note)
    return (try save(client, index), note)
  }

  /// A new version of a draft: new text and/or kind, date, length. Signed notes never change.
  func editNote(
    _ number: UInt32, of client: Client, text: String?, kind: NoteKind?, date: Day?, minutes: UInt16?, author: String, now: Int64
  ) throws -> (Client, NoteEntry) {
    var (index, i) = try draft(number, of: client)
    var note = index.notes[i]
    if let date {
      try Self.checkSessionDate(date)
      note.date = date
    }
    if let kind { note.kind = kind }
    if let minutes { note.minutes = minutes }
    if let text {
      // Bytes, not String equality: a change of Unicode normalisation is a change (FORMAT.md §8.2).
      if !text.utf8.elementsEqual(try self.text(client, note.current).utf8) {
        note.versions.append(try putText(text, client: client, author: author, now: now))
        note.firstLine = NoteText.firstLine(text)
      }
    }
    guard note != index.notes[i] else { throw RecordError.nothingChanged("note \(client.noteID(number)) is unchanged") }
    index.notes[i] = note
    return (try save(client, index), note)
  }

  /// Signs a draft; from then on it can only take addenda.
  func signNote(_ number: UInt32, of client: Client, author: String, now: Int64) throws -> (Client, NoteEntry) {
    if let s = client.index.note(number)?.signature {
      throw RecordError.alreadySigned(client.noteID(number).description, signedOn: LogEntry.format(seconds: s.time), by: s.signer)
    }
    var (index, i) = try draft(number, of: client)
    index.notes[i].signature = Signature(time: now, signer: author)
    return (try save(client, index), index.notes[i])
  }

  /// Adds an addendum to a signed note.
  func amendNote(_ number: UInt32, of client: Client, text: String, reason: String, author: String, now: Int64) throws -> (Client, NoteEntry) {
    try checkCanAmend(number, of: client)
    guard let i = client.index.notes.firstIndex(where: { $0.number == number }) else { throw RecordError.noteNotFound(client.noteID(number).description) }
    try ClientRecord.checkText(reason, field: "reason", required: true)
    var index = client.index
    index.notes[i].addenda.append(Addendum(revision: try putText(text, client: client, author: author, now: now), reason: reason))
    return (try save(client, index), index.notes[i])
  }


  func draft(_ number: UInt32, of client: Client) throws -> (ClientIndex, Int) {
    let id = client.noteID(number)
    guard let i = client.index.notes.firstIndex(where: { $0.number == number }) else { throw RecordError.noteNotFound(id.description) }
    if let s = client.index.notes[i].signature {
      throw RecordError.noteSigned(id.description, signedOn: LogEntry.format(seconds: s.time), by: s.signer)
    }
    return (client.index, i)
  }

  /// Refuses a session date in the future.
  static func checkSessionDate(_ date: Day) throws(RecordError) {
    guard date <= Day.today() else { throw .invalidDate(date.description, "the date is in the future") }
  }

  func putText(_ text: String, client: Client, author: String, now: Int64) throws -> Revision {
    let bytes = Array(text.utf8)
    guard bytes.count <= NoteText.maximumBytes else { throw RecordError.noteTooLarge(source: "the text", limit: NoteText.maximumBytes) }
    let object = try put(bytes, as: .note, client: client.id, key: client.key)
    return Revision(object: object, time: now, author: author, length: UInt32(bytes.count))
  }
}
