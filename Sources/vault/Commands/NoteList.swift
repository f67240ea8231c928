import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault note list`: notes by date, from the client indexes alone (no note is decrypted).
  struct NoteList: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "List notes: id, date, kind, status and first line.",
      discussion: "Without CLIENT, lists the notes of every client. Psychotherapy notes are listed only with --psychotherapy or --kind psychotherapy.")

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The client's code or the start of their name (default: all clients).", valueName: "client"))
    var client: String?
    @OptionGroup var filter: NoteFilterOptions
    @Flag(name: .long, help: "Only unsigned drafts.") var drafts = false

    func run() throws {
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedRead)
      let clients = try client.map { [try context.client($0)] } ?? context.records.allClients()
      let f = filter.filter
      var rows: [(Client, NoteEntry)] = []
      var hidden = 0
      for c in clients {
        for n in c.index.notes where !drafts || !n.isSigned {
          if f.matches(n) { rows.append((c, n)) } else if n.kind == .psychotherapy && !f.kinds.contains(.psychotherapy) { hidden += 1 }
        }
      }
      rows.sort { ($0.1.date, $0.0.code, $0.1.number) < ($1.1.date, $1.0.code, $1.1.number) }
      try context.record(
        "note-list", client: client == nil ? nil : clients.first?.code,
        detail: "\(rows.count) note(s)\(client == nil ? " of \(clients.count) client(s)" : "")")
      context.output.emit(rows.map { NoteJSON($0.1, of: $0.0) })
      if rows.isEmpty { context.output.line("No notes.") }
      for (c, n) in rows { context.output.line(n.listLine(of: c)) }
      if hidden > 0 { context.output.note("\(hidden) psychotherapy note(s) not shown; add --psychotherapy to include them") }
    }
  }
}
