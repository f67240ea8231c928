/// A consent document's metadata as lists and `--json` show it (docs/JSON.md, "consent").
public struct ConsentView: Encodable, Sendable, Equatable {
  public let id: String
  public let client: String
  public let kind: String
  public let status: String
  public let signed: String?
  public let expires: String?
  public let formVersion: String?
  public let note: String?
  public let fileName: String
  public let mediaType: String
  public let size: UInt64
  public let added: String
  public let addedBy: String
  public let recipient: String?
  public let recipientAddress: String?
  public let information: String?
  public let purpose: String?
  public let revoked: String?
  public let revocationReason: String?
  /// Every revocation: (day, recorded at, by, reason) (not in JSON: `revoked` has the last).
  public let events: [Event]
  /// The client's display name (not in JSON).
  public let clientName: String

  /// A recorded revocation.
  public struct Event: Sendable, Equatable {
    public let date: String, recorded: String, author: String, reason: String
  }

  init(_ e: ConsentEntry, of c: Client, today: Day = .today()) {
    id = c.consentID(e.number).description
    client = c.code.description
    kind = e.kind.description
    status = e.status(on: today).rawValue
    signed = e.signed?.description
    expires = e.expires?.description
    formVersion = e.formVersion.isEmpty ? nil : e.formVersion
    note = e.note.isEmpty ? nil : e.note
    fileName = e.file.fileName
    mediaType = e.file.mediaType
    size = e.file.size
    added = LogEntry.format(seconds: e.file.time)
    addedBy = e.file.author
    recipient = e.release?.recipient
    recipientAddress = e.release.flatMap { $0.address.isEmpty ? nil : $0.address }
    information = e.release?.information
    purpose = e.release?.purpose
    revoked = e.revocation?.date.description
    revocationReason = e.revocation?.reason
    events = e.events.map { Event(date: $0.date.description, recorded: LogEntry.format(seconds: $0.time), author: $0.author, reason: $0.reason) }
    clientName = c.displayName
  }

  enum CodingKeys: String, CodingKey {
    case id, client, kind, status, signed, expires, formVersion, note, fileName, mediaType, size, added, addedBy, recipient
    case recipientAddress, information, purpose, revoked, revocationReason
  }
}

/// A registered blank form (docs/JSON.md, "form").
public struct FormView: Encodable, Sendable, Equatable {
  public let kind: String
  public let version: String
  public let current: Bool
  public let fileName: String
  public let mediaType: String
  public let size: UInt64
  public let added: String

  init(_ f: PracticeForm, current: Bool) {
    kind = f.kind.description
    version = f.version
    self.current = current
    fileName = f.file.fileName
    mediaType = f.file.mediaType
    size = f.file.size
    added = LogEntry.format(seconds: f.file.time)
  }
}

/// One thing `consent check` found (docs/JSON.md, "consent check").
public struct ConsentCheckItem: Encodable, Sendable, Equatable {
  public let client: String
  public let kind: String
  public let status: String
  public let detail: String
  /// The consent concerned, when there is one (omitted otherwise).
  public let consent: String?
}

/// What `consent check` found, and whether any forms are registered at all.
public struct ConsentCheckReport: Sendable {
  public let items: [ConsentCheckItem]
  /// False when the practice registered no forms, so nothing is required yet.
  public let formsRegistered: Bool
}

/// A new consent document: what it is, and the file holding the signed copy.
public struct NewConsent: Sendable {
  public var kind: ConsentKind
  public var file: FileSource
  public var signed: Day?
  public var expires: Day?
  public var formVersion = ""
  public var note = ""
  /// For a release of information: who may receive what, and why.
  public var release: Release?

  /// A consent of `kind` held in `file`.
  public init(kind: ConsentKind, file: FileSource, signed: Day? = nil, expires: Day? = nil) {
    self.kind = kind
    self.file = file
    self.signed = signed
    self.expires = expires
  }
}

/// Where a decrypted document goes.
public enum DocumentTarget: Sendable {
  /// A new file (replacing an existing regular file only with `force`).
  case file(String, force: Bool)
  /// Standard output; `isTerminal` refuses anything but plain text.
  case standardOutput(isTerminal: Bool)
}
