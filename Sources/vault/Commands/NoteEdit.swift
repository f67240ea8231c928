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
    @Argument(help: ArgumentHelp("The note's id, e.g. K7F3-2Q.3.", valueName: "note"), completion: .noteIDs) var note: String
    @Option(name: .long, help: ArgumentHelp("New kind.", valueName: "kind")) var kind: NoteKind?
    @Option(name: .long, help: ArgumentHelp("New session date.", valueName: "date"), transform: parseDay) var date: Day?
    @Option(name: .long, help: ArgumentHelp("New session length: 50, 50m, 1h30m.", valueName: "length")) var duration: Minutes?
    @OptionGroup var text: NoteTextOptions

    func run() throws {
      let onlyMetadata = (kind != nil || date != nil || duration != nil) && text.file == nil && !text.edit
      let given = onlyMetadata ? nil : try text.readGiven()
      let unlocked = try CommandContext.unlock(location, unlock)
      if onlyMetadata || given != nil { return try save(given, basedOn: nil, unlocked: unlocked, lock: lock) }
      let draft = try CommandContext.briefly(location, lock: lock, unlocked: unlocked) { try $0.notes.openForEditing(note) }
      var basedOn = draft.basedOn
      try text.editThenSave(current: draft.text) { body in
        do {
          try save(body, basedOn: basedOn, unlocked: unlocked, lock: lock.afterEditing)
        } catch RecordError.editConflict(let id, let by, let versions, let current) {
          // Asked once: saving again replaces the newer version with this one.
          basedOn = current
          throw RecordError.editConflict(id, by: by, versions: versions, current: current)
        }
      }
    }

    /// Writes the new version; the core refuses once if another version was saved since `basedOn`.
    private func save(_ body: String?, basedOn: ObjectID?, unlocked: UnlockedVault, lock: LockOptions) throws {
      let practice = try CommandContext.open(location, lock: lock, unlocked: unlocked, mode: .write)
      let edited = try practice.notes.edit(note, NoteChange(text: body, kind: kind, date: date, minutes: duration?.value), basedOn: basedOn)
      location.output.emit(edited)
      location.output.line("Saved note \(edited.id), version \(edited.versions) (draft).")
    }
  }
}
