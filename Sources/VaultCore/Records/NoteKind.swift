/// What a session note documents. The raw values are format 1 (FORMAT.md §8.2).
public enum NoteKind: UInt8, CaseIterable, Sendable, Codable, CustomStringConvertible {
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

  /// The kind named `name` (as printed by `description`).
  public init?(name: String) {
    guard let k = Self.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
    self = k
  }

  public init(from decoder: any Decoder) throws {
    let name = try decoder.singleValueContainer().decode(String.self)
    guard let k = NoteKind(name: name) else {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown note kind"))
    }
    self = k
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(description)
  }
}
