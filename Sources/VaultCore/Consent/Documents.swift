/// A stored file: which object holds it, how large it is, who added it and when.
public struct StoredFile: Sendable, Equatable {
  /// The document object (type 4).
  public var object: ObjectID
  /// Plaintext size in bytes.
  public var size: UInt64
  /// Unix seconds.
  public var time: Int64
  /// The key-slot label that added it.
  public var author: String
  /// The original file name (no directory).
  public var fileName: String
  /// Media type, e.g. "application/pdf".
  public var mediaType: String

  /// Creates a stored-file record.
  public init(object: ObjectID, size: UInt64, time: Int64, author: String, fileName: String, mediaType: String) {
    self.object = object
    self.size = size
    self.time = time
    self.author = author
    self.fileName = fileName
    self.mediaType = mediaType
  }
}

/// A change of a consent's status; the document itself never changes.
public struct ConsentEvent: Sendable, Equatable {
  /// What happened. Format 1 knows one event: revocation (1).
  public enum Kind: UInt8, Sendable { case revoked = 1 }
  /// What happened.
  public var kind: Kind
  /// The day it took effect.
  public var date: Day
  /// When it was recorded (Unix seconds).
  public var time: Int64
  /// Who recorded it.
  public var author: String
  /// Why, in the author's words.
  public var reason: String
}

/// What a release of information authorizes (HIPAA 164.508 core elements beyond signature and expiry).
public struct Release: Sendable, Equatable {
  /// Who may receive the information.
  public var recipient: String
  /// The recipient's address, if known.
  public var address: String
  /// What may be disclosed.
  public var information: String
  /// Why.
  public var purpose: String

  /// Creates a release.
  public init(recipient: String, address: String, information: String, purpose: String) {
    self.recipient = recipient
    self.address = address
    self.information = information
    self.purpose = purpose
  }
}

/// A signed consent document in a client's index.
public struct ConsentEntry: Sendable, Equatable {
  /// 1, 2, 3… within the client; the id is "<client code>.C<number>".
  public var number: UInt32
  /// What it is.
  public var kind: ConsentKind
  /// The file.
  public var file: StoredFile
  /// The day the client signed.
  public var signed: Day?
  /// The day it stops being valid.
  public var expires: Day?
  /// The version of the practice's form it was signed on.
  public var formVersion: String
  /// A free-text note.
  public var note: String
  /// The authorization's elements, for a release of information.
  public var release: Release?
  /// Status changes, oldest first.
  public var events: [ConsentEvent]

  /// The revocation, if any.
  public var revocation: ConsentEvent? { events.last { $0.kind == .revoked } }

  /// Where a consent stands on a given day; the one rule every command applies.
  public enum Status: String, Sendable {
    case valid, revoked, expired
    case notYetSigned = "not yet signed"
  }

  /// The status on `day`: revoked from its revocation date, expired after its expiry date,
  /// not yet signed before its signing date, valid otherwise.
  public func status(on day: Day) -> Status {
    if let r = revocation, r.date <= day { return .revoked }
    if let e = expires, e < day { return .expired }
    if let s = signed, s > day { return .notYetSigned }
    return .valid
  }
}

/// One entry of the accounting of disclosures (HIPAA 164.528). Never edited: a correction is a
/// new entry that names the one it corrects.
public struct Disclosure: Sendable, Equatable {
  /// 1, 2, 3… within the client; the id is "<client code>.D<number>".
  public var number: UInt32
  /// The day of the disclosure.
  public var date: Day
  /// The purpose or legal basis.
  public var basis: DisclosureBasis
  /// When it was recorded (Unix seconds).
  public var time: Int64
  /// Who recorded it.
  public var author: String
  /// Who received the information.
  public var recipient: String
  /// Their address, if known.
  public var address: String
  /// What was disclosed.
  public var what: String
  /// Why.
  public var purpose: String
  /// For limits-of-confidentiality disclosures: the justification.
  public var reason: String
  /// The release of information it relied on (a consent number), if any.
  public var authorization: UInt32?
  /// The earlier disclosure this entry corrects, if any.
  public var corrects: UInt32?
}

/// A client's request for their record (HIPAA 164.524: answered within 30 days).
public struct RecordRequest: Sendable, Equatable {
  /// 1, 2, 3… within the client.
  public var number: UInt32
  /// The day the request was received.
  public var requested: Day
  /// When it was recorded (Unix seconds).
  public var time: Int64
  /// Who recorded it.
  public var author: String
  /// How the request was made, or anything to remember.
  public var note: String
  /// The disclosure (basis client-request) that fulfilled it, once exported.
  public var fulfilledBy: UInt32?

  /// The day the 30-day limit of 164.524(b)(2) ends.
  public var due: Day { requested.adding(days: 30) }
}
