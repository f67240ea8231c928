import ArgumentParser

extension VaultCommand {
  /// `vault note`: read, edit, sign and amend notes.
  struct NoteGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "note",
      abstract: "List, show, print, edit, sign and amend session notes.",
      discussion: """
        A note's id is the client's code, a dot and the note's number: K7F3-2Q.3. Write new \
        notes with 'vault add-note'.
        """,
      subcommands: [NoteList.self, NoteShow.self, NotePrint.self, NoteEdit.self, NoteSign.self, NoteAmend.self])
  }
}
