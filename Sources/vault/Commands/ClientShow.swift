import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault client show`: a client's details and a summary of their record.
  struct ClientShow: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show",
      abstract: "Show a client's details, a summary of their notes, and the record's history.",
      discussion: """
        --history lists every version of the details (who changed what, and when); \
        --version N shows the details as they were in version N.
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions

    @Argument(help: ArgumentHelp("The client's code or the start of their name.", valueName: "client"), completion: .clientCodes) var client: String
    @Flag(name: .long, help: "List every version of the client's details.") var history = false
    @Option(name: .long, help: ArgumentHelp("Show version <n> of the details (1 is the first).", valueName: "n")) var version: Int?

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .read)
      let details = try practice.clients.show(client, version: version)
      let out = location.output
      if out.json { return out.emit(details) }
      let j = details.client
      let record = details.record
      let n = details.version
      let versions = details.history.count
      out.line("Client \(j.code)\(j.isDischarged ? "  (discharged)" : "")\(n < versions ? "  — version \(n) of \(versions)" : "")")
      var rows: [(String, String?)] = [
        ("Legal name", record.legalName), ("Preferred name", record.preferredName), ("Date of birth", record.dateOfBirth?.description),
        ("Phone", record.phone), ("E-mail", record.email), ("Address", record.address),
        ("Emergency contact", record.emergencyContact), ("Start date", record.startDate.description),
        ("Discharged", record.dischargeDate?.description), ("Discharge reason", record.dischargeReason),
      ]
      rows += record.fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
      for (label, value) in rows { if let value { out.line("  \((label + ":").padding(19)) \(value)") } }
      out.line()
      out.line("  Notes:             \(j.notes) (\(j.drafts) unsigned draft\(j.drafts == 1 ? "" : "s"))\(j.psychotherapyNotes > 0 ? ", and \(j.psychotherapyNotes) psychotherapy note(s) kept apart" : "")")
      out.line("  Last session:      \(j.lastSession ?? "none yet")")
      out.line("  Consents:          \(j.consents)\(details.validConsents.isEmpty ? "" : " (valid: \(details.validConsents.joined(separator: ", ")))")")
      out.line("  Disclosures:       \(j.disclosures)\(j.disclosures > 0 ? " (see 'vault disclosures \(j.code)')" : "")")
      if history {
        out.line()
        out.line("History:")
        for v in details.history { out.line("  \(v.version). \(v.time)  \(v.author.padding(10))  \(v.change)") }
      } else if versions > 1 {
        out.line("  Versions:          \(versions) (see --history)")
      }
    }
  }
}
