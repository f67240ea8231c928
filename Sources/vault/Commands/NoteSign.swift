import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault note sign`: finalise drafts; a signed note can only take addenda.
  struct NoteSign: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "sign", abstract: "Sign draft notes; after that they can only be amended.",
      discussion: "Records who signed (the key-slot label that unlocked) and when.")

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("Note ids, e.g. K7F3-2Q.3.", valueName: "note")) var notes: [String]

    func validate() throws {
      if notes.isEmpty { throw ValidationError("name at least one note, e.g. vault note sign K7F3-2Q.3") }
    }

    func run() throws {
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedWrite)
      // Every id is checked before any note is signed, so a typo cannot leave half the list signed.
      for text in notes {
        let (c, n) = try context.note(text)
        if let s = n.signature {
          throw RecordError.alreadySigned(c.noteID(n.number).description, signedOn: LogEntry.format(seconds: s.time), by: s.signer)
        }
      }
      guard Set(notes.map { (try? NoteID(parsing: $0))?.description ?? $0 }).count == notes.count else {
        throw ValidationError("a note is named twice")
      }
      var signed: [NoteJSON] = []
      for text in notes {
        let (c, n) = try context.note(text)
        let (updated, note) = try context.records.signNote(n.number, of: c, author: context.author, now: CommandContext.now)
        try context.record("note-sign", client: c.code, objects: [note.current.object], detail: "note \(c.noteID(n.number)) signed")
        signed.append(NoteJSON(note, of: updated))
        context.output.line("Signed note \(c.noteID(n.number)).")
      }
      context.output.emit(signed)
    }
  }
}
