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
    @Argument(help: ArgumentHelp("The note's id, e.g. K7F3-2Q.3.", valueName: "note")) var note: String
    @Option(name: .long, help: ArgumentHelp("Show version <n> of the text.", valueName: "n")) var version: Int?

    func run() throws {
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedRead)
      let (c, n) = try context.note(note)
      let v = version ?? n.versions.count
      guard (1...n.versions.count).contains(v) else {
        throw VaultError.invalidArgument("note \(c.noteID(n.number)) has \(n.versions.count) version(s); choose --version 1 to \(n.versions.count)")
      }
      let revision = n.versions[v - 1]
      let text = try context.records.text(c, revision)
      let addenda = try n.addenda.map { ($0, try context.records.text(c, $0.revision)) }
      try context.record(
        "note-show", client: c.code, objects: [revision.object] + n.addenda.map(\.revision.object), detail: "note \(c.noteID(n.number)) version \(v)")
      if context.output.json {
        context.output.emit(NoteShowJSON(
          note: NoteJSON(n, of: c), version: v, text: text,
          addenda: addenda.map { AddendumJSON(time: LogEntry.format(seconds: $0.0.revision.time), author: $0.0.revision.author, reason: $0.0.reason, text: $0.1) }))
        return
      }
      let out = context.output
      out.line("Note \(c.noteID(n.number)) — \(c.displayName)")
      out.line("Date: \(n.date)   Kind: \(n.kind)\(n.minutes > 0 ? "   Duration: \(n.minutes) min" : "")")
      out.line("Status: \(n.statusText)\(n.versions.count > 1 ? "   Version \(v) of \(n.versions.count)" : "")")
      out.line("Written by \(revision.author) on \(LogEntry.format(seconds: revision.time))")
      out.line()
      out.line("\(multiline: text.hasSuffix("\n") ? String(text.dropLast()) : text)")
      for (i, (a, body)) in addenda.enumerated() {
        out.line()
        out.line("--- Addendum \(i + 1), by \(a.revision.author) on \(LogEntry.format(seconds: a.revision.time)); reason: \(a.reason)")
        out.line("\(multiline: body.hasSuffix("\n") ? String(body.dropLast()) : body)")
      }
    }
  }
}

struct AddendumJSON: Encodable {
  let time: String
  let author: String
  let reason: String
  let text: String
}

struct NoteShowJSON: Encodable {
  let note: NoteJSON
  let version: Int
  let text: String
  let addenda: [AddendumJSON]
}
