import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault import`: moving in from a spreadsheet or another system.
  struct ImportGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "import",
      abstract: "Bring clients (CSV) and notes (a directory of files) in from another system.",
      discussion: """
        Import the clients first, then their notes. Every row or file is checked before \
        anything is written, by the rules of 'client add' and 'add-note'; if any is refused, \
        nothing is imported and every refusal is listed. Try each import with --dry-run \
        first. See OPERATIONS.md, "Moving in from another system".
        """,
      subcommands: [ImportClients.self, ImportNotes.self])
  }

  /// `vault import clients FILE.csv`.
  struct ImportClients: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "clients",
      abstract: "Add the clients of a CSV file, all or none.",
      discussion: """
        The file is CSV as spreadsheets write it (RFC 4180): UTF-8 (with or without a \
        byte-order mark; save as 'CSV UTF-8'), commas between fields, quotes around a field \
        that holds a comma, a quote (written twice) or a line break; CRLF or LF line ends. \
        At most 10,000 clients and 16 MiB per file.

        The first row names the columns, in any order (case aside; a space or '-' counts as '_'):
          legal_name          required
          preferred_name
          date_of_birth       YYYY-MM-DD (dob is accepted too)
          phone, email, address, emergency_contact
          start_date          YYYY-MM-DD (default: today)
          field:NAME          a field of your own, as 'client add --field NAME=VALUE'
        Any other column is refused, and so is a column named twice. An empty cell leaves \
        the field out; spaces around a value are dropped.

        Each row is checked as 'client add' checks its options. A row with the same legal \
        name and date of birth as an existing client or an earlier row is refused as a \
        possible duplicate, unless --allow-duplicates. If any row is refused, nothing is \
        imported: the refusals are listed (row as the spreadsheet numbers it, the header \
        being row 1; the line it starts on; the column; why) and the exit status is 1. \
        --dry-run lists the same, and what would be imported, and writes nothing.

        Otherwise every client is added in one step (an interruption leaves none of them), \
        and each new code is printed with its row. Each client added is recorded in the \
        access log as 'client-add', naming the file and row.

        EXAMPLES
          vault import clients clients.csv --dry-run
          vault import clients clients.csv
          vault import clients clients.csv --json > codes.json

        A file to start from:
          legal_name,preferred_name,date_of_birth,phone,field:insurance
          Maria Garcia,Mia,1990-04-01,555-0100,"Acme, plan 7"

        EXIT STATUS
          0   imported; with --dry-run, checked (whatever was found)
          1   a row was refused, or the file cannot be imported: nothing was imported
          6   your role may not add clients (supervisors, auditors)
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The CSV file.", valueName: "file")) var file: String
    @Flag(name: .long, help: "Check every row and report; import nothing.") var dryRun = false
    @Flag(name: .long, help: "Import rows with the same legal name and date of birth as another client.") var allowDuplicates = false

    func run() throws {
      // The file is read and its header checked before a passphrase is asked for.
      let bytes = try ImportSource.readCSV(file)
      try ImportSource.checkCSV(bytes, source: file)
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: dryRun ? .read : .write)
      let report = try practice.clients.importCSV(
        bytes, source: file, dryRun: dryRun, allowDuplicates: allowDuplicates, progress: Output.progress("Importing clients"))
      let out = location.output
      if report.imported {
        out.emit(report.clients)
        for c in report.clients { out.line("row \(c.row)  \(c.code ?? "")  \(c.legalName)") }
        out.line("Imported \(report.clients.count) client(s) from \(file).")
        return
      }
      out.emit(report)
      out.line("\(file): \(report.rows) row(s); \(report.clients.count) \(report.dryRun ? "would be imported" : "acceptable"), \(report.refusedRows) refused.")
      for p in report.refused { out.line(ImportOutput.line(p)) }
      if report.dryRun {
        for c in report.clients { out.line("  would import row \(c.row): \(c.legalName)") }
        out.line("Dry run: nothing was imported.")
      } else {
        throw RecordError.importRefused(refused: report.refusedRows, of: report.rows, unit: "rows")
      }
    }
  }

  /// `vault import notes DIR`.
  struct ImportNotes: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "notes",
      abstract: "Add one note per file of a directory, all or none.",
      discussion: """
        Each .txt or .md file of the directory is one note (names starting with '.' are left \
        out; subdirectories, symbolic links and other files are refused). The text is UTF-8, \
        at most 16 MiB a note; at most 20,000 files and 512 MiB of text per import. Say whose \
        note it is and when in one of two ways:

        Front matter, first in the file:
          ---
          client: K7F3-2Q     # the client's code, or their exact legal name
          date: 2024-05-01
          kind: intake        # optional: progress (default), intake, contact,
                              # termination, psychotherapy
          minutes: 50         # optional; or duration: 1h30m
          signed: true        # optional: the note was signed where it comes from
          ---
          The note's text...

        Or, without front matter, the file's name: CODE_YYYY-MM-DD.txt or \
        CODE_YYYY-MM-DD_KIND.md, e.g. K7F3-2Q_2024-05-01_intake.md (the whole file is the text).

        Notes come in as drafts, for the clinician to read and sign ('vault note sign'). A \
        note marked 'signed: true' was signed in the system you are leaving: it is entered \
        signed (it can then only be amended), in the name of whoever imports it and at the \
        time of the import, and its log entry says it was signed in the source system.

        Each file is checked as 'add-note' checks a note (a known client, not discharged, a \
        date not in the future, not empty). A note with the same client, date, kind, length \
        and first line as one already in the vault (or another file) is refused as a possible \
        duplicate, unless --allow-duplicates: running an import twice adds nothing twice. If \
        any file is refused, nothing is imported and every refusal is listed (--dry-run: the \
        same, and nothing is written). Otherwise all the notes are added in one step, a \
        client's notes numbered in date order; each is recorded in the access log as \
        'note-add', naming its file.

        EXAMPLES
          vault import notes ./exported-notes --dry-run
          vault import notes ./exported-notes --json

        EXIT STATUS
          0   imported; with --dry-run, checked (whatever was found)
          1   a file was refused, or the directory cannot be imported: nothing was imported
          6   your role may not add notes (supervisors, auditors)
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The directory holding one file per note.", valueName: "directory")) var directory: String
    @Flag(name: .long, help: "Check every file and report; import nothing.") var dryRun = false
    @Flag(name: .long, help: "Import notes that look like one the client already has.") var allowDuplicates = false

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: dryRun ? .read : .write)
      let report = try practice.notes.importDirectory(
        directory, dryRun: dryRun, allowDuplicates: allowDuplicates, progress: Output.progress("Importing notes"))
      let out = location.output
      if report.imported {
        out.emit(report.notes)
        for n in report.notes { out.line("\(n.id ?? "")  \(n.date)  \(n.kind)\(n.signed ? "  signed" : "")  \(n.file)") }
        out.line("Imported \(report.notes.count) note(s) from \(directory).")
        return
      }
      out.emit(report)
      out.line("\(directory): \(report.files) file(s); \(report.notes.count) \(report.dryRun ? "would be imported" : "acceptable"), \(report.refusedFiles) refused.")
      for p in report.refused { out.line(ImportOutput.line(p)) }
      if report.dryRun {
        for n in report.notes { out.line("  would import \(n.file): \(n.client), \(n.date), \(n.kind)\(n.signed ? ", signed" : "")") }
        out.line("Dry run: nothing was imported.")
      } else {
        throw RecordError.importRefused(refused: report.refusedFiles, of: report.files, unit: "files")
      }
    }
  }
}

/// Lines of an import report.
enum ImportOutput {
  /// "  row 3 (line 4), date_of_birth: …" or "  note.md, client: …".
  static func line(_ p: ImportProblem) -> TerminalLine {
    var place: TerminalLine = "\(p.file ?? "")"
    if let row = p.row { place = p.line == nil || p.line == row ? "row \(row)" : "row \(row) (line \(p.line ?? 0))" }
    if let field = p.field { place = place + ", \(field)" }
    return "  refused " + place + ": \(p.message)"
  }
}
