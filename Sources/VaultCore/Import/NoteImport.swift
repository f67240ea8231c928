#if canImport(Glibc)
  import Glibc
#endif

/// One note file of a directory, as `vault import notes` reads it (OPERATIONS.md, "Moving in
/// from another system"). Either the file starts with front matter:
///
///     ---
///     client: K7F3-2Q        (the client's code, or their exact legal name)
///     date: 2024-05-01
///     kind: progress         (optional: progress, intake, contact, termination, psychotherapy)
///     minutes: 50            (optional; or duration: 50m, 1h30m)
///     signed: true           (optional: the note was signed in the system you are leaving)
///     ---
///     The note's text...
///
/// or its name says the client's code and the date, and optionally the kind:
/// `K7F3-2Q_2024-05-01_intake.md`, `K7F3-2Q_2024-05-01.txt` (the whole file is the text).
struct NoteFile: Equatable {
  /// The client's code or exact legal name.
  var client: String
  var date: Day
  var kind: NoteKind = .progress
  var minutes: UInt16 = 0
  var signed = false
  var text: String
  /// True when the details came from front matter, false from the file's name.
  var frontMatter: Bool

  /// The front-matter keys.
  static let keys = ["client", "date", "kind", "minutes", "duration", "signed"]
  /// File name extensions read as notes.
  static let extensions = ["txt", "md"]

  /// The note in `bytes` (the file `name`), or what is wrong (field: the key concerned).
  static func parse(_ bytes: [UInt8], name: String, today: Day) -> Result<NoteFile, Problem> {
    var body = bytes[...]
    if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
    if body.starts(with: [0xFF, 0xFE]) || body.starts(with: [0xFE, 0xFF]) {
      return .failure(Problem(nil, "it is UTF-16 text, not UTF-8; convert it, e.g. 'iconv -f UTF-16 -t UTF-8'"))
    }
    guard let text = String(validating: body, as: UTF8.self) else {
      return .failure(Problem(nil, "it is not UTF-8 text (invalid byte at offset \(NoteText.firstInvalidOffset(Array(body)) + (bytes.count - body.count))); "
        + "convert it, e.g. 'iconv -f WINDOWS-1252 -t UTF-8'"))
    }
    // CRLF is one Character in Swift: both line ends split lines, and the text keeps its own.
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    if let first = lines.first, first.trimmingSpaces() == "---" {
      return fromFrontMatter(lines, in: text, today: today)
    }
    return fromName(name, text: text, today: today)
  }

  private static func fromFrontMatter(_ lines: [Substring], in whole: String, today: Day) -> Result<NoteFile, Problem> {
    guard let close = lines.dropFirst().prefix(60).firstIndex(where: { $0.trimmingSpaces() == "---" }) else {
      return .failure(Problem(nil, "its front matter (from the first line '---') has no closing '---' line within 60 lines"))
    }
    var values: [String: String] = [:]
    for raw in lines[1..<close] {
      let line = raw.trimmingSpaces()
      if line.isEmpty || line.hasPrefix("#") { continue }
      guard let colon = line.firstIndex(of: ":") else {
        return .failure(Problem(nil, "front-matter line '\(line)' is not 'key: value'"))
      }
      let key = line[..<colon].trimmingSpaces().lowercased()
      var value = line[line.index(after: colon)...].trimmingSpaces()
      if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
        value = String(value.dropFirst().dropLast())
      } else if let hash = value.firstRange(of: " #") ?? value.firstRange(of: "\t#") {
        // As in YAML: a '#' after a space starts a comment.
        value = value[..<hash.lowerBound].trimmingSpaces()
      }
      guard keys.contains(key) else {
        return .failure(Problem(key, "unknown front-matter key '\(key)'; the keys are \(keys.joined(separator: ", "))"))
      }
      guard values[key] == nil else { return .failure(Problem(key, "front-matter key '\(key)' is given twice")) }
      values[key] = value
    }
    if values["minutes"] != nil, values["duration"] != nil {
      return .failure(Problem("duration", "give the length once: minutes or duration, not both"))
    }
    // The text starts after the closing line, as the file has it; blank lines before it are not part of the note.
    let afterClose = lines[close].endIndex
    let rest = afterClose < whole.endIndex ? whole[whole.index(after: afterClose)...] : whole[whole.endIndex...]
    let text = String(rest.drop { $0.isNewline })
    guard let client = values["client"], !client.isEmpty else {
      return .failure(Problem("client", "the front matter has no 'client:' (the client's code, or their exact legal name)"))
    }
    guard let dateText = values["date"], !dateText.isEmpty else { return .failure(Problem("date", "the front matter has no 'date:' (YYYY-MM-DD)")) }
    var note: NoteFile
    switch day(dateText, today: today) {
    case .success(let d): note = NoteFile(client: client, date: d, text: text, frontMatter: true)
    case .failure(let p): return .failure(p)
    }
    if let k = values["kind"], !k.isEmpty {
      guard let kind = NoteKind(name: k) else { return .failure(Problem("kind", "'\(k)' is not a kind of note; use one of \(kindNames)")) }
      note.kind = kind
    }
    if let m = values["minutes"] ?? values["duration"], !m.isEmpty {
      guard let minutes = NewNote.minutes(parsing: m) else {
        return .failure(Problem(values["minutes"] == nil ? "duration" : "minutes", "'\(m)' is not a session length: write 50, 50m or 1h30m (1 minute to 24 hours)"))
      }
      note.minutes = minutes
    }
    if let s = values["signed"], !s.isEmpty {
      switch s.lowercased() {
      case "true", "yes": note.signed = true
      case "false", "no": note.signed = false
      default: return .failure(Problem("signed", "'signed:' takes true or false, not '\(s)'"))
      }
    }
    return .success(note)
  }

  private static func fromName(_ name: String, text: String, today: Day) -> Result<NoteFile, Problem> {
    let stem = name.split(separator: ".", omittingEmptySubsequences: false).dropLast().joined(separator: ".")
    let parts = stem.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
    let convention = "it has no front matter, and its name is not CODE_YYYY-MM-DD.txt or CODE_YYYY-MM-DD_KIND.md (e.g. K7F3-2Q_2024-05-01_intake.md)"
    guard (2...3).contains(parts.count), ClientCode(parsing: parts[0]) != nil else { return .failure(Problem(nil, convention)) }
    var note: NoteFile
    switch day(parts[1], today: today) {
    case .success(let d): note = NoteFile(client: parts[0], date: d, text: text, frontMatter: false)
    case .failure(let p): return .failure(Problem(nil, "\(p.message) (in the file's name)"))
    }
    if parts.count == 3 {
      guard let kind = NoteKind(name: parts[2]) else { return .failure(Problem(nil, "'\(parts[2])' in the file's name is not a kind of note; use one of \(kindNames)")) }
      note.kind = kind
    }
    return .success(note)
  }

  static var kindNames: String { NoteKind.allCases.map(\.description).joined(separator: ", ") }

  private static func day(_ text: String, today: Day) -> Result<Day, Problem> {
    do throws(RecordError) {
      guard text.first?.isASCIIDigit == true else { throw .invalidDate(text, "write dates as YYYY-MM-DD, for example 2024-05-01") }
      return .success(try Day.parse(text, today: today))
    } catch { return .failure(Problem("date", error.description)) }
  }


  /// Why a file is refused: the key concerned (if one is) and the message.
  struct Problem: Error, Sendable, Equatable {
    let field: String?
    let message: String
    init(_ field: String?, _ message: String) { (self.field, self.message) = (field, message) }
  }
}

/// One note `vault import notes` adds (or, in a dry run, would add).
public struct ImportedNote: Encodable, Sendable, Equatable {
  /// The file's name in the directory.
  public let file: String
  /// The note's id (nil in a dry run: numbers are given when the notes are written).
  public let id: String?
  /// The client's code.
  public let client: String
  /// The session date.
  public let date: String
  /// The kind.
  public let kind: String
  /// True when entered signed (front matter `signed: true`).
  public let signed: Bool
}

/// What `Notes.importDirectory` did or would do.
public struct NoteImportReport: Encodable, Sendable {
  /// True when nothing was to be written.
  public let dryRun: Bool
  /// Note files read (names starting with '.' are left out).
  public let files: Int
  /// Files refused, in name order.
  public let refused: [ImportProblem]
  /// Notes imported (ids set), or that would be.
  public let notes: [ImportedNote]
  /// True when the notes were written.
  public var imported: Bool { !dryRun && refused.isEmpty }
  /// How many files were refused.
  public var refusedFiles: Int { Set(refused.compactMap(\.file)).count }

  enum CodingKeys: String, CodingKey { case dryRun, files, refused, notes }
}

extension Notes {
  /// Imports one note per file of `directory` (not its subdirectories; names starting with '.'
  /// are left out), or with `dryRun` only checks them. Every file is checked first, by the rules
  /// of `add` (known client, not discharged, date not in the future, UTF-8 text, not empty);
  /// symbolic links, special files and subdirectories are refused, never opened. If any file is
  /// refused, nothing is written. Otherwise every note is written and published by one commit,
  /// recorded as one `note-add` entry per note naming the file; a client's notes are numbered in
  /// date order. Notes are drafts unless their front matter says `signed: true` (signed at
  /// import by the importer, who must be allowed to sign). A note like one the client already
  /// has (same date, kind, length and first line) is refused unless `allowDuplicates`.
  public func importDirectory(
    _ directory: String, dryRun: Bool, allowDuplicates: Bool = false, progress: (Int, Int) -> Void = { _, _ in }
  ) throws -> NoteImportReport {
    try practice.authorizeImport(.noteAdd, dryRun: dryRun)
    guard FileStatus.isDirectory(directory) else {
      throw RecordError.importInvalid(source: directory, why: "it is not a directory; give the directory that holds one file per note")
    }
    let names: [String]
    do { names = try Directories.list(directory).filter { !$0.hasPrefix(".") } } catch { throw VaultError.from(error) }
    guard !names.isEmpty else { throw RecordError.importInvalid(source: directory, why: "it holds no files") }
    guard names.count <= ImportLimits.maxNotes else {
      throw RecordError.importInvalid(source: directory, why: "it holds \(names.count) files; at most \(ImportLimits.maxNotes) are imported at once: split it")
    }
    let today = Day.today()
    var refused: [ImportProblem] = []
    var parsed: [(name: String, note: NoteFile)] = []
    var held = 0
    // "notes/" and "notes" name the same files in the log.
    var base = directory
    while base.count > 1, base.hasSuffix("/") { base.removeLast() }
    for name in names {
      switch Self.readNoteFile(directory: base, name: name, today: today) {
      case .success(let note):
        held += note.text.utf8.count
        guard held <= ImportLimits.maxNotesBytes else {
          throw RecordError.importInvalid(
            source: directory, why: "its notes hold more than \(ImportLimits.maxNotesBytes >> 20) MiB of text; split them into several directories and import each")
        }
        parsed.append((name, note))
      case .failure(let p): refused.append(ImportProblem(file: name, field: p.field, p.message))
      }
    }
    // The clients: by code, else by exact legal name, among those this unlock can write to.
    let records = try practice.records
    let reachable = try records.allClients().filter { !$0.isRegisterOnly }
    var byCode: [ClientCode: Client] = [:]
    var byName: [String: [Client]] = [:]
    for c in reachable {
      byCode[c.code] = c
      byName[Records.nameKey(c.index.legalName), default: []].append(c)
    }
    var batch: [ClientCode: (client: Client, notes: [(name: String, note: NoteFile)])] = [:]
    var seen: [String: String] = [:]
    for (name, note) in parsed {
      func refuse(_ field: String?, _ message: String) { refused.append(ImportProblem(file: name, field: field, message)) }
      let client: Client
      if let code = ClientCode(parsing: note.client), let c = byCode[code] {
        client = c
      } else if let named = byName[Records.nameKey(note.client)], !named.isEmpty {
        guard named.count == 1 else {
          refuse("client", "\(named.count) clients have the legal name '\(note.client)' (\(named.map(\.code.description).sorted().joined(separator: ", "))); give the code")
          continue
        }
        client = named[0]
      } else {
        refuse("client", "no client \(note.frontMatter ? "has the code or exact legal name" : "has the code") '\(note.client)'"
          + (practice.actor.role == .owner ? "" : " among those assigned to you") + "; import the clients first ('vault import clients'), or see 'vault client list --all'")
        continue
      }
      do {
        try practice.authorizeImport(.noteAdd, client: client.code, dryRun: dryRun)
        if note.signed { try practice.authorizeImport(.noteSign, client: client.code, dryRun: dryRun) }
        try records.checkCanAddNote(to: client, date: note.date)
      } catch let e as RecordError {
        refuse(nil, e.description)
        continue
      }
      if !allowDuplicates {
        let key = "\(client.code)\u{0}\(note.date)\u{0}\(note.kind)\u{0}\(note.text.utf8.count)\u{0}\(NoteText.firstLine(note.text))"
        let length = note.text.utf8.count, first = NoteText.firstLine(note.text)
        if let same = client.index.notes.first(where: { $0.date == note.date && $0.kind == note.kind && $0.current.length == length && $0.firstLine == first }) {
          refuse(nil, "possible duplicate of note \(client.noteID(same.number)) (same client, date, kind, length and first line); leave the file out, or give --allow-duplicates")
          continue
        }
        if let earlier = seen[key] {
          refuse(nil, "possible duplicate of \(earlier) (same client, date, kind, length and first line); leave one out, or give --allow-duplicates")
          continue
        }
        seen[key] = name
      }
      batch[client.code, default: (client, [])].notes.append((name, note))
    }
    refused.sort { ($0.file ?? "") < ($1.file ?? "") }
    // A client's notes are numbered in date order (then file name).
    let ordered = batch.values.sorted { $0.client.code < $1.client.code }.map { entry in
      (client: entry.client, notes: entry.notes.sorted { ($0.note.date, $0.name) < ($1.note.date, $1.name) })
    }
    let planned = ordered.flatMap { entry in
      entry.notes.map { ImportedNote(file: $0.name, id: nil, client: entry.client.code.description, date: $0.note.date.description, kind: $0.note.kind.description, signed: $0.note.signed) }
    }
    guard !dryRun, refused.isEmpty else {
      let report = NoteImportReport(dryRun: dryRun, files: names.count, refused: refused, notes: planned)
      let outcome = refused.isEmpty ? "all would be imported" : "\(report.refusedFiles) refused"
      try practice.record(.clientLookup, detail: "\(dryRun ? "dry run of an " : "refused ")import of notes from \(directory): \(names.count) file(s), \(outcome)")
      return report
    }
    let written = try records.addImportedNotes(
      ordered.map { entry in
        (entry.client, entry.notes.map { NewNote(text: $0.note.text, kind: $0.note.kind, date: $0.note.date, minutes: $0.note.minutes, signed: $0.note.signed) })
      }, author: practice.actor.name, now: practice.now, progress: progress)
    var imported: [ImportedNote] = []
    var entries: [(client: ClientCode, objects: [ObjectID], detail: String)] = []
    for (entry, notes) in zip(ordered, written) {
      for ((name, file), note) in zip(entry.notes, notes) {
        let id = entry.client.noteID(note.number)
        imported.append(ImportedNote(file: name, id: id.description, client: entry.client.code.description, date: note.date.description, kind: note.kind.description, signed: note.isSigned))
        entries.append((entry.client.code, [note.current.object],
          "note \(id) (\(note.kind), \(note.date))\(file.signed ? ", signed in the source system" : ""), imported from \(base == "/" ? "" : base)/\(name)"))
      }
    }
    try practice.recordEach(.noteAdd, entries)
    return NoteImportReport(dryRun: false, files: names.count, refused: [], notes: imported.sorted { $0.file < $1.file })
  }

  /// The note in `directory/name`, or why it is refused; never follows a symbolic link or opens a special file.
  static func readNoteFile(directory: String, name: String, today: Day) -> Result<NoteFile, NoteFile.Problem> {
    func problem(_ message: String) -> Result<NoteFile, NoteFile.Problem> { .failure(NoteFile.Problem(nil, message)) }
    if name.unicodeScalars.contains(SystemPath.rawByteMarker) { return problem("its name is not UTF-8; rename it") }
    if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
      return problem("its name holds control characters; rename it")
    }
    let path = "\(directory)/\(name)"
    switch FileStatus.type(path) {
    case S_IFREG: break
    case S_IFLNK: return problem("it is a symbolic link; copy the file itself into the directory")
    case S_IFDIR: return problem("it is a directory; notes are read from the directory itself, not from directories inside it")
    case nil: return problem("it disappeared while the directory was read")
    default: return problem("it is not a regular file (a device, pipe or socket)")
    }
    let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
    guard name.contains("."), NoteFile.extensions.contains(ext) else {
      return problem("only .txt and .md files are notes; keep other documents apart (consent forms: 'vault consent add')")
    }
    // No symlink followed, no blocking on a pipe that appeared since the check above.
    let fd = FileSystem.openUserFile(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
    guard fd >= 0 else { return problem("cannot open it: \(String(cString: strerror(errno)).lowercased())") }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return problem("it is not a regular file") }
    let bytes: [UInt8]
    do { bytes = try InputFile.read(fd: fd, what: name, limit: NoteText.maximumBytes + (64 << 10)) } catch {
      return problem("\(VaultError.from(error))")
    }
    switch NoteFile.parse(bytes, name: name, today: today) {
    case .failure(let p): return .failure(p)
    case .success(let note):
      guard note.text.utf8.count <= NoteText.maximumBytes else {
        return problem("its text is larger than \(NoteText.maximumBytes >> 20) MiB, too large for a note; keep large files as documents")
      }
      guard !note.text.trimmingSpaces().isEmpty else { return problem("its text is empty") }
      return .success(note)
    }
  }
}

extension Records {
  /// Adds notes to existing clients: every note's text and every client's new index is written,
  /// then the index is committed once, so every note or none is in the vault. Returns each
  /// client's new entries, in the order given. Call under the exclusive lock.
  func addImportedNotes(_ batch: [(Client, [NewNote])], author: String, now: Int64, progress: (Int, Int) -> Void) throws -> [[NoteEntry]] {
    var vaultIndex = try unlocked.readIndex()
    var replaced: [ObjectID] = []
    var added: [[NoteEntry]] = []
    let total = batch.reduce(0) { $0 + $1.1.count }
    var done = 0
    for (client, notes) in batch {
      var index = client.index
      var entries: [NoteEntry] = []
      for n in notes {
        try checkCanAddNote(to: client, date: n.date)
        let note = NoteEntry(
          number: (index.notes.last?.number ?? 0) + 1, kind: n.kind, date: n.date, minutes: n.minutes,
          signature: n.signed ? Signature(time: now, signer: author) : nil, firstLine: NoteText.firstLine(n.text),
          versions: [try putText(n.text, client: client, author: author, now: now)], addenda: [])
        index.notes.append(note)
        entries.append(note)
        done += 1
        progress(done, total)
      }
      guard let i = vaultIndex.entries.firstIndex(where: { $0.client == client.id }) else {
        throw VaultError.internalError("client vanished from the index while notes were imported")
      }
      let old = vaultIndex.entries[i]
      vaultIndex.entries[i].clientIndex = try put(index.encoded(), as: .clientIndex, client: client.id, key: client.key)
      vaultIndex.entries[i].register = try register(index, client: client.id, keys: client.keys, in: vaultIndex)
      replaced += [old.clientIndex] + (old.register.map { [$0] } ?? [])
      added.append(entries)
    }
    try unlocked.commit(vaultIndex, replacing: replaced)
    return added
  }
}
