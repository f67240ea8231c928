import ArgumentParser
import Foundation
import VaultCore

extension VaultCommand {
  /// `vault disclosures`: the accounting of disclosures for one client.
  struct Disclosures: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print the accounting of disclosures for a client (six years by default).",
      discussion: """
        Lists every recorded disclosure with the elements of HIPAA 164.528: date, recipient \
        and address, what was disclosed, and the purpose or basis. Limits-of-confidentiality \
        disclosures are flagged; those a HIPAA accounting need not include (treatment, \
        payment, operations, to the client, under an authorization) are marked. --format html \
        writes a self-contained page to print or hand over.
        """)

    /// Output formats.
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, html }

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The client's code or the start of their name.", valueName: "client"), completion: .clientCodes) var client: String
    @Option(name: .long, help: ArgumentHelp("First day covered (default: six years ago).", valueName: "date"), transform: parseDay) var since: Day?
    @Option(name: .long, help: ArgumentHelp("text (default) or html.", valueName: "format")) var format: Format = .text

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .read)
      let accounting = try practice.consents.accounting(client, since: since, asHTML: format == .html)
      let out = location.output
      if out.json { return out.emit(accounting.disclosures) }
      if format == .html { return out.document(accounting.html) }
      out.line("Accounting of disclosures — \(accounting.clientName) (\(accounting.client)), \(accounting.from) to \(accounting.to)")
      if accounting.disclosures.isEmpty { out.line("No disclosures recorded in this period.") }
      for d in accounting.disclosures {
        out.line()
        out.line("\(d.id)  \(d.date)  \(d.basis)\(d.flagged ? "  [FLAGGED: limits of confidentiality]" : "")\(d.requiredInHIPAAAccounting ? "" : "  (not required in a HIPAA accounting)")")
        out.line("  Recipient: \(d.recipient)\(d.address.map { ", \($0)" } ?? "")")
        out.line("  Disclosed: \(d.what)")
        out.line("  Purpose:   \(d.purpose)")
        if let r = d.reason { out.line("  Reason:    \(r)") }
        if let a = d.authorization { out.line("  Authorized by: \(a)") }
        if let x = d.corrects { out.line("  Corrects: \(x)") }
        if !d.correctedBy.isEmpty { out.line("  Corrected by: \(d.correctedBy.joined(separator: ", "))") }
        out.line("  Recorded \(d.recordedAt) by \(d.recordedBy)")
      }
    }
  }
}
