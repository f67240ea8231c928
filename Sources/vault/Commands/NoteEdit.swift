import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault note edit`: a new version of a draft. Signed notes are refused.
  struct NoteEdit: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "edit", abstract: "Edit a draft note (each edit is kept as a version).",
      discussion: """
        The new text comes from --file, standard input, or the editor opened on the current \
        text. --kind, --date and --duration alone change only those. A signed note can never \
        change: add a correction with 'vault note amend'.
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The note's id, e.g. K7F3-2Q.3.", valueName: "note")) var note: String
    @Option(name: .long, help: ArgumentHelp("New kind.", valueName: "kind")) var kind: NoteKind?
    @Option(name: .long, help: ArgumentHelp("New session date.", valueName: "date"), transform: parseDay) var date: Day?
    @Option(name: .long, help: ArgumentHelp("New session length: 50, 50m, 1h30m.", valueName: "length")) var duration: Minutes?
    @OptionGroup var text: NoteTextOptions

    func run() throws {
      let onlyMetadata = (kind != nil || date != nil || duration != nil) && text.file == nil && !text.edit
      let given = onlyMetadata ? nil : try text.readGiven()
      let unlocked = try CommandContext.unlock(location, unlock)
      if onlyMetadata || given != nil { return try save(given, basedOn: nil, unlocked: unlocked, lock: lock) }
      let (current, opened) = try CommandContext.briefly(location, lock: lock, unlocked: unlocked) { check in
        let (c, n) = try check.note(note)
        try check.records.checkDraft(n.number, of: c)
        let current = try check.records.text(c, n.current)
        try check.record("note-show", client: c.code, objects: [n.current.object], detail: "note \(c.noteID(n.number)) opened for editing")
        return (current, n.current.object)
      }
      var basedOn = opened
      try text.editThenSave(current: current) { body in
        try save(body, basedOn: basedOn, unlocked: unlocked, lock: lock.afterEditing) { basedOn = $0 }
      }
    }

    /// Writes the new version. When the text was edited from version `basedOn` and someone saved
    /// another version meanwhile, refuses once (reporting the newer version through `rebase`),
    /// so an edit never silently replaces another.
    private func save(
      _ body: String?, basedOn: ObjectID?, unlocked: UnlockedVault, lock: LockOptions, rebase: (ObjectID) -> Void = { _ in }
    ) throws {
      let context = try CommandContext.open(location, lock: lock, unlocked: unlocked, access: .unlockedWrite)
      let (c, n) = try context.note(note)
      let id = c.noteID(n.number)
      if let basedOn, n.current.object != basedOn {
        rebase(n.current.object)
        throw VaultError.invalidArgument(
          "note \(id) was changed by \(n.current.author) while you were editing it (it is now at version \(n.versions.count)); "
            + "saving again replaces that version with yours")
      }
      let (_, edited) = try context.records.editNote(
        n.number, of: c, text: body, kind: kind, date: date, minutes: duration?.value, author: context.author, now: CommandContext.now)
      try context.record("note-edit", client: c.code, objects: [edited.current.object], detail: "note \(id) now at version \(edited.versions.count)")
      context.output.emit(NoteJSON(edited, of: c))
      context.output.line("Saved note \(id), version \(edited.versions.count) (draft).")
    }
  }
}
