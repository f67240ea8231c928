/// The access log, by `LogVerifier` (its chain, checkpoints and, keyed, every entry), and that
/// it still starts with the vault's own init entry.
struct AccessLogCheck: VaultCheck {
  let name = "access log"

  func check(_ context: VaultCheckContext, _ findings: inout [Finding]) throws {
    do {
      let log = AccessLog(vault: context.vault)
      let report = try LogVerifier(log: log).run(unlocked: context.unlocked)
      findings += report.findings
      // Vault.create writes the first entry: a log without it lost its start, or all of it.
      if report.entries == 0 {
        findings.append(Finding(.error, "log", "the access log is empty or missing: every vault's log starts with its init entry, so it was deleted"))
      } else if let unlocked = context.unlocked, let first = try? log.firstEntry(unlocked: unlocked),
        first.action != LogEntry.initAction || first.actor == LogEntry.system
      {
        // Init is always written with the key; a keyless "init" is a forged start.
        findings.append(Finding(.error, "log", "entry 1 is not the vault's own init entry: the start of the log was deleted or replaced"))
      }
    } catch {
      findings.append(Finding(.error, "log", "the access log cannot be read: \(VaultError.from(error))"))
    }
  }
}
