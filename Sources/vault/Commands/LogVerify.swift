import ArgumentParser
import VaultCore

extension VaultCommand.Log {
  /// `vault log verify`: recompute the chain, check every checkpoint, decrypt every entry.
  struct LogVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "verify",
      abstract: "Check that the access log was not edited, truncated or rolled back.",
      discussion: """
        Recomputes the hash chain over every entry, checks the signature of every checkpoint \
        and that the log still reaches each one, decrypts every entry, and compares the index \
        with the last checkpoint. Each problem names the first entry concerned. Entries after \
        the last checkpoint (appended without the key) are reported as unsigned.

        With --head, also checks that a head you saved earlier ('vault log head') is still \
        part of the log: a log rolled back to an older copy, or rewritten, no longer contains it.

        EXIT STATUS
          0   no problems (warnings may have been listed)
          3   wrong passphrase or recovery key
          4   the vault is busy
          10  the log was tampered with or damaged
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions

    @Option(help: ArgumentHelp("A head saved earlier with 'vault log head' (64 hex digits).", valueName: "hash"))
    var head: String?

    @Option(help: ArgumentHelp(
      "A backup directory: the log must still contain the head its latest snapshot recorded (detects a vault rolled back to before that backup).",
      valueName: "dir"))
    var against: String?

    func validate() throws {
      if let head, head.utf8.count != 64 || Hex.decode(head) == nil {
        throw ValidationError("--head must be the 64 hex digits printed by 'vault log head'")
      }
    }

    func run() throws {
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedRead)
      if head != nil && against != nil { throw ValidationError("give --head or --against, not both") }
      var saved = head?.lowercased()
      if let against {
        let (repo, owner) = try BackupRepository.open(against)
        guard owner == context.vault.config.vaultID else { throw BackupError.otherVault(against) }
        guard let latest = try repo.latestSnapshot() else { throw BackupError.noSnapshots }
        saved = latest.logHead
        context.output.note("checking against snapshot \(latest.id) (\(latest.logCount) log entries)")
      }
      let report = try LogVerifier(log: AccessLog(vault: context.vault)).run(unlocked: context.unlocked, savedHead: saved)
      let errors = report.findings.filter { $0.severity == .error }.count
      context.output.emit(report)
      for f in report.findings { context.output.line("\(f.severity == .error ? "error" : "warning"): \(f.message)") }
      context.output.line(
        "\(report.entries) entries, \(report.checkpoints) checkpoints, \(report.unsigned) unsigned; head \(report.head)")
      context.output.line(errors == 0 ? "ok: the log is intact" : "\(errors) problem(s): the log was tampered with or damaged")
      do {
        try context.record("log-verify", detail: errors == 0 ? "ok" : "\(errors) problem(s) found")
      } catch {
        // The problems above are why; repeating "run vault log verify" would send the user in a circle.
        context.output.note("this check could not be recorded in the log because of the problems above; see OPERATIONS.md (restoring from a copy)")
        if errors == 0 { throw error }
      }
      if errors > 0 { throw ExitStatus.Thrown(status: .integrity) }
    }
  }
}
