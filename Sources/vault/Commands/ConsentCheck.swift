import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault consent check`: what each active client is missing, for a script or a Monday morning.
  struct ConsentCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "check", abstract: "List missing, expired, expiring, revoked and outdated consents of active clients.",
      discussion: """
        A kind is required once the practice registered a form for it ('vault form add'); \
        releases of information are never required, but one about to expire is listed. \
        "outdated" means signed on an earlier version of the practice's form.

        EXIT STATUS
          0   nothing needs attention
          5   something needs attention (listed)
          1, 3, 4, 10  as for every command
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Option(name: .long, help: ArgumentHelp("How far ahead counts as expiring: 30d, 8w, 90 (days).", valueName: "days"))
    var within: DayCount = DayCount(days: 30)

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .read)
      let report = try practice.consents.check(within: within.days)
      let out = location.output
      out.emit(report.items)
      if !report.formsRegistered { out.note("no practice forms are registered, so no consent is required yet; register them with 'vault form add'") }
      for f in report.items { out.line("\(f.client)  \(f.status.padding(8))  \(f.kind.padding(30))  \(f.detail)") }
      out.line(report.items.isEmpty ? "ok: nothing needs attention" : "\(report.items.count) item(s) need attention")
      if !report.items.isEmpty { throw ExitStatus.Thrown(status: .attention) }
    }
  }
}

/// A number of days: "30", "30d", "8w".
struct DayCount: ExpressibleByArgument {
  let days: Int

  init(days: Int) { self.days = days }

  init?(argument: String) {
    let t = argument.lowercased()
    let (digits, factor) = t.hasSuffix("w") ? (t.dropLast(), 7) : t.hasSuffix("d") ? (t.dropLast(), 1) : (Substring(t), 1)
    guard let n = Int(digits), n >= 0, n <= 3650 else { return nil }
    days = n * factor
  }

  /// As help shows a default: "30d".
  var defaultValueDescription: String { "\(days)d" }
}
