import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault client discharge`: close the record; the retention clock starts on that date.
  struct ClientDischarge: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "discharge",
      abstract: "Close a client's record (starts the retention clock).",
      discussion: """
        Records the discharge date (default today) and --reason as a new version of the \
        client's details. Notes can no longer be added; signed notes can still be amended. \
        Unsigned drafts are reported, so they can be signed first.

        EXAMPLE
          vault client discharge K7F3-2Q --date 2026-11-20 --reason 'treatment goals met'
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The client's code or the start of their name.", valueName: "client")) var client: String
    @Option(name: .long, help: ArgumentHelp("Discharge date (default: today).", valueName: "date"), transform: parseDay)
    var date: Day?

    func run() throws {
      let day = date ?? Day.today()
      guard day <= Day.today() else { throw RecordError.invalidDate(day.description, "the discharge date is in the future") }
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedWrite)
      let c = try context.client(client)
      if let on = c.index.dischargeDate { throw VaultError.invalidArgument("client \(c.code) was already discharged on \(on)") }
      var record = try context.records.currentRecord(c)
      record.dischargeDate = day
      record.dischargeReason = location.reason
      let updated = try context.records.updateClient(c, to: record, change: "discharged", author: context.author, now: CommandContext.now)
      try context.record("client-discharge", client: c.code, objects: [updated.index.records.last!.revision.object], detail: "discharged on \(day)")
      let drafts = c.index.notes.filter { !$0.isSigned }.map { c.noteID($0.number).description }
      if !drafts.isEmpty { context.output.note("warning: unsigned drafts remain: \(drafts.joined(separator: ", ")); sign them with 'vault note sign'") }
      context.output.emit(ClientJSON(updated))
      context.output.line("Client \(c.code) discharged on \(day).")
    }
  }
}
