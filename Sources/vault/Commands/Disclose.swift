import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault disclose`: record a disclosure of a client's information, checked against its basis.
  struct Disclose: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Record a disclosure of a client's information (for the accounting of disclosures).",
      discussion: """
        Bases: authorization (needs --authorization, a release of information of this client \
        that is signed, unexpired and unrevoked on --date and names this recipient; otherwise \
        refused with the reason), duty-to-warn, mandated-report, court-order, emergency \
        (limits of confidentiality: need --reason, and are flagged), treatment, payment, \
        operations, client-request. Entries are never edited: record a correction as a new \
        disclosure with --corrects ID.

        EXAMPLES
          vault disclose K7F3-2Q --to 'Dr. Lee, City Clinic' --what 'treatment summary' --purpose 'coordination of care' \\
            --basis authorization --authorization K7F3-2Q.C3
          vault disclose mia --to 'County CPS' --what 'report of suspected abuse' --purpose 'mandated report' \\
            --basis mandated-report --reason 'disclosure in session on 2026-11-24'
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The client's code or the start of their name.", valueName: "client"), completion: .clientCodes) var client: String
    @Option(name: .customLong("to"), help: ArgumentHelp("Who received the information.", valueName: "recipient")) var recipient: String
    @Option(name: .long, help: ArgumentHelp("The recipient's address, if known.", valueName: "text")) var address: String?
    @Option(name: .long, help: ArgumentHelp("What was disclosed.", valueName: "text")) var what: String
    @Option(name: .long, help: ArgumentHelp("Why it was disclosed.", valueName: "text")) var purpose: String
    @Option(name: .long, help: ArgumentHelp("The legal basis (see above).", valueName: "basis")) var basis: DisclosureBasis
    @Option(name: .long, help: ArgumentHelp("The day of the disclosure (default: today).", valueName: "date"), transform: parseDay) var date: Day?
    @Option(name: .long, help: ArgumentHelp("The release of information relied on, e.g. K7F3-2Q.C3.", valueName: "id")) var authorization: String?
    @Option(name: .long, help: ArgumentHelp("The earlier disclosure this entry corrects, e.g. K7F3-2Q.D1.", valueName: "id")) var corrects: String?

    func run() throws {
      var d = NewDisclosure(recipient: recipient, what: what, purpose: purpose, basis: basis)
      d.address = address ?? ""
      d.date = date ?? Day.today()
      d.authorization = authorization
      d.corrects = corrects
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let entry = try practice.consents.disclose(client, d, reason: location.reason)
      location.output.emit(entry)
      location.output.line("Recorded \(entry.id): \(basis) disclosure to \(recipient) on \(entry.date)\(entry.flagged ? " (flagged: limits of confidentiality)" : "").")
    }
  }
}
