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
        with the last checkpoint. Each problem names the first entry concerned: a deleted or \
        edited entry is reported once, followed by the number of later entries that no \
        longer chain because of it. Entries after the last checkpoint (appended without the \
        key) are reported as unsigned.

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
      if head != nil && against != nil { throw ValidationError("give --head or --against, not both") }
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .read)
      let saved: LogRoom.SavedHead? = head.map { .head($0) } ?? against.map { .backup(BackupLocation.normalized($0)) }
      let (report, snapshot, unrecorded) = try practice.log.verify(against: saved)
      let out = location.output
      if let snapshot { out.note("checked against snapshot \(snapshot.id) (\(snapshot.logCount) log entries)") }
      let errors = report.findings.filter { $0.severity == .error }.count
      out.emit(report)
      for f in report.findings { out.line("\(f.severity == .error ? "error" : "warning"): \(f.message)") }
      out.line("\(report.entries) entries, \(report.checkpoints) checkpoints, \(report.unsigned) unsigned; head \(report.head)")
      out.line(errors == 0 ? "ok: the log is intact" : "\(errors) problem(s): the log was tampered with or damaged")
      if unrecorded != nil {
        // The problems above are why; repeating "run vault log verify" would send the user in a circle.
        out.note("this check could not be recorded in the log because of the problems above; see OPERATIONS.md (restoring from a copy)")
      }
      if errors > 0 { throw ExitStatus.Thrown(status: .integrity) }
    }
  }
}
