/// A note brought in with its client (`Clients.importClients`).
public struct NewNote: Sendable {
  /// The text.
  public var text: String
  /// What it documents.
  public var kind: NoteKind
  /// Session date.
  public var date: Day
  /// Length in minutes (0: not recorded).
  public var minutes: UInt16
  /// Signed at import.
  public var signed: Bool

  /// Creates a note to import.
  public init(text: String, kind: NoteKind, date: Day, minutes: UInt16, signed: Bool) {
    self.text = text
    self.kind = kind
    self.date = date
    self.minutes = minutes
    self.signed = signed
  }
}
