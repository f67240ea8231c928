import Foundation

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

/// Where command results go: human text or one JSON document on stdout; messages on stderr.
struct Output {
  /// True when --json was given.
  let json: Bool

  /// Prints a line of human output (ignored in JSON mode).
  func line(_ text: String = "") {
    guard !json else { return }
    print(text)
  }

  /// Prints `value` as one line of JSON (only in JSON mode).
  func emit<T: Encodable>(_ value: T) {
    guard json else { return }
    print(Self.jsonLine(value))
  }

  /// Prints a note to stderr, in either mode ("vault: " prefix, lowercase).
  func note(_ text: String) {
    Terminal.writeError("vault: \(text)\n")
  }

  /// A compact, key-sorted JSON encoding.
  static func jsonLine<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(value) else { return "{}" }
    return String(decoding: data, as: UTF8.self)
  }

  /// Shows "label n/total" on one refreshed stderr line, only when stderr is a terminal.
  static func progress(_ label: String) -> (Int, Int) -> Void {
    guard Terminal.stderrIsTerminal else { return { _, _ in } }
    var last = -1
    return { done, total in
      let pct = total == 0 ? 100 : done * 100 / total
      guard pct != last || done == total else { return }
      last = pct
      Terminal.writeError("\r\(label) \(done)/\(total) (\(pct)%)" + (done == total ? "\r\u{1B}[K" : ""))
    }
  }
}
