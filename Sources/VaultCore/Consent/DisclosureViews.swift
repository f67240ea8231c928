import Foundation

/// A disclosure as the accounting and `--json` show it: the elements of HIPAA 164.528(b)(2).
public struct DisclosureView: Encodable, Sendable, Equatable {
  public let id: String
  public let date: String
  public let recipient: String
  public let address: String?
  public let what: String
  public let purpose: String
  public let basis: String
  public let flagged: Bool
  public let requiredInHIPAAAccounting: Bool
  public let reason: String?
  public let authorization: String?
  public let corrects: String?
  public let correctedBy: [String]
  public let recordedAt: String
  public let recordedBy: String

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

/// A disclosure to record: to whom, what, why, and on what basis.
public struct NewDisclosure: Sendable {
  public var recipient: String
  public var address = ""
  public var what: String
  public var purpose: String
  public var basis: DisclosureBasis
  public var date = Day.today()
  /// The release of information relied on (basis authorization), e.g. K7F3-2Q.C3.
  public var authorization: String?
  /// The earlier disclosure this one corrects, e.g. K7F3-2Q.D1.
  public var corrects: String?

  /// A disclosure of `what` to `recipient` for `purpose` on `basis`.
  public init(recipient: String, what: String, purpose: String, basis: DisclosureBasis) {
    self.recipient = recipient
    self.what = what
    self.purpose = purpose
    self.basis = basis
  }
}

/// The accounting of disclosures for one client over a period (HIPAA 164.528).
public struct Accounting: Sendable {
  /// Six years back, the period HIPAA 164.528(a) gives a client the right to.
  public static let years = 6

  public let client: String
  public let clientName: String
  public let legalName: String
  public let from: Day
  public let to: Day
  public let disclosures: [DisclosureView]

  /// The first day of the default period: `years` before `today` (the 28th at most, so every month has it).
  public static func defaultStart(today: Day) -> Day {
    let t = today.components
    return Day(year: t.year - years, month: t.month, day: min(t.day, 28)) ?? today
  }

  /// A self-contained, printable page: no scripts, no external resources; every value escaped.
  public var html: String {
    func e(_ s: String) -> String { HTMLText.escape(s) }
    let rows = disclosures.map { d in
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
      <p>Client: \(e(legalName)) (\(client)). Period: \(from) to \(to).</p>
      <table><tr><th>Date</th><th>Recipient</th><th>What was disclosed</th><th>Purpose or basis</th><th>Entry</th></tr>
      \(rows.isEmpty ? "<tr><td colspan=\"5\">No disclosures recorded in this period.</td></tr>" : rows)
      </table></body></html>
      """
  }
}
