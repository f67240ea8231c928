import VaultCrypto

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

/// The file an export makes.
public enum ExportForm: String, Sendable, CaseIterable {
  /// A ZIP, encrypted with age (or not, when asked).
  case age
  /// One HTML page that decrypts itself in a browser with the passphrase (FORMAT.md, "HTML export").
  case html

  /// `html` for a file named *.html or *.htm, else `age`.
  public static func inferred(from path: String) -> ExportForm {
    let name = path.lowercased()
    return name.hasSuffix(".html") || name.hasSuffix(".htm") ? .html : .age
  }
}

/// What to export and how (`Requests.export`).
public struct ExportPlan: Sendable {
  /// The file to write, and whether it may replace an existing one.
  public var out: String
  public var force = false
  public var protection: ExportProtection
  /// The ZIP in age, or the self-decrypting HTML page (which needs a passphrase).
  public var form = ExportForm.age
  /// How the requester's identity was verified (HIPAA 164.514(h)); nil: not verified.
  public var identityVerified: String?
  /// Export without a verified identity: needs a reason, and the entry is flagged.
  public var skipIdentityCheck = false
  public var includePsychotherapyNotes = false
  /// Include unsigned drafts (left out by default: not yet part of the record).
  public var includeDrafts = false
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
  /// Unsigned drafts left out (`--include-drafts` includes them).
  public let draftsLeftOut: Int
  /// How the file is protected: "unencrypted", "passphrase" or "recipients" (age keys).
  public let protection: String
  /// How many age keys it is encrypted to (only with "recipients").
  public let recipients: Int?
  /// The generated passphrase, shown once (only with `.generatedPassphrase`).
  public let passphrase: String?
  /// "age" (a ZIP, in age unless unencrypted) or "html" (the self-decrypting page).
  public let form: String

  /// "unencrypted", "encrypted with a passphrase", "encrypted to 2 age key(s)".
  public var protectionText: String {
    switch protection {
    case "unencrypted": "unencrypted"
    case "recipients": "encrypted to \(recipients ?? 0) age key(s)"
    default: "encrypted with a passphrase"
    }
  }

  enum CodingKeys: String, CodingKey {
    case out, disclosure, requested, notes, documents, psychotherapyNotesLeftOut, draftsLeftOut, protection, recipients, passphrase, form
  }
}

extension ExportPlan {
  /// Applies the practice's rules for releasing a record before anything is unlocked or written
  /// (identity verified, or the check skipped with `reason`; recipients well formed; a chosen
  /// passphrase long enough), and gets the keys the file will be encrypted to.
  public func prepare(reason: String?) throws -> PreparedExport {
    guard identityVerified != nil || (skipIdentityCheck && reason != nil) else { throw RecordError.identityNotVerified }
    if let method = identityVerified { try ClientRecord.checkText(method, field: "--identity-verified method", required: true) }
    if form == .html { return try prepareHTML() }
    switch protection {
    case .recipients(let keys): return PreparedExport(plan: self, recipients: try keys.map { try AgeRecipient.parse($0) }, generated: nil)
    case .generatedPassphrase:
      let words = try GeneratedPassphrase.make()
      let secret = try Array(words.utf8).withUnsafeBytes { try SecureBytes(copying: $0) }
      return PreparedExport(plan: self, recipients: [.scrypt(secret, logN: 18)], generated: words)
    case .passphraseFile(let path):
      let secret = try PassphraseSource.readFile(path)
      guard secret.count >= Requests.minimumExportPassphrase else { throw RecordError.exportPassphraseTooShort(Requests.minimumExportPassphrase) }
      return PreparedExport(plan: self, recipients: [.scrypt(secret, logN: 18)], generated: nil)
    case .unencrypted: return PreparedExport(plan: self, recipients: [], generated: nil)
    }
  }

  /// The HTML form: a generated passphrase, or a chosen one that meets the passphrase policy
  /// (PBKDF2 is all a browser offers, so the passphrase carries the protection).
  private func prepareHTML() throws -> PreparedExport {
    switch protection {
    case .generatedPassphrase:
      let words = try GeneratedPassphrase.make()
      let secret = try Array(words.utf8).withUnsafeBytes { try SecureBytes(copying: $0) }
      return PreparedExport(plan: self, recipients: [], generated: words, passphrase: secret)
    case .passphraseFile(let path):
      let secret = try PassphraseSource.readFile(path)
      try PassphrasePolicy.check(secret)
      guard secret.count >= Requests.minimumExportPassphrase else { throw RecordError.exportPassphraseTooShort(Requests.minimumExportPassphrase) }
      // The client types it on whatever keyboard they have, and the page drops blanks before and
      // after it (phones add them): only printable ASCII, no blank at either end, opens for
      // certain. A byte-order mark or a no-break space from an editor would make a page that the
      // passphrase, as typed, never opens.
      let typeable = secret.withUnsafeBytes { b -> Bool in
        guard let first = b.first, let last = b.last, first != 0x20, last != 0x20 else { return false }
        return b.allSatisfy { (0x20...0x7E).contains($0) }
      }
      guard typeable else {
        throw RecordError.exportFormUnsuitable(
          "a passphrase for --form html must be typeable on any keyboard: ASCII letters, digits, punctuation and inner spaces only "
            + "(no byte-order mark, accents or tabs, nothing blank at either end); or let --passphrase generate one")
      }
      return PreparedExport(plan: self, recipients: [], generated: nil, passphrase: secret)
    case .recipients, .unencrypted:
      throw RecordError.exportFormUnsuitable("--form html needs a passphrase (--passphrase or --export-passphrase-file FILE); use --form age for age keys or an unencrypted ZIP")
    }
  }
}

/// An export whose rules were checked and whose keys are ready (`ExportPlan.prepare`).
public struct PreparedExport: Sendable {
  let plan: ExportPlan
  let recipients: [AgeRecipient]
  /// The generated passphrase, when the plan asked for one.
  let generated: String?
  /// The passphrase of the HTML form.
  var passphrase: SecureBytes? = nil
}
