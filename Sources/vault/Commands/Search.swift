import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault search`: case-insensitive text search over decrypted notes, in memory.
  struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Search the text of notes and addenda (case-insensitive).",
      discussion: """
        Notes are decrypted in memory only; nothing is indexed or written. Psychotherapy notes \
        are searched only with --psychotherapy or --kind psychotherapy.

        EXAMPLES
          vault search 'sleep'
          vault search 'panic attack' --client K7F3-2Q --since 2026-01-01
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The text to find.", valueName: "text")) var query: String
    @Option(name: .long, help: ArgumentHelp("Only this client's notes.", valueName: "client")) var client: String?
    @OptionGroup var filter: NoteFilterOptions

    /// A log entry holds at most 1 MiB: a search matching tens of thousands of notes lists the first ones.
    static let loggedObjects = 1000

    func validate() throws {
      if query.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("the search text is empty") }
    }

    func run() throws {
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedRead)
      let clients = try client.map { [try context.client($0)] } ?? context.records.allClients()
      let hits = try NoteSearch(query).run(
        in: clients, filter: filter.filter, records: context.records, progress: Output.progress("searching notes"))
      try context.record(
        "search", client: client == nil ? nil : clients.first?.code,
        objects: Array(hits.flatMap(\.objects).prefix(Self.loggedObjects)),
        detail: "\(hits.count) matching note(s) in \(clients.count) client(s)"
          + (hits.flatMap(\.objects).count > Self.loggedObjects ? "; the first \(Self.loggedObjects) objects are listed" : ""))
      context.output.emit(hits.map { SearchHitJSON(note: NoteJSON($0.note, of: $0.client), matches: $0.count, snippet: $0.snippet) })
      if hits.isEmpty { context.output.line("No notes match.") }
      for h in hits {
        context.output.line("\(h.client.noteID(h.note.number).description.padding(10))  \(h.note.date)  \(h.note.kind.description.padding(13))  \(h.snippet)")
      }
    }
  }
}

struct SearchHitJSON: Encodable {
  let note: NoteJSON
  let matches: Int
  let snippet: String
}
