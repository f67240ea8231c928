import ArgumentParser
import Foundation
import VaultCore

extension VaultCommand.Log {
  /// `vault log show`: the entries, filtered, as a table or JSON lines.
  struct LogShow: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show",
      abstract: "Show access-log entries (needs the passphrase).",
      discussion: """
        Shows every entry, oldest first, or those matching the filters. Dates are YYYY-MM-DD \
        (UTC) or RFC 3339 times; --until includes its whole day. Reading the log is itself \
        logged.

        EXAMPLES
          vault log show --since 2026-01-01 --action key-change
          vault log show --limit 20 --json

        EXIT STATUS
          0   shown
          3   wrong passphrase or recovery key
          4   the vault is busy
          10  an entry does not decrypt (run 'vault log verify')
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions

    @Option(help: ArgumentHelp("Only entries about this client.", valueName: "client")) var client: String?
    @Option(help: ArgumentHelp("Only entries of this action (e.g. init, verify, key-change).", valueName: "action")) var action: String?
    @Option(help: ArgumentHelp("Only entries by this person (key-slot label) or 'system'.", valueName: "name")) var actor: String?
    @Option(help: ArgumentHelp("Only entries at or after this date.", valueName: "date")) var since: String?
    @Option(help: ArgumentHelp("Only entries on or before this date.", valueName: "date")) var until: String?
    @Option(help: ArgumentHelp("Only the last <n> matching entries.", valueName: "n")) var limit: Int?

    func validate() throws {
      if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
      if let since, LogFilter.date(since, endOfDay: false) == nil { throw ValidationError("--since: '\(since)' is not a date (YYYY-MM-DD)") }
      if let until, LogFilter.date(until, endOfDay: true) == nil { throw ValidationError("--until: '\(until)' is not a date (YYYY-MM-DD)") }
    }

    func run() throws {
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedRead)
      let filter = LogFilter(
        client: client, action: action, actor: actor, since: since.flatMap { LogFilter.date($0, endOfDay: false) },
        until: until.flatMap { LogFilter.date($0, endOfDay: true) })
      // Logged before anything is shown: reading the log is an access like any other.
      try context.record("log-read", detail: filter.summary)
      var shown: [(UInt64, LogEntry)] = []
      var damage: VaultError?
      do {
        try AccessLog(vault: context.vault).entries(unlocked: context.keys) { n, entry in
          guard filter.matches(entry) else { return }
          shown.append((n, entry))
          if let limit, shown.count > limit { shown.removeFirst() }
        }
      } catch let e as VaultError {
        // Show what can be read, then report the damage (exit 10).
        damage = e
      }
      defer { if let damage { context.output.note("error: \(damage.findingsSummary)") } }
      for (n, e) in shown { context.output.emit(NumberedEntry(seq: n, entry: e)) }
      if location.json {
        if damage != nil { throw ExitStatus.Thrown(status: .integrity) }
        return
      }
      context.output.line("   #  TIME                  ACTOR           ACTION            CLIENT      DETAIL")
      for (n, e) in shown {
        let detail = [e.detail, e.reason.map { "reason: \($0)" }].compactMap { $0 }.joined(separator: "; ")
        context.output.line(
          "\(Self.pad(String(n), 4, right: true))  \(Self.pad(e.time, 20))  \(Self.pad(e.actor, 14))  \(Self.pad(e.action, 16))  \(Self.pad(e.client ?? "-", 10))  \(detail)")
      }
      context.output.line("\(shown.count) entr\(shown.count == 1 ? "y" : "ies")")
      if damage != nil { throw ExitStatus.Thrown(status: .integrity) }
    }

    static func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
      let cut = s.count > n ? String(s.prefix(n - 1)) + "…" : s
      let fill = String(repeating: " ", count: max(0, n - cut.count))
      return right ? fill + cut : cut + fill
    }
  }
}

/// One entry with its position, as `--json` prints it.
struct NumberedEntry: Encodable {
  let seq: UInt64
  let entry: LogEntry

  func encode(to encoder: any Encoder) throws {
    try entry.encode(to: encoder)
    var c = encoder.container(keyedBy: Key.self)
    try c.encode(seq, forKey: .seq)
  }

  enum Key: String, CodingKey { case seq }
}

/// The filters of `vault log show`.
struct LogFilter {
  var client: String?
  var action: String?
  var actor: String?
  var since: Date?
  var until: Date?

  func matches(_ e: LogEntry) -> Bool {
    if let client, e.client != client { return false }
    if let action, e.action != action { return false }
    if let actor, e.actor != actor { return false }
    if since != nil || until != nil {
      guard let t = LogEntry.parse(e.time) else { return false }
      if let since, t < since { return false }
      if let until, t > until { return false }
    }
    return true
  }

  var summary: String? {
    let parts = [client.map { "client \($0)" }, action.map { "action \($0)" }, actor.map { "actor \($0)" },
      since.map { "since \(LogEntry.format($0))" }, until.map { "until \(LogEntry.format($0))" }].compactMap { $0 }
    return parts.isEmpty ? nil : parts.joined(separator: ", ")
  }

  /// A YYYY-MM-DD day (UTC; its end when `endOfDay`) or an RFC 3339 time.
  static func date(_ text: String, endOfDay: Bool) -> Date? {
    if let t = LogEntry.parse(text) { return t }
    guard let day = LogEntry.parse(text + "T00:00:00Z") else { return nil }
    return endOfDay ? day.addingTimeInterval(86_399) : day
  }
}
