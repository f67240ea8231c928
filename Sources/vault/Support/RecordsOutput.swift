import VaultCore

extension NoteSummary {
  /// One line of a note list.
  var listLine: TerminalLine {
    "\(id.padding(10))  \(date)  \(kind.padding(13))  \(status.padding(6))  \(firstLine)\(minutes.map { "  (\($0)m)" } ?? "")"
  }
}

extension String {
  /// Left-aligned in `width` columns (never truncated).
  func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
