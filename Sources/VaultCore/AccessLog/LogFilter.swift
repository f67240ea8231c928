import Foundation

/// Which entries `log show` lists: by client, action, actor, practitioner, flag and time.
public struct LogFilter: Sendable {
  public var client: String?
  public var action: String?
  public var actor: String?
  /// A practitioner's name: their entries under any name they had (by id), or under this name.
  public var practitioner: String?
  /// Only flagged entries (emergency access, the recovery key).
  public var flagged: Bool
  public var since: Date?
  public var until: Date?
  /// The id of `practitioner`, set by the log room from the registry.
  var practitionerID: String?

  /// A filter; nil fields match everything. Dates: see `date(_:endOfDay:)`.
  public init(
    client: String? = nil, action: String? = nil, actor: String? = nil, practitioner: String? = nil, flagged: Bool = false, since: Date? = nil,
    until: Date? = nil
  ) {
    self.client = client
    self.action = action
    self.actor = actor
    self.practitioner = practitioner
    self.flagged = flagged
    self.since = since
    self.until = until
  }

  /// True if `e` passes every filter.
  public func matches(_ e: LogEntry) -> Bool {
    if let client, e.client != client { return false }
    if let action, e.action != action { return false }
    if let actor, e.actor != actor { return false }
    // By id (from the registry, or typed: a removed practitioner's stays in `practitioner list --json` of a backup), else by name.
    if let practitioner, !(practitionerID.map { e.practitioner == $0 } ?? false), e.practitioner != practitioner.lowercased(),
      e.actor.lowercased() != practitioner.lowercased()
    {
      return false
    }
    if flagged, e.flag == nil { return false }
    if since != nil || until != nil {
      guard let t = LogEntry.parse(e.time) else { return false }
      if let since, t < since { return false }
      if let until, t > until { return false }
    }
    return true
  }

  /// "client K7F3-2Q, since …", recorded with the read (nil: no filter).
  public var summary: String? {
    let parts = [
      client.map { "client \($0)" }, action.map { "action \($0)" }, actor.map { "actor \($0)" },
      practitioner.map { "practitioner \($0)" }, flagged ? "flagged" : nil,
      since.map { "since \(LogEntry.format($0))" }, until.map { "until \(LogEntry.format($0))" },
    ].compactMap { $0 }
    return parts.isEmpty ? nil : parts.joined(separator: ", ")
  }

  /// A YYYY-MM-DD day (UTC; its end when `endOfDay`) or an RFC 3339 time.
  public static func date(_ text: String, endOfDay: Bool) -> Date? {
    if let t = LogEntry.parse(text) { return t }
    guard let day = LogEntry.parse(text + "T00:00:00Z") else { return nil }
    return endOfDay ? day.addingTimeInterval(86_399) : day
  }
}

/// One entry with its position, as `log show --json` prints it (docs/JSON.md, "log entry").
public struct NumberedEntry: Encodable, Sendable {
  public let seq: UInt64
  public let entry: LogEntry

  public func encode(to encoder: any Encoder) throws {
    try entry.encode(to: encoder)
    var c = encoder.container(keyedBy: Key.self)
    try c.encode(seq, forKey: .seq)
  }

  enum Key: String, CodingKey { case seq }
}

/// What `log show` found: the entries it could read, and the damage that stopped it, if any.
public struct LogListing: Sendable {
  public let entries: [NumberedEntry]
  /// Set when an entry could not be read: the entries before it are listed.
  public let damage: VaultError?
}
