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
    @Argument(help: ArgumentHelp("The client's code or the start of their name.", valueName: "client")) var client: String
    @OptionGroup var fields: ClientFieldOptions
    @Flag(name: .long, help: "Reopen a discharged client's record.") var reopen = false

    func validate() throws {
      if fields.isEmpty && !reopen { throw ValidationError("nothing to change: give at least one field option, or --reopen") }
    }

    func run() throws {
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedWrite)
      let c = try context.client(client)
      var record = try context.records.currentRecord(c)
      try fields.apply(to: &record)
      if reopen {
        guard record.dischargeDate != nil else { throw RecordError.clientActive(c.code) }
        record.dischargeDate = nil
        record.dischargeReason = nil
      }
      let updated = try context.records.updateClient(
        c, to: record, change: reopen ? "reopened" : nil, author: context.author, now: CommandContext.now)
      let version = updated.index.records[updated.index.records.count - 1]
      try context.record("client-update", client: c.code, objects: [version.revision.object], detail: version.change)
      context.output.emit(ClientJSON(updated))
      context.output.line("Client \(c.code): \(version.change) (version \(updated.index.records.count)).")
    }
  }
}
