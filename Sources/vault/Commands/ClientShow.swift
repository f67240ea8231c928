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

    @Argument(help: ArgumentHelp("The client's code or the start of their name.", valueName: "client")) var client: String
    @Flag(name: .long, help: "List every version of the client's details.") var history = false
    @Option(name: .long, help: ArgumentHelp("Show version <n> of the details (1 is the first).", valueName: "n")) var version: Int?

    func run() throws {
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedRead)
      let c = try context.client(client)
      let versions = c.index.records
      let n = version ?? versions.count
      guard (1...versions.count).contains(n) else {
        throw VaultError.invalidArgument("client \(c.code) has \(versions.count) version(s); choose --version 1 to \(versions.count)")
      }
      let shown = versions[n - 1]
      let record = try context.records.record(c, shown)
      try context.record("client-show", client: c.code, objects: [shown.revision.object], detail: "version \(n) of \(versions.count)")

      if context.output.json {
        context.output.emit(ClientShowJSON(
          client: ClientJSON(c), version: n, record: record,
          history: versions.enumerated().map { HistoryJSON(version: $0 + 1, time: LogEntry.format(seconds: $1.revision.time), author: $1.revision.author, change: $1.change) }))
        return
      }
      let out = context.output
      out.line("Client \(c.code)\(c.isDischarged ? "  (discharged)" : "")\(n < versions.count ? "  — version \(n) of \(versions.count)" : "")")
      var rows: [(String, String?)] = [
        ("Legal name", record.legalName), ("Preferred name", record.preferredName), ("Date of birth", record.dateOfBirth?.description),
        ("Phone", record.phone), ("E-mail", record.email), ("Address", record.address),
        ("Emergency contact", record.emergencyContact), ("Start date", record.startDate.description),
        ("Discharged", record.dischargeDate?.description), ("Discharge reason", record.dischargeReason),
      ]
      rows += record.fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
      for (label, value) in rows { if let value { out.line("  \((label + ":").padding(19)) \(value)") } }
      let j = ClientJSON(c)
      out.line()
      out.line("  Notes:             \(j.notes) (\(j.drafts) unsigned draft\(j.drafts == 1 ? "" : "s"))\(j.psychotherapyNotes > 0 ? ", and \(j.psychotherapyNotes) psychotherapy note(s) kept apart" : "")")
      out.line("  Last session:      \(j.lastSession ?? "none yet")")
      let today = Day.today()
      let valid = c.index.consents.filter { $0.status(on: today) == .valid }.map(\.kind.description)
      out.line("  Consents:          \(j.consents)\(valid.isEmpty ? "" : " (valid: \(Set(valid).sorted().joined(separator: ", ")))")")
      out.line("  Disclosures:       \(j.disclosures)\(j.disclosures > 0 ? " (see 'vault disclosures \(c.code)')" : "")")
      if history {
        out.line()
        out.line("History:")
        for (i, v) in versions.enumerated() {
          out.line("  \(i + 1). \(LogEntry.format(seconds: v.revision.time))  \(v.revision.author.padding(10))  \(v.change)")
        }
      } else if versions.count > 1 {
        out.line("  Versions:          \(versions.count) (see --history)")
      }
    }
  }
}

struct HistoryJSON: Encodable {
  let version: Int
  let time: String
  let author: String
  let change: String
}

struct ClientShowJSON: Encodable {
  let client: ClientJSON
  let version: Int
  let record: ClientRecord
  let history: [HistoryJSON]
}
