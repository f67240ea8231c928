/// What `verify` found (docs/JSON.md, "verify").
public struct VerifyReport: Encodable, Sendable {
  public let ok: Bool
  /// True when the keyed checks ran too.
  public let keyed: Bool
  public let errors: Int
  public let findings: [Finding]

  /// A report of `findings`.
  public init(keyed: Bool, findings: [Finding]) {
    self.keyed = keyed
    self.findings = findings
    errors = findings.filter { $0.severity == .error }.count
    ok = errors == 0
  }
}

/// Checks of the whole vault, and what anyone who can read its directory may count.
public struct Checks {
  let practice: Practice

  /// The format, sizes and key slots (nothing secret, nothing about any client); recorded.
  public func info() throws -> VaultInfo {
    try practice.access(.info) { .init(value: try practice.vault.info()) }
  }

  /// Checks every file (and, when unlocked, every key and object). `earlier`: findings already
  /// made (the damage that stopped an unlock), listed first. The check is recorded when the
  /// vault can take an entry; `recorded` holds the error when it could not (a damaged vault).
  public func vault(earlier: [Finding] = [], progress: @escaping (Int, Int) -> Void = { _, _ in }) throws
    -> (report: VerifyReport, recorded: Error?)
  {
    try practice.authorize(.verify, client: nil)
    practice.signRoutineKeylessEntries()
    var verifier = VaultVerifier(vault: practice.vault)
    verifier.progress = progress
    let checked = try verifier.run(unlocked: practice.unlocked)
    let report = VerifyReport(keyed: practice.unlocked != nil, findings: earlier + checked.filter { !earlier.contains($0) })
    do {
      try practice.record(.verify, detail: report.ok ? "ok" : "\(report.errors) problem(s) found")
      return (report, nil)
    } catch {
      return (report, error)
    }
  }
}
