/// Rules for the text of a note or addendum: UTF-8, not empty, at most 16 MiB.
public enum NoteText {
  /// The largest note vault accepts; larger files belong in documents.
  public static let maximumBytes = 16 << 20

  /// The text of `bytes`, or why it cannot be a note. `source` names where it came from
  /// ("note.txt", "standard input", "the editor") for the message.
  public static func validate(_ bytes: [UInt8], source: String) throws(RecordError) -> String {
    guard bytes.count <= maximumBytes else { throw .noteTooLarge(source: source, limit: maximumBytes) }
    // Refused rather than repaired: a replacement character would silently change a record.
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw .notUTF8(source: source, offset: firstInvalidOffset(bytes))
    }
    guard !text.trimmingSpaces().isEmpty else { throw .emptyNote("the note from \(source) is empty") }
    return text
  }

  /// The first line with content, trimmed and cut to 120 characters: what lists show. A bare
  /// section heading ("Subjective:") is skipped, or every SOAP note would list the same line.
  public static func firstLine(_ text: String) -> String {
    let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
    let isHeading = { (l: String) in l.hasSuffix(":") && !l.dropLast().contains(" ") }
    let line = lines.first { !isHeading($0) } ?? lines.first ?? ""
    // At most 120 characters and 400 bytes (the client index's bound, FORMAT.md §8.2).
    var cut = line.count > 120 ? String(line.prefix(119)) : line
    while cut.utf8.count > 396 { cut.removeLast() }
    return cut == line ? line : cut + "…"
  }

  static func firstInvalidOffset(_ bytes: [UInt8]) -> Int {
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    while case .valid(let scalar) = parser.parseScalar(from: &iterator) { offset += scalar.count }
    return offset
  }
}

/// Section headings that pre-fill the editor for a new note.
public enum NoteTemplate: String, CaseIterable, Sendable {
  /// Subjective, Objective, Assessment, Plan.
  case soap
  /// Data, Assessment, Plan.
  case dap
  /// Behavior, Intervention, Response, Plan.
  case birp

  /// The template's text: headings and blank lines.
  public var text: String {
    let headings: [String] =
      switch self {
      case .soap: ["Subjective:", "Objective:", "Assessment:", "Plan:"]
      case .dap: ["Data:", "Assessment:", "Plan:"]
      case .birp: ["Behavior:", "Intervention:", "Response:", "Plan:"]
      }
    return headings.map { "\($0)\n\n" }.joined()
  }

  /// True when `text` is `template` with nothing written into it (whitespace aside).
  public static func isUnchanged(_ text: String, from template: String) -> Bool {
    func words(_ s: String) -> [Substring] { s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0.isNewline }) }
    return words(text) == words(template)
  }

  /// The text an editor saved, validated: a template left unchanged is an empty note, and an
  /// edit of `current` that changed nothing is nothing to save (both: the person chose not to write).
  public static func edited(_ bytes: [UInt8], template: String?, current: String?) throws -> String {
    let text = try NoteText.validate(bytes, source: "the editor's text")
    if current == nil, let template, isUnchanged(text, from: template) { throw RecordError.emptyNote("the template was left unchanged") }
    if let current, text.utf8.elementsEqual(current.utf8) { throw RecordError.nothingChanged("the text was not changed") }
    return text
  }
}
