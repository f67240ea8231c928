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
          0 no errors found; 1 no vault; 3 wrong passphrase; 4 vault busy;
          10 corruption or tampering found
        """)

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Skip the checks that need the passphrase.")
    var keyless = false

    func run() throws {
      let context = try CommandContext.open(global, access: keyless ? .keyless : .unlockedRead)
      var verifier = VaultVerifier(vault: context.vault)
      verifier.progress = Output.progress("checking objects")
      let findings = try verifier.run(unlocked: context.unlocked)
      let errors = findings.filter { $0.severity == .error }.count
      context.output.emit(VerifyResult(ok: errors == 0, keyed: !keyless, errors: errors, findings: findings))
      for f in findings { context.output.line("\(f.severity == .error ? "error" : "warning"): \(f)") }
      context.output.line(
        errors == 0
          ? "ok: no problems found\(keyless ? " (keyless checks only)" : "")\(findings.isEmpty ? "" : ", \(findings.count) warning(s)")"
          : "\(errors) problem(s) found: the vault is damaged or was tampered with; see docs/OPERATIONS.md to restore from a backup")
      if errors > 0 { throw ExitStatus.Thrown(status: .integrity) }
    }
  }
}

struct VerifyResult: Encodable {
  let ok: Bool
  let keyed: Bool
  let errors: Int
  let findings: [Finding]
}
