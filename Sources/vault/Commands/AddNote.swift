import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault add-note`: the note a counselor writes after each session.
  struct AddNote: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add-note",
      abstract: "Write a session note for a client.",
      discussion: """
        The text comes from --file, else from standard input when it is not a terminal, else \
        from $VISUAL or $EDITOR. The editor works on a file in a private directory in memory \
        ($XDG_RUNTIME_DIR or /dev/shm), overwritten and removed afterwards, also if the editor \
        fails or vault is interrupted. An empty note, or a template left unchanged, is not saved.

        A note stays a draft (editable with 'vault note edit') until signed with --sign or \
        'vault note sign'; a signed note never changes, and corrections are addenda \
        ('vault note amend').

        Kinds: progress (default), intake, contact, termination, and psychotherapy \
        (HIPAA psychotherapy notes: kept apart, left out of lists, searches and exports \
        unless asked for).

        EXAMPLES
          vault add-note K7F3-2Q --duration 50m --template soap
          vault add-note maria --file session.md --sign
          dictate-tool | vault add-note K7F3-2Q --kind contact
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The client's code or the start of their name.", valueName: "client"), completion: .clientCodes) var client: String
    @Option(name: .long, help: ArgumentHelp("Kind of note (default: progress).", valueName: "kind")) var kind: NoteKind = .progress
    @Option(name: .long, help: ArgumentHelp("Session date (default: today).", valueName: "date"), transform: parseDay) var date: Day?
    @Option(name: .long, help: ArgumentHelp("Session length: 50, 50m, 1h30m.", valueName: "length")) var duration: Minutes?
    @Flag(name: .long, help: "Sign the note now (it can then only be amended).") var sign = false
    @OptionGroup var text: NoteTextOptions

    func run() throws {
      let day = date ?? Day.today()
      // File or pipe text is read before the passphrase prompt; the editor only once the client
      // is known to take a note, so nobody writes a note for a mistyped name.
      let given = try text.readGiven()
      let unlocked = try CommandContext.unlock(location, unlock)
      if let given { return try save(given, unlocked: unlocked, lock: lock) }
      try CommandContext.briefly(location, lock: lock, unlocked: unlocked) { try $0.notes.checkCanAdd(to: client, date: day) }
      try text.editThenSave { try save($0, unlocked: unlocked, lock: lock.afterEditing) }
    }

    private func save(_ body: String, unlocked: UnlockedVault, lock: LockOptions) throws {
      let day = date ?? Day.today()
      let practice = try CommandContext.open(location, lock: lock, unlocked: unlocked, mode: .write)
      let note = try practice.notes.add(to: client, text: body, kind: kind, date: day, minutes: duration?.value ?? 0, sign: sign)
      location.output.emit(note)
      location.output.line("Saved note \(note.id) (\(kind), \(day), \(sign ? "signed" : "draft")).")
    }
  }
}
