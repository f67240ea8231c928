/// A client as lists and `--json` show them (docs/JSON.md, "client").
public struct ClientSummary: Encodable, Sendable, Equatable {
  public let code: String
  public let legalName: String
  public let preferredName: String?
  public let status: String
  public let startDate: String
  public let dischargeDate: String?
  public let notes: Int
  public let drafts: Int
  public let psychotherapyNotes: Int
  public let lastSession: String?
  public let consents: Int
  public let disclosures: Int
  /// "Preferred (Legal)", or the legal name (not in JSON: it repeats the two names).
  public let displayName: String

  init(_ c: Client) {
    code = c.code.description
    legalName = c.index.legalName
    preferredName = c.index.preferredName.isEmpty ? nil : c.index.preferredName
    status = c.isDischarged ? "discharged" : "active"
    startDate = c.index.startDate.description
    dischargeDate = c.index.dischargeDate?.description
    let record = c.index.notes.filter { $0.kind != .psychotherapy }
    notes = record.count
    drafts = c.index.notes.filter { !$0.isSigned }.count
    psychotherapyNotes = c.index.notes.count - record.count
    lastSession = c.index.lastSession?.description
    consents = c.index.consents.count
    disclosures = c.index.disclosures.count
    displayName = c.displayName
  }

  /// True once discharged.
  public var isDischarged: Bool { dischargeDate != nil }

  enum CodingKeys: String, CodingKey {
    case code, legalName, preferredName, status, startDate, dischargeDate, notes, drafts, psychotherapyNotes, lastSession, consents, disclosures
  }
}

/// A client's details at one version, with the record's history (`client show`).
public struct ClientDetails: Encodable, Sendable {
  /// One version of the details: when, by whom, what changed.
  public struct Version: Encodable, Sendable, Equatable {
    public let version: Int
    public let time: String
    public let author: String
    public let change: String
  }

  public let client: ClientSummary
  /// The version shown (1 is the first).
  public let version: Int
  public let record: ClientRecord
  public let history: [Version]
  /// Kinds of consent valid today (not in JSON; `consent list` has them).
  public let validConsents: [String]

  enum CodingKeys: String, CodingKey { case client, version, record, history }
}

/// What `client update` or `discharge` changed.
public struct ClientChange: Sendable {
  /// The client after the change.
  public let client: ClientSummary
  /// "updated phone, email", "discharged", "reopened".
  public let change: String
  /// How many versions the details now have.
  public let versions: Int
  /// Notes still unsigned (a discharge warns about them).
  public let drafts: [String]
}

/// Orders for `Clients.list`.
public enum ClientOrder: String, Sendable, CaseIterable {
  case name, code, start, lastSession = "last-session"
}
