/// record.json in an export: everything in the record, machine-readable (GDPR Art. 20). The
/// field names are stable; docs/FORMAT.md §15 documents them. `format` changes if they do.
public struct ExportRecord: Codable, Sendable {
  /// "vault-export/1".
  public var format: String
  /// When the export was made (UTC, RFC 3339).
  public var generatedAt: String
  /// The client's details (latest version).
  public var client: ClientDetails
  /// Every version of the details: when, by whom, what changed.
  public var recordHistory: [Version]
  /// The session-date range the notes were limited to, if any.
  public var range: Range
  /// The practice's name, address, contact and time zone (absent when not set).
  public var practice: PracticeProfile?
  /// Whether psychotherapy notes were included.
  public var includesPsychotherapyNotes: Bool
  /// How many psychotherapy notes were left out.
  public var psychotherapyNotesLeftOut: Int
  /// Whether unsigned drafts were included.
  public var includesDrafts: Bool
  /// How many unsigned drafts were left out.
  public var draftsLeftOut: Int
  /// How the requester's identity was verified.
  public var identityVerification: Identity
  /// Notes in session-date order.
  public var notes: [Note]
  /// Consent documents, each with its file in `documents/`.
  public var consents: [Consent]
  /// The accounting of disclosures.
  public var disclosures: [DisclosureItem]
  /// Every access-log entry about this client: who read or changed what, and when.
  public var accessHistory: [Access]

  /// The client's code and details.
  public struct ClientDetails: Codable, Sendable {
    public var code: String
    public var record: ClientRecord
  }

  public struct Version: Codable, Sendable {
    public var version: Int
    public var time: String
    public var author: String
    public var change: String
  }

  public struct Range: Codable, Sendable {
    public var since: String?
    public var until: String?
  }

  public struct Identity: Codable, Sendable {
    public var verified: Bool
    public var how: String
  }

  public struct Addendum: Codable, Sendable {
    public var time: String
    public var author: String
    public var reason: String
    public var text: String
  }

  public struct Note: Codable, Sendable {
    public var id: String
    public var date: String
    public var kind: String
    public var minutes: Int?
    public var status: String
    public var signedBy: String?
    public var signedAt: String?
    public var writtenBy: String
    public var writtenAt: String
    public var versions: Int
    public var text: String
    public var addenda: [Addendum]
    public var file: String
  }

  public struct Consent: Codable, Sendable {
    public var id: String
    public var kind: String
    public var status: String
    public var signed: String?
    public var expires: String?
    public var formVersion: String?
    public var fileName: String
    public var mediaType: String
    public var size: UInt64
    public var file: String
    public var recipient: String?
    public var recipientAddress: String?
    public var information: String?
    public var purpose: String?
    public var revoked: String?
    public var revocationReason: String?
  }

  public struct DisclosureItem: Codable, Sendable {
    public var id: String
    public var date: String
    public var recipient: String
    public var address: String?
    public var what: String
    public var purpose: String
    public var basis: String
    public var reason: String?
    public var authorization: String?
    public var corrects: String?
  }

  public struct Access: Codable, Sendable {
    public var time: String
    public var actor: String
    public var action: String
    public var detail: String?
    public var reason: String?
  }
}
