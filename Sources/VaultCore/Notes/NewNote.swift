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

  /// "50", "50m", "1h30m" as minutes, 1 to 1440; nil otherwise (the rule of `add-note --duration`).
  public static func minutes(parsing text: String) -> UInt16? {
    var total = 0
    var number = ""
    for ch in text.lowercased() where ch != " " {
      if ch.isASCIIDigit {
        number.append(ch)
        guard number.count <= 5 else { return nil }
        continue
      }
      guard let n = Int(number) else { return nil }
      switch ch {
      case "h": total += n * 60
      case "m": total += n
      default: return nil
      }
      number = ""
    }
    if !number.isEmpty { total += Int(number) ?? 100_000 }
    return (1...1440).contains(total) ? UInt16(total) : nil
  }
}
