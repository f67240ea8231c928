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
    @Option(name: .long, help: ArgumentHelp("How far ahead counts as expiring: 30d, 8w, 90 (days; default 30d).", valueName: "days"))
    var within: DayCount = DayCount(days: 30)

    func run() throws {
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedRead)
      let practice = try context.records.practice()
      let clients = try context.records.allClients()
      let findings = context.records.checkConsents(clients, practice: practice, within: within.days)
      try context.record("consent-check", detail: "\(findings.count) finding(s) for \(clients.filter { !$0.isDischarged }.count) active client(s)")
      context.output.emit(findings.map { f in
        ["client": f.client.code.description, "kind": f.kind.description, "status": f.status.rawValue, "detail": f.detail,
         "consent": f.consent.map { f.client.consentID($0.number).description } ?? ""]
      })
      if practice.forms.isEmpty {
        context.output.note("no practice forms are registered, so no consent is required yet; register them with 'vault form add'")
      }
      for f in findings {
        context.output.line("\(f.client.code)  \(f.status.rawValue.padding(8))  \(f.kind.description.padding(30))  \(f.detail)")
      }
      context.output.line(findings.isEmpty ? "ok: nothing needs attention" : "\(findings.count) item(s) need attention")
      if !findings.isEmpty { throw ExitStatus.Thrown(status: .attention) }
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
}
