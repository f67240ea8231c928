/// What a session note documents. The raw values are format 1 (FORMAT.md §8.2).
public enum NoteKind: UInt8, NamedValue {
  /// A routine session note (the default).
  case progress = 1
  /// The first assessment.
  case intake = 2
  /// A phone call, message or other contact outside a session.
  case contact = 3
  /// The closing summary.
  case termination = 4
  /// HIPAA 45 CFR 164.501 psychotherapy notes: the counselor's own process notes, kept apart
  /// from the record and left out of lists, searches, exports and disclosures unless asked for.
  case psychotherapy = 5

  /// The name used on the command line and in JSON.
  public var description: String {
    switch self {
    case .progress: "progress"
    case .intake: "intake"
    case .contact: "contact"
    case .termination: "termination"
    case .psychotherapy: "psychotherapy"
    }
  }
}

/// An enum that people and JSON output name by its `description`, while files store its raw value.
public protocol NamedValue: CaseIterable, CustomStringConvertible, Sendable {}

extension NamedValue {
  /// The case whose `description` is `name` (case-insensitive).
  public init?(name: String) {
    guard let value = Self.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
    self = value
  }
}
