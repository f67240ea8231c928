import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault search`: case-insensitive text search over decrypted notes, in memory.
  struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Search the text of notes and addenda (case-insensitive).",
      discussion: """
        Notes are decrypted in memory only; nothing is indexed or written. Psychotherapy notes \
        are searched only with --psychotherapy or --kind psychotherapy. The access log \
        records the search for each client whose notes it shows, naming those notes (see \
        'vault log show --client CLIENT'); the search text itself is not recorded.

        EXAMPLES
          vault search 'sleep'
          vault search 'panic attack' --client K7F3-2Q --since 2026-01-01
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The text to find.", valueName: "text")) var query: String
    @Option(name: .long, help: ArgumentHelp("Only this client's notes.", valueName: "client"), completion: .clientCodes) var client: String?
    @OptionGroup var filter: NoteFilterOptions

    func validate() throws {
      if query.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("the search text is empty") }
    }

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .read)
      let hits = try practice.notes.search(query, client: client, filter: filter.filter, progress: Output.progress("searching notes"))
      location.output.emit(hits)
      if hits.isEmpty { location.output.line("No notes match.") }
      for h in hits { location.output.line("\(h.note.id.padding(10))  \(h.note.date)  \(h.note.kind.padding(13))  \(h.snippet)") }
    }
  }
}
