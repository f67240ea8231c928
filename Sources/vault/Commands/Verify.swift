import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault verify`: check every file; report every problem; exit 10 if any is an error.
  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check the vault for corruption and tampering.",
      discussion: """
        Checks every file: headers and checksums, every object's content against its name, key \
        slots, file permissions. With the passphrase (the default) it also authenticates the \
        index and config, unwraps every client key and decrypts every object the index \
        references. --keyless skips the keyed checks and needs no passphrase, for unattended jobs.

        Every problem is listed, one per line, on stdout; warnings do not change the exit status.

        EXIT STATUS
          0   no errors found (warnings may have been listed)
          1   no vault
          3   wrong passphrase or recovery key
          4   the vault is busy
          10  corruption or tampering found
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions

    @Flag(name: .long, help: "Skip the checks that need the passphrase.")
    var keyless = false

    func run() throws {
      let practice: Practice
      var unlockFindings: [Finding] = []
      do {
        practice = try CommandContext.open(location, lock: lock, unlock: keyless ? nil : unlock, mode: keyless ? .keyless : .read)
      } catch VaultError.integrity(let found) where !keyless {
        // The damage stopped the unlock: report it, with everything a keyless check can see,
        // instead of sending the user back to the command they just ran.
        location.output.note("the vault is damaged and cannot be unlocked; reporting what the keyless checks find")
        unlockFindings = found
        practice = try CommandContext.open(location, lock: lock, mode: .keyless)
      }
      let (report, unrecorded) = try practice.checks.vault(earlier: unlockFindings, progress: Output.progress("checking objects"))
      let out = location.output
      if let unrecorded {
        // A damaged vault may not take a log entry; the report matters more than its own record.
        out.note("warning: could not record this check in the access log (\(VaultError.from(unrecorded)))")
      }
      out.emit(report)
      for f in report.findings { out.line("\(f.severity == .error ? "error" : "warning"): \(f)") }
      out.line(
        report.ok
          ? "ok: no problems found\(report.keyed ? "" : " (keyless checks only)")\(report.findings.isEmpty ? "" : ", \(report.findings.count) warning(s)")"
          : "\(report.errors) problem(s) found: the vault is damaged or was tampered with; see OPERATIONS.md in the vault documentation (restoring from a copy)")
      if !report.ok { throw ExitStatus.Thrown(status: .integrity) }
    }
  }
}
