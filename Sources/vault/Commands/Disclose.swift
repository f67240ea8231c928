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
    @Argument(help: ArgumentHelp("The client's code or the start of their name.", valueName: "client")) var client: String
    @Option(name: .customLong("to"), help: ArgumentHelp("Who received the information.", valueName: "recipient")) var recipient: String
    @Option(name: .long, help: ArgumentHelp("The recipient's address, if known.", valueName: "text")) var address: String?
    @Option(name: .long, help: ArgumentHelp("What was disclosed.", valueName: "text")) var what: String
    @Option(name: .long, help: ArgumentHelp("Why it was disclosed.", valueName: "text")) var purpose: String
    @Option(name: .long, help: ArgumentHelp("The legal basis (see above).", valueName: "basis")) var basis: DisclosureBasis
    @Option(name: .long, help: ArgumentHelp("The day of the disclosure (default: today).", valueName: "date"), transform: parseDay) var date: Day?
    @Option(name: .long, help: ArgumentHelp("The release of information relied on, e.g. K7F3-2Q.C3.", valueName: "id")) var authorization: String?
    @Option(name: .long, help: ArgumentHelp("The earlier disclosure this entry corrects, e.g. K7F3-2Q.D1.", valueName: "id")) var corrects: String?

    func run() throws {
      let auth = try authorization.map { try ItemID(parsing: $0, letter: "C") }
      let corrected = try corrects.map { try ItemID(parsing: $0, letter: "D") }
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedWrite)
      let c = try context.client(client)
      let (_, d) = try context.records.disclose(
        c, date: date ?? Day.today(), basis: basis, recipient: recipient, address: address ?? "", what: what, purpose: purpose,
        reason: location.reason, authorization: auth, corrects: corrected, author: context.author, now: CommandContext.now)
      let id = c.disclosureID(d.number)
      try context.record(
        "disclosure", client: c.code,
        detail: "\(id) to \(recipient), basis \(basis)\(basis.isLimitOfConfidentiality ? " (limits of confidentiality: flagged)" : "")")
      context.output.emit(DisclosureJSON(d, of: c))
      context.output.line("Recorded \(id): \(basis) disclosure to \(recipient) on \(d.date)\(basis.isLimitOfConfidentiality ? " (flagged: limits of confidentiality)" : "").")
    }
  }
}

/// A disclosure as `--json` prints it: the elements of HIPAA 164.528(b)(2).
struct DisclosureJSON: Encodable {
  let id: String
  let date: String
  let recipient: String
  let address: String?
  let what: String
  let purpose: String
  let basis: String
  let flagged: Bool
  let requiredInHIPAAAccounting: Bool
  let reason: String?
  let authorization: String?
  let corrects: String?
  let correctedBy: [String]
  let recordedAt: String
  let recordedBy: String

  init(_ d: Disclosure, of c: Client) {
    id = c.disclosureID(d.number).description
    date = d.date.description
    recipient = d.recipient
    address = d.address.isEmpty ? nil : d.address
    what = d.what
    purpose = d.purpose
    basis = d.basis.description
    flagged = d.basis.isLimitOfConfidentiality
    // 164.528(a)(1): treatment, payment, operations, to the individual and under an authorization are exempt.
    requiredInHIPAAAccounting = ![.treatment, .payment, .operations, .clientRequest, .authorization].contains(d.basis)
    reason = d.reason.isEmpty ? nil : d.reason
    authorization = d.authorization.map { c.consentID($0).description }
    corrects = d.corrects.map { c.disclosureID($0).description }
    correctedBy = c.index.disclosures.filter { $0.corrects == d.number }.map { c.disclosureID($0.number).description }
    recordedAt = LogEntry.format(seconds: d.time)
    recordedBy = d.author
  }
}
