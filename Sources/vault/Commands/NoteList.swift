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
    @Argument(help: ArgumentHelp("The client's code or the start of their name (default: all clients).", valueName: "client"), completion: .clientCodes)
    var client: String?
    @OptionGroup var filter: NoteFilterOptions
    @Flag(name: .long, help: "Only unsigned drafts.") var drafts = false

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .read)
      let listing = try practice.notes.list(client: client, filter: filter.filter, draftsOnly: drafts)
      let out = location.output
      out.emit(listing.notes)
      if listing.notes.isEmpty { out.line("No notes.") }
      for n in listing.notes { out.line(n.listLine) }
      if listing.psychotherapyNotesLeftOut > 0 {
        out.note("\(listing.psychotherapyNotesLeftOut) psychotherapy note(s) not shown; add --psychotherapy to include them")
      }
    }
  }
}
