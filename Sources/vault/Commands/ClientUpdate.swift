import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault client update`: a new version of the details; earlier versions stay.
  struct ClientUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "update",
      abstract: "Change a client's details (a new version; earlier ones are kept).",
      discussion: """
        Only the options given change; an empty value ('') clears an optional field. \
        --reopen reopens a discharged client's record. See every version with \
        'vault client show CLIENT --history'.

        EXAMPLES
          vault client update K7F3-2Q --phone '+1 555 0100' --field insurance='Acme 123'
          vault client update K7F3-2Q --reopen --reason 'returned to care'
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The client's code or the start of their name.", valueName: "client"), completion: .clientCodes) var client: String
    @OptionGroup var fields: ClientFieldOptions
    @Flag(name: .long, help: "Reopen a discharged client's record.") var reopen = false

    func validate() throws {
      if (try fields.change).isEmpty && !reopen { throw ValidationError("nothing to change: give at least one field option, or --reopen") }
    }

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let changed = try practice.clients.update(client, try fields.change, reopen: reopen)
      location.output.emit(changed.client)
      location.output.line("Client \(changed.client.code): \(changed.change) (version \(changed.versions)).")
    }
  }
}
