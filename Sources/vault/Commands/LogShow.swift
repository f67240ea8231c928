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

        --client takes the client's code or the start of their name, as every command does \
        (names are looked up with the key, which this command needs anyway); a client the \
        vault does not know, or a name that matches several, is refused (exit 1) rather than \
        shown as an empty list.

        EXAMPLES
          vault log show --since 2026-01-01 --action key-change
          vault log show --client K7F3-2Q
          vault log show --limit 20 --json

        EXIT STATUS
          0   shown
          1   no such client, or a name that matches several clients
          3   wrong passphrase or recovery key
          4   the vault is busy
          10  an entry does not decrypt (run 'vault log verify')
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions

    @Option(help: ArgumentHelp("Only entries about this client (code or start of name).", valueName: "client"), completion: .clientCodes) var client: String?
    @Option(help: ArgumentHelp("Only entries of this action (e.g. init, verify, key-change).", valueName: "action")) var action: String?
    @Option(help: ArgumentHelp("Only entries by this person (key-slot label) or 'system'.", valueName: "name")) var actor: String?
    @Option(help: ArgumentHelp(
      "Only entries by this practitioner (a name, or their id), under any name they have had.", valueName: "name")) var practitioner: String?
    @Flag(help: "Only flagged entries: emergency access, and everything done with the recovery key.") var flagged = false
    @Option(help: ArgumentHelp("Only entries at or after this date.", valueName: "date")) var since: String?
    @Option(help: ArgumentHelp("Only entries on or before this date.", valueName: "date")) var until: String?
    @Option(help: ArgumentHelp("Only the last <n> matching entries.", valueName: "n")) var limit: Int?

    func validate() throws {
      if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
      if let since, LogFilter.date(since, endOfDay: false) == nil { throw ValidationError("--since: '\(since)' is not a date (YYYY-MM-DD)") }
      if let until, LogFilter.date(until, endOfDay: true) == nil { throw ValidationError("--until: '\(until)' is not a date (YYYY-MM-DD)") }
    }

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .read)
      let filter = LogFilter(
        client: client, action: action, actor: actor, practitioner: practitioner, flagged: flagged, since: since.flatMap { LogFilter.date($0, endOfDay: false) },
        until: until.flatMap { LogFilter.date($0, endOfDay: true) })
      let listing = try practice.log.show(filter, limit: limit)
      let out = location.output
      // What could be read is shown, then the damage is reported (exit 10).
      defer { if let damage = listing.damage, !out.json { out.note("error: \(damage.findingsSummary)") } }
      out.emit(listing.entries)
      if !out.json {
        out.line("   #  TIME                  ACTOR           ACTION            CLIENT      DETAIL")
        for n in listing.entries {
          let e = n.entry
          let detail = [e.flag.map { "FLAGGED (\($0))" }, e.detail, e.reason.map { "reason: \($0)" }].compactMap { $0 }.joined(separator: "; ")
          out.line(
            "\(Self.pad(String(n.seq), 4, right: true))  \(Self.pad(e.time, 20))  \(Self.pad(e.actor, 14))  \(Self.pad(e.action, 16))  \(Self.pad(e.client ?? "-", 10))  \(detail)")
        }
        out.line("\(listing.entries.count) entr\(listing.entries.count == 1 ? "y" : "ies")")
      }
      // With --json the damage is the JSON error on stderr (docs/JSON.md), after the entries read.
      if let damage = listing.damage { if out.json { throw damage } else { throw ExitStatus.Thrown(status: .integrity) } }
    }

    static func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
      let cut = s.count > n ? String(s.prefix(n - 1)) + "…" : s
      let fill = String(repeating: " ", count: max(0, n - cut.count))
      return right ? fill + cut : cut + fill
    }
  }
}
