import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault consent revoke`: the client withdrew a consent; the document and its history stay.
  struct ConsentRevoke: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "revoke", abstract: "Record that a consent was revoked (the document is kept).",
      discussion: """
        --reason is required and is kept with the consent. From --date (default today) a \
        revoked release no longer authorizes disclosures.

        EXAMPLE
          vault consent revoke K7F3-2Q.C3 --date 2026-11-24 --reason 'client withdrew by phone'
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The consent's id, e.g. K7F3-2Q.C2.", valueName: "id")) var id: String
    @Option(name: .long, help: ArgumentHelp("The day it was revoked (default: today).", valueName: "date"), transform: parseDay) var date: Day?

    func validate() throws {
      if location.reason == nil { throw ValidationError("a revocation needs --reason TEXT") }
    }

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let day = date ?? Day.today()
      let revoked = try practice.consents.revoke(id, on: day, reason: location.reason ?? "")
      location.output.emit(revoked)
      location.output.line("Revoked \(revoked.id) as of \(day).")
    }
  }
}
