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
    @Argument(help: ArgumentHelp("The client's code or the start of their name.", valueName: "client"), completion: .clientCodes) var client: String
    @Option(name: .long, help: ArgumentHelp("Discharge date (default: today).", valueName: "date"), transform: parseDay)
    var date: Day?

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let changed = try practice.clients.discharge(client, on: date ?? Day.today(), reason: location.reason)
      let out = location.output
      if !changed.drafts.isEmpty { out.note("warning: unsigned drafts remain: \(changed.drafts.joined(separator: ", ")); sign them with 'vault note sign'") }
      out.emit(changed.client)
      out.line("Client \(changed.client.code) discharged on \(changed.client.dischargeDate ?? "").")
    }
  }
}
