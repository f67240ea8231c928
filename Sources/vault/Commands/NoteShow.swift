import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault note show`: a note's text with its addenda.
  struct NoteShow: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show", abstract: "Show a note with its addenda.",
      discussion: "--version N shows an earlier draft (1 is the first); addenda are always shown with the note.")

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The note's id, e.g. K7F3-2Q.3.", valueName: "note"), completion: .noteIDs) var note: String
    @Option(name: .long, help: ArgumentHelp("Show version <n> of the text.", valueName: "n")) var version: Int?

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .read)
      let view = try practice.notes.show(note, version: version)
      let out = location.output
      if out.json { return out.emit(view) }
      let n = view.note
      out.line("Note \(n.id) — \(view.clientName)")
      out.line("Date: \(n.date)   Kind: \(n.kind)\(n.minutes.map { "   Duration: \($0) min" } ?? "")")
      out.line("Status: \(n.statusText)\(n.versions > 1 ? "   Version \(view.version) of \(n.versions)" : "")")
      out.line("Written by \(view.writtenBy) on \(view.writtenAt)")
      out.line()
      out.line("\(multiline: view.text.hasSuffix("\n") ? String(view.text.dropLast()) : view.text)")
      for (i, a) in view.addenda.enumerated() {
        out.line()
        out.line("--- Addendum \(i + 1), by \(a.author) on \(a.time); reason: \(a.reason)")
        out.line("\(multiline: a.text.hasSuffix("\n") ? String(a.text.dropLast()) : a.text)")
      }
    }
  }
}
