import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault note amend`: an addendum to a signed note (amend, never alter).
  struct NoteAmend: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "amend", abstract: "Add a correction (addendum) to a signed note.",
      discussion: """
        The addendum's text comes from --file, standard input or the editor; --reason is \
        required and is kept with the addendum and in the access log. The note itself is \
        unchanged, and 'vault note show' prints every addendum after it, with author and time.

        EXAMPLE
          vault note amend K7F3-2Q.3 --reason 'wrong medication name' --file fix.txt
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The note's id, e.g. K7F3-2Q.3.", valueName: "note"), completion: .noteIDs) var note: String
    @OptionGroup var text: NoteTextOptions

    func validate() throws {
      if location.reason == nil { throw ValidationError("an addendum needs --reason TEXT: why the note is being corrected") }
    }

    func run() throws {
      let given = try text.readGiven()
      let unlocked = try CommandContext.unlock(location, unlock)
      if let given { return try save(given, unlocked: unlocked, lock: lock) }
      try CommandContext.briefly(location, lock: lock, unlocked: unlocked) { try $0.notes.checkCanAmend(note) }
      try text.editThenSave { try save($0, unlocked: unlocked, lock: lock.afterEditing) }
    }

    private func save(_ body: String, unlocked: UnlockedVault, lock: LockOptions) throws {
      let practice = try CommandContext.open(location, lock: lock, unlocked: unlocked, mode: .write)
      let amended = try practice.notes.amend(note, text: body, reason: location.reason ?? "")
      location.output.emit(amended)
      location.output.line("Added addendum \(amended.addenda) to note \(amended.id).")
    }
  }
}
