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
    @Argument(help: ArgumentHelp("Note ids, e.g. K7F3-2Q.3.", valueName: "note"), completion: .noteIDs) var notes: [String]

    func validate() throws {
      if notes.isEmpty { throw ValidationError("name at least one note, e.g. vault note sign K7F3-2Q.3") }
    }

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let signed = try practice.notes.sign(notes) { location.output.line("Signed note \($0.id).") }
      location.output.emit(signed)
    }
  }
}
