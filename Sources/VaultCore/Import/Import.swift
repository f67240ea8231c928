// Import/ brings a practice's records in from another system: clients from a CSV file
// (`ClientImport`), notes from a directory of text files (`NoteImport`). Every row or file is
// checked before anything is written, by the rules `client add` and `add-note` apply; any
// refusal means nothing is imported. What is imported is written as new objects and published
// by one commit of the index, held until the access log has recorded it (one `client-add` or
// `note-add` entry per client or note, naming the source): all of it, or nothing.

/// Why one row or file of an import is refused (docs/JSON.md, "import").
public struct ImportProblem: Encodable, Sendable, Equatable {
  /// The row (header = 1) of a CSV file.
  public let row: Int?
  /// The line the row starts on.
  public let line: Int?
  /// The file of a notes directory (its name in the directory).
  public let file: String?
  /// The column (CSV) or front-matter key (notes) concerned, when one is.
  public let field: String?
  /// What is wrong, and what to do.
  public let message: String

  /// A problem of a CSV row.
  init(row: Int, line: Int, field: String? = nil, _ message: String) {
    (self.row, self.line, file, self.field, self.message) = (row, line, nil, field, message)
  }

  /// A problem of a file of a notes directory.
  init(file: String, field: String? = nil, _ message: String) {
    (row, line, self.file, self.field, self.message) = (nil, nil, file, field, message)
  }
}

/// Limits of one import: a practice moves in once, in files a person can check.
public enum ImportLimits {
  /// The largest CSV file read.
  public static let maxFileBytes = 16 << 20
  /// The most clients (data rows) one CSV file may hold.
  public static let maxRows = 10_000
  /// The most notes (files) one directory may hold.
  public static let maxNotes = 20_000
  /// The most text one notes import holds in memory (each note at most `NoteText.maximumBytes`).
  public static let maxNotesBytes = 512 << 20
}

/// Reading what is imported.
public enum ImportSource {
  /// The bytes of the CSV file at `path` (symbolic links followed: the path is the user's), at
  /// most `ImportLimits.maxFileBytes`.
  public static func readCSV(_ path: String) throws -> [UInt8] {
    do { return try InputFile.read(path: path, limit: ImportLimits.maxFileBytes) } catch RecordError.noteTooLarge {
      throw RecordError.importInvalid(source: path, why: "it is larger than \(ImportLimits.maxFileBytes >> 20) MiB; split it into smaller files and import each")
    }
  }

  /// Throws what makes the whole CSV file unusable (encoding, header, size), before the vault is unlocked.
  public static func checkCSV(_ bytes: [UInt8], source: String) throws {
    _ = try ClientImportPlan(bytes, source: source, today: .today())
  }
}

extension Practice {
  /// Records one keyed entry per item, written together; the last one publishes the commit
  /// the items were written in (so a refused log leaves the vault unchanged).
  func recordEach(_ action: Action, _ items: [(client: ClientCode, objects: [ObjectID], detail: String)]) throws {
    try AccessPolicy.check(action, in: mode)
    guard let unlocked else { throw AccessError.notUnlocked }
    let entries = items.map { item in
      var entry = LogEntry(
        action: action.rawValue, actor: actor.name, client: item.client.description, objects: item.objects.map(\.hex), reason: reason, detail: item.detail)
      entry.practitioner = actor.practitioner?.hex
      entry.flag = actor.isRecovery ? "recovery key used" : nil
      return entry
    }
    try AccessLog(vault: vault).append(contentsOf: entries, unlocked: unlocked)
  }

  /// Asks the policy for `action` before an import: for a dry run (a practice opened for
  /// reading) the policy alone, for the real one the mode too.
  func authorizeImport(_ action: Action, client: ClientCode? = nil, dryRun: Bool) throws {
    try dryRun ? authorizeAhead(action, client: client) : authorize(action, client: client)
  }
}

extension Records {
  /// Folded (case and accents) with runs of spaces as one: how two legal names are compared.
  static func nameKey(_ name: String) -> String {
    fold(name).split(whereSeparator: { $0 == " " || $0 == "\t" || $0.isNewline }).joined(separator: " ")
  }
}
