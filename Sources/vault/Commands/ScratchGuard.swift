import ArgumentParser
import VaultCore

extension VaultCommand {
  /// Hidden: the guardian `EditorSession` starts; it wipes the editor's scratch directory once vault is gone.
  struct ScratchGuard: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: EditorSession.guardianCommand, abstract: "Internal: wipes an editor scratch directory when vault exits.",
      shouldDisplay: false)

    @Argument var directory: String

    func run() throws {
      guard let scratch = ScratchDirectory(existing: directory) else { throw ExitStatus.Thrown(status: .usage) }
      scratch.guardUntilClosed()
    }
  }
}
