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
    @Argument(help: ArgumentHelp("The client's code or the start of their name.", valueName: "client")) var client: String
    @Option(name: .long, help: ArgumentHelp("First day covered (default: six years ago).", valueName: "date"), transform: parseDay) var since: Day?
    @Option(name: .long, help: ArgumentHelp("text (default) or html.", valueName: "format")) var format: Format = .text

    func run() throws {
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedRead)
      let c = try context.client(client)
      let today = Day.today()
      let t = today.components
      let from = since ?? Day(year: t.year - 6, month: t.month, day: min(t.day, 28)) ?? today
      let rows = c.index.disclosures.filter { $0.date >= from }.sorted { ($0.date, $0.number) < ($1.date, $1.number) }
      try context.record("disclosures-read", client: c.code, detail: "\(rows.count) disclosure(s) since \(from)\(format == .html ? ", as HTML" : "")")
      if context.output.json { return context.output.emit(rows.map { DisclosureJSON($0, of: c) }) }
      let items = rows.map { DisclosureJSON($0, of: c) }
      if format == .html { return context.output.document(Self.html(items, client: c, from: from, to: today)) }
      let out = context.output
      out.line("Accounting of disclosures — \(c.displayName) (\(c.code)), \(from) to \(today)")
      if items.isEmpty { out.line("No disclosures recorded in this period.") }
      for d in items {
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

    /// A self-contained, printable page: no scripts, no external resources.
    static func html(_ items: [DisclosureJSON], client: Client, from: Day, to: Day) -> String {
      func e(_ s: String) -> String { HTMLText.escape(s) }
      let rows = items.map { d in
        "<tr\(d.flagged ? " class=\"flag\"" : "")><td>\(e(d.date))</td><td>\(e(d.recipient))\(d.address.map { "<br>" + e($0) } ?? "")</td>"
          + "<td>\(e(d.what))</td><td>\(e(d.purpose))<br><small>basis: \(e(d.basis))\(d.flagged ? " (limits of confidentiality)" : "")"
          + "\(d.reason.map { "; reason: " + e($0) } ?? "")\(d.authorization.map { "; authorized by " + e($0) } ?? "")"
          + "\(d.corrects.map { "; corrects " + e($0) } ?? "")\(d.correctedBy.isEmpty ? "" : "; corrected by " + e(d.correctedBy.joined(separator: ", ")))"
          + "\(d.requiredInHIPAAAccounting ? "" : "; not required in a HIPAA accounting")</small></td><td>\(e(d.id))</td></tr>"
      }.joined(separator: "\n")
      return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Accounting of disclosures</title>
        <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.4em;vertical-align:top;text-align:left}tr.flag{background:#fee}</style>
        </head><body>
        <h1>Accounting of disclosures</h1>
        <p>Client: \(e(client.index.legalName)) (\(client.code)). Period: \(from) to \(to).</p>
        <table><tr><th>Date</th><th>Recipient</th><th>What was disclosed</th><th>Purpose or basis</th><th>Entry</th></tr>
        \(rows.isEmpty ? "<tr><td colspan=\"5\">No disclosures recorded in this period.</td></tr>" : rows)
        </table></body></html>
        """
    }
  }
}
