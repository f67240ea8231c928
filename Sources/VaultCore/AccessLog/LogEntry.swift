// AccessLog/ owns the tamper-evident access log (FORMAT.md §11): encrypted entries in a hash
// chain, and checkpoints signed by the vault's Ed25519 key. It depends on Storage and Keys and
// knows nothing of records.
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One event in the access log: who did what, to which client, when and why.
public struct LogEntry: Codable, Sendable, Equatable {
  /// UTC time, RFC 3339 with seconds ("2026-11-25T21:59:03Z").
  public var time: String
  /// The key-slot label that unlocked, or "system" for a keyless (unattended) command.
  public var actor: String
  /// What happened: init, key-change, verify, info, log-read, log-verify, log-head, backup, ...
  public var action: String
  /// The client concerned, when there is one.
  public var client: String?
  /// Object ids concerned.
  public var objects: [String]?
  /// Why, in the user's words (`--reason`).
  public var reason: String?
  /// A short outcome ("ok", "3 problems found").
  public var detail: String?
  /// The acting practitioner's id (32 hex digits), so that a renamed practitioner's entries stay theirs.
  public var practitioner: String?
  /// Why this entry needs a reviewer's eye (emergency access, the recovery key); `log show --flagged`.
  public var flag: String?

  /// Creates an entry stamped `time`.
  public init(action: String, actor: String, time: Date = Date(), client: String? = nil, objects: [String]? = nil,
    reason: String? = nil, detail: String? = nil)
  {
    self.time = LogEntry.format(time)
    self.actor = actor
    self.action = action
    self.client = client
    self.objects = objects
    self.reason = reason
    self.detail = detail
  }

  /// RFC 3339 UTC with seconds. Built by hand: a date formatter costs more to create than the
  /// rest of a log append.
  public static func format(_ date: Date) -> String {
    // Times can come from a hostile file: out-of-range values are shown, never trapped on.
    let seconds = date.timeIntervalSince1970.rounded(.down)
    guard seconds.isFinite, abs(seconds) < 1e12 else { return "invalid time" }
    var t = time_t(seconds)
    var parts = tm()
    guard gmtime_r(&t, &parts) != nil else { return "invalid time" }
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
  }

  /// `format` of a Unix time in seconds.
  public static func format(seconds: Int64) -> String { format(Date(timeIntervalSince1970: Double(seconds))) }

  /// Parses an RFC 3339 time as written by `format`.
  public static func parse(_ text: String) -> Date? {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.date(from: text)
  }

  /// The actor name of keyless commands.
  public static let system = "system"
  /// The action of the first entry of every log, written when the vault is created.
  public static let initAction = "init"

  /// Compact, key-sorted JSON: the plaintext that gets encrypted.
  func encoded() throws -> [UInt8] {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Array(try e.encode(self))
  }

  static func decode(_ bytes: [UInt8]) throws -> LogEntry {
    try JSONDecoder().decode(LogEntry.self, from: Data(bytes))
  }
}
