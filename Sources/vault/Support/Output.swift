import Foundation
import VaultCore

/// A JSON value for output that is not worth a Codable type of its own.
enum AnyCodable: Encodable {
  case int(Int), string(String), object([String: AnyCodable])

  func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .int(let v): try c.encode(v)
    case .string(let v): try c.encode(v)
    case .object(let v): try c.encode(v)
    }
  }
}

/// A line of terminal output: its literal text is printed as written, and every interpolated
/// value goes through `TerminalText.escape`, so no stored name, reason, file name or note can
/// forge a row or drive the terminal. A printer cannot pass a bare `String`: stored text gets in
/// only through interpolation, escaped (`multiline:` keeps a note's line feeds and tabs).
struct TerminalLine: ExpressibleByStringInterpolation {
  let text: String

  init(stringLiteral value: String) { text = value }
  init(stringInterpolation: Interpolation) { text = stringInterpolation.text }

  /// Two parts of one line (for lines too long for one literal).
  static func + (lhs: TerminalLine, rhs: TerminalLine) -> TerminalLine { TerminalLine(stringLiteral: lhs.text + rhs.text) }

  /// Builds the line: literals verbatim, values escaped.
  struct Interpolation: StringInterpolationProtocol {
    var text = ""
    init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity * 2) }
    mutating func appendLiteral(_ literal: String) { text += literal }
    /// Any value, shown on one line with every control escaped.
    mutating func appendInterpolation<T>(_ value: T) { text += TerminalText.escape(String(describing: value)) }
    /// Text of several lines (a note's body): line feeds and tabs kept, other controls escaped.
    mutating func appendInterpolation(multiline value: String) { text += TerminalText.escape(value, multiline: true) }
    /// A line built elsewhere is already escaped.
    mutating func appendInterpolation(_ line: TerminalLine) { text += line.text }
  }
}

/// Where command results go: human text or one JSON document on stdout; messages on stderr.
struct Output {
  /// True when --json was given.
  let json: Bool

  /// Prints a line of human output (ignored in JSON mode).
  func line(_ line: TerminalLine = "") {
    guard !json else { return }
    print(line.text)
  }

  /// Prints a whole document whose own format escapes what it holds (an HTML page), in either mode.
  func document(_ text: String) {
    print(text)
  }

  /// Prints `value` as one line of JSON (only in JSON mode).
  func emit<T: Encodable>(_ value: T) {
    guard json else { return }
    print(Self.jsonLine(value))
  }

  /// Prints a note to stderr, in either mode ("vault: " prefix, lowercase).
  func note(_ line: TerminalLine) {
    Terminal.writeError("vault: \(line.text)\n")
  }

  /// A compact, key-sorted JSON encoding.
  static func jsonLine<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(value) else { return "{}" }
    return String(decoding: data, as: UTF8.self)
  }

  /// Set by --quiet: no progress, even on a terminal.
  nonisolated(unsafe) static var quiet = false

  /// Shows "label n/total" on one refreshed stderr line, only when stderr is a terminal (and not --quiet).
  static func progress(_ label: String) -> (Int, Int) -> Void {
    guard Terminal.stderrIsTerminal, !quiet else { return { _, _ in } }
    var last = -1
    return { done, total in
      let pct = total == 0 ? 100 : done * 100 / total
      guard pct != last || done == total else { return }
      last = pct
      Terminal.writeError("\r\(label) \(done)/\(total) (\(pct)%)" + (done == total ? "\r\u{1B}[K" : ""))
    }
  }

  /// Progress in MiB for file streaming.
  static func byteProgress(_ label: String) -> (Int, Int) -> Void {
    let show = progress(label + " (MiB)")
    return { done, total in show(done >> 20, total >> 20) }
  }
}
