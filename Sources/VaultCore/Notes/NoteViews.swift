/// A note's metadata as lists and `--json` show it (docs/JSON.md, "note").
public struct NoteSummary: Encodable, Sendable, Equatable {
  public let id: String
  public let client: String
  public let date: String
  public let kind: String
  public let minutes: Int?
  public let status: String
  public let signedBy: String?
  public let signedAt: String?
  public let firstLine: String
  public let versions: Int
  public let addenda: Int
  public let created: String

  init(_ n: NoteEntry, of c: Client) {
    id = c.noteID(n.number).description
    client = c.code.description
    date = n.date.description
    kind = n.kind.description
    minutes = n.minutes == 0 ? nil : Int(n.minutes)
    status = n.isSigned ? "signed" : "draft"
    signedBy = n.signature?.signer
    signedAt = n.signature.map { LogEntry.format(seconds: $0.time) }
    firstLine = n.firstLine
    versions = n.versions.count
    addenda = n.addenda.count
    created = LogEntry.format(seconds: n.versions[0].time)
  }

  /// True once signed.
  public var isSigned: Bool { signedBy != nil }

  /// "signed by ana on 2026-11-25T…Z" or "draft".
  public var statusText: String { signedBy.map { "signed by \($0) on \(signedAt ?? "")" } ?? "draft" }
}

/// One version of a note with its addenda, as `note show` prints it.
public struct NoteView: Encodable, Sendable {
  /// An addendum and its text.
  public struct Addendum: Encodable, Sendable {
    public let time: String
    public let author: String
    public let reason: String
    public let text: String
  }

  public let note: NoteSummary
  /// The version shown (1 is the first).
  public let version: Int
  public let text: String
  public let addenda: [Addendum]
  /// The client's display name (not in JSON: the note's client code is).
  public let clientName: String
  /// Who wrote the version shown, and when (not in JSON: `note.created` and the history have it).
  public let writtenBy: String, writtenAt: String

  enum CodingKeys: String, CodingKey { case note, version, text, addenda }
}

/// Notes that `Notes.list` found, and how many psychotherapy notes it kept apart.
public struct NoteListing: Sendable {
  public let notes: [NoteSummary]
  /// Psychotherapy notes left out because the filter did not ask for them.
  public let psychotherapyNotesLeftOut: Int
}

/// A note whose text matched a search (docs/JSON.md, "search").
public struct SearchResult: Encodable, Sendable {
  public let note: NoteSummary
  public let matches: Int
  public let snippet: String
}

/// A draft's current text, opened for editing, and the version it is.
public struct NoteDraft: Sendable {
  public let text: String
  /// The version the edit starts from: saving refuses if another replaced it meanwhile.
  public let basedOn: ObjectID
}

/// A change to a draft note; nil fields stay as they are.
public struct NoteChange: Sendable {
  public var text: String?
  public var kind: NoteKind?
  public var date: Day?
  public var minutes: UInt16?

  /// A change of the given fields.
  public init(text: String? = nil, kind: NoteKind? = nil, date: Day? = nil, minutes: UInt16? = nil) {
    self.text = text
    self.kind = kind
    self.date = date
    self.minutes = minutes
  }
}
