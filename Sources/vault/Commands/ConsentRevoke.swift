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
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedWrite)
      let (c, e) = try context.consent(id)
      let day = date ?? Day.today()
      let (_, revoked) = try context.records.revokeConsent(
        e.number, of: c, date: day, reason: location.reason ?? "", author: context.author, now: CommandContext.now)
      try context.record("consent-revoke", client: c.code, detail: "\(c.consentID(e.number)) revoked as of \(day)")
      context.output.emit(ConsentJSON(revoked, of: c))
      context.output.line("Revoked \(c.consentID(e.number)) as of \(day).")
    }
  }
}
