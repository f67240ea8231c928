// Verify/ owns `vault verify`: it reports every problem it finds instead of stopping at the
// first, so a damaged vault can be assessed in one run.

/// One problem found while checking a vault.
public struct Finding: Sendable, Equatable, CustomStringConvertible, Codable {
  /// Whether the finding means corruption (error) or something to tidy (warning).
  public enum Severity: String, Sendable, Codable { case error, warning }
  /// Error or warning.
  public let severity: Severity
  /// The file concerned, relative to the vault directory.
  public let path: String
  /// What is wrong, in lowercase words.
  public let message: String

  /// Creates a finding.
  public init(_ severity: Severity, _ path: String, _ message: String) {
    self.severity = severity
    self.path = path
    self.message = message
  }

  /// "path: message"
  public var description: String { "\(path): \(message)" }
}
