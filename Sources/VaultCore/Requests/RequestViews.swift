/// An open (or just recorded) request for a record, with the days left (docs/JSON.md, "request").
public struct PendingRequest: Encodable, Sendable, Equatable {
  public let client: String
  public let request: Int
  public let requested: String
  public let due: String
  /// Days until the due date (negative: overdue).
  public let daysLeft: Int
  public let note: String?

  init(_ c: Client, _ r: RecordRequest, today: Day = .today()) {
    client = c.code.description
    request = Int(r.number)
    requested = r.requested.description
    due = r.due.description
    daysLeft = Int(r.due.daysSinceEpoch - today.daysSinceEpoch)
    note = r.note.isEmpty ? nil : r.note
  }
}

/// How an export is protected.
public enum ExportProtection: Sendable {
  /// Encrypted to these age public keys (age1…).
  case recipients([String])
  /// Encrypted with a passphrase vault generates and returns once.
  case generatedPassphrase
  /// Encrypted with the passphrase on the first line of this file.
  case passphraseFile(String)
  /// Not encrypted (for a client in the office).
  case unencrypted
}

/// What to export and how (`Requests.export`).
public struct ExportPlan: Sendable {
  /// The file to write, and whether it may replace an existing one.
  public var out: String
  public var force = false
  public var protection: ExportProtection
  /// How the requester's identity was verified (HIPAA 164.514(h)); nil: not verified.
  public var identityVerified: String?
  /// Export without a verified identity: needs a reason, and the entry is flagged.
  public var skipIdentityCheck = false
  public var includePsychotherapyNotes = false
  public var since: Day?
  public var until: Day?
  /// The day the client asked (default: their oldest open request, else today).
  public var requested: Day?

  /// An export to `out`, protected by `protection`.
  public init(out: String, protection: ExportProtection) {
    self.out = out
    self.protection = protection
  }
}

/// What an export wrote (docs/JSON.md, "export").
public struct ExportResult: Encodable, Sendable {
  public let out: String
  public let disclosure: String
  public let requested: String
  public let notes: Int
  public let documents: Int
  public let psychotherapyNotesLeftOut: Int
  /// How the file is protected: "unencrypted", "passphrase" or "recipients" (age keys).
  public let protection: String
  /// How many age keys it is encrypted to (only with "recipients").
  public let recipients: Int?
  /// The generated passphrase, shown once (only with `.generatedPassphrase`).
  public let passphrase: String?

  /// "unencrypted", "encrypted with a passphrase", "encrypted to 2 age key(s)".
  public var protectionText: String {
    switch protection {
    case "unencrypted": "unencrypted"
    case "recipients": "encrypted to \(recipients ?? 0) age key(s)"
    default: "encrypted with a passphrase"
    }
  }

  enum CodingKeys: String, CodingKey {
    case out, disclosure, requested, notes, documents, psychotherapyNotesLeftOut, protection, recipients, passphrase
  }
}

extension ExportPlan {
  /// Applies the practice's rules for releasing a record before anything is unlocked or written:
  /// identity verified (or the check skipped, with `reason`), recipients well formed.
  public func check(reason: String?) throws {
    guard identityVerified != nil || (skipIdentityCheck && reason != nil) else { throw RecordError.identityNotVerified }
    if let method = identityVerified { try ClientRecord.checkText(method, field: "--identity-verified method", required: true) }
    if case .recipients(let keys) = protection { for key in keys { _ = try AgeRecipient.parse(key) } }
  }
}
