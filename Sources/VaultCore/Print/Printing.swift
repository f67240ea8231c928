/// A page that was printed: self-contained HTML on the practice's letterhead (`PrintPage`).
public struct PrintedPage: Encodable, Sendable {
  /// The page's title ("Progress note K7F3-2Q.3").
  public let title: String
  /// The client's code.
  public let client: String
  /// Where it was written: the file, or "-" for standard output.
  public let out: String
  /// Its size in bytes.
  public let bytes: Int
}

/// Printable pages of a client's record: a session note, a summary of the record. Each is an
/// access like reading it on screen, and is logged as one (`note-print`, `client-summary`).
public struct Printing {
  let practice: Practice

  /// One note (its current version, or `version`) with its addenda, on the letterhead, written
  /// to `target` (a file appears whole or not at all; a terminal is refused: it is HTML).
  public func note(_ id: String, version: Int? = nil, to target: DocumentTarget) throws -> PrintedPage {
    let (c, n) = try practice.note(id, for: .notePrint)
    let file = try Self.open(target)
    let html = try practice.access(.notePrint, client: c.code) {
      let v = version ?? n.versions.count
      guard (1...n.versions.count).contains(v) else { throw RecordError.noSuchVersion("note \(c.noteID(n.number))", versions: n.versions.count) }
      let revision = n.versions[v - 1]
      let page = NotePage(
        id: c.noteID(n.number).description, note: n, version: v, record: try practice.records.currentRecord(c),
        text: try practice.records.text(c, revision), addenda: try n.addenda.map { ($0, try practice.records.text(c, $0.revision)) })
      let html = page.html(profile: try practice.records.practice().profile, printedBy: practice.actor.name, now: practice.now)
      return .init(
        value: (page.title, html), objects: [revision.object] + n.addenda.map(\.revision.object),
        detail: "note \(c.noteID(n.number)) version \(v) printed to \(file == nil ? "standard output" : "a file")")
    }
    return try Self.write(html, for: c, to: file, target)
  }

  /// A client's details, care dates, notes (dates and kinds, not their text), documents and
  /// disclosures on one page. Psychotherapy notes are not listed: they are not part of the record.
  public func summary(_ query: String, to target: DocumentTarget) throws -> PrintedPage {
    let c = try practice.client(query, for: .clientSummary)
    let file = try Self.open(target)
    let html = try practice.access(.clientSummary, client: c.code) {
      let record = try practice.records.currentRecord(c)
      let page = SummaryPage(client: c, record: record)
      let html = page.html(profile: try practice.records.practice().profile, printedBy: practice.actor.name, now: practice.now)
      return .init(
        value: (page.title, html), objects: [c.index.records[c.index.records.count - 1].revision.object],
        detail: "summary printed to \(file == nil ? "standard output" : "a file")")
    }
    return try Self.write(html, for: c, to: file, target)
  }

  /// The file to write, checked before anything is read (nil: standard output).
  private static func open(_ target: DocumentTarget) throws -> OutputFile? {
    switch target {
    case .file(let path, let force): return try OutputFile(path, force: force)
    case .standardOutput(let isTerminal):
      if isTerminal { throw RecordError.binaryToTerminal("the page", mediaType: "HTML (open it in a browser to read or print it)") }
      return nil
    }
  }

  /// Writes the page after its access was recorded.
  private static func write(_ page: (title: String, html: String), for c: Client, to file: OutputFile?, _ target: DocumentTarget) throws -> PrintedPage {
    let bytes = Array(page.html.utf8)
    try bytes.withUnsafeBytes { b in
      if let file { try file.write(b) } else { try OutputFile.writeAll(1, b, what: "standard output") }
    }
    try file?.commit()
    var out = "-"
    if case .file(let path, _) = target { out = path }
    return PrintedPage(title: page.title, client: c.code.description, out: out, bytes: bytes.count)
  }
}
