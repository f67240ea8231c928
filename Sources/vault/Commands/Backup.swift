import ArgumentParser
import Foundation
import VaultCore

/// Where the backup repository is.
struct BackupDestination: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The backup repository: a directory (an external disk, a NAS mount), or an S3-compatible bucket, s3:https://HOST/BUCKET/PREFIX (credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or ~/.aws/credentials).",
      valueName: "dest"))
  var to: String

  var path: String { BackupLocation.normalized(to) }
}

extension VaultCommand {
  /// `vault backup`: incremental, keyless copies of the vault.
  struct BackupGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "backup",
      abstract: "Back up the vault (no passphrase needed), list, verify and prune backups.",
      subcommands: [BackupCreate.self, BackupList.self, BackupVerify.self, BackupPrune.self],
      defaultSubcommand: BackupCreate.self)
  }

  /// `vault backup --to DEST`.
  struct BackupCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "create",
      abstract: "Copy the vault into a backup directory (the default 'vault backup --to DEST').",
      discussion: """
        Needs no passphrase: everything copied is already encrypted. Packs the objects DEST \
        lacks into pack files of about 16 MiB (checking each against its name), then writes a \
        snapshot of the vault's files at one moment. A run that is interrupted leaves DEST \
        valid; the next run finishes or cleans up. The vault is locked only while its small \
        files are read.

        DEST may be an S3-compatible bucket (AWS S3, Backblaze B2, Wasabi, MinIO, Garage): \
        s3:https://HOST/BUCKET/PREFIX. The bucket must exist. Credentials come from \
        AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN, AWS_REGION), or \
        from ~/.aws/credentials (AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE); never from the \
        command line. TLS is always verified; plain http:// only to a loopback address.

        EXIT STATUS
          0   backed up
          1   DEST is not writable, not a backup, or another vault's backup; an S3 location
              without credentials or bucket, refused credentials, or a server that failed
          4   another backup or prune holds DEST (or the vault is busy; see --wait)
          10  an object in the vault does not match its name (damage): nothing is copied over it

        EXAMPLE (cron, nightly)
          30 2 * * *  vault backup --to /mnt/backup/vault --quiet || echo 'vault backup failed' | mail -s backup me

        EXAMPLE (off-site, to a bucket)
          AWS_SHARED_CREDENTIALS_FILE=/etc/vault/b2.ini vault backup --to s3:https://s3.us-west-004.backblazeb2.com/practice-backup/vault
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var destination: BackupDestination

    func run() throws {
      let result = try Backups.create(
        vault: location.path, to: destination.path, wait: lock.wait, reason: location.reason,
        progress: Output.progress("copying objects"))
      let out = location.output
      out.emit(result)
      if !location.quiet.quiet {
        out.line(
          "Snapshot \(result.snapshot): \(result.objectsCopied) new object(s) copied (\(ByteCount.format(result.bytesCopied))), "
            + "\(result.objectsPresent) already there, in \(String(format: "%.2f", result.seconds)) s.")
      }
      if result.leftoversReclaimed > 0 {
        out.note("removed \(result.leftoversReclaimed) file(s) an interrupted backup or prune had left in \(destination.path)")
      }
    }
  }

  /// `vault backup list`.
  struct BackupList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the snapshots in a backup directory.")

    @OptionGroup var destination: BackupDestination
    @Flag(name: .long, help: "Print results as JSON.") var json = false
    @OptionGroup var quiet: QuietOption

    func run() throws {
      let (snapshots, damaged) = try Backups.list(destination.path)
      let output = Output(json: json)
      output.emit(snapshots)
      if snapshots.isEmpty { output.line("No snapshots.") }
      for s in snapshots { output.line("\(s.id)  \(s.time)  \(s.objects) objects  \(s.logEntries) log entries") }
      for d in damaged { output.note("snapshot \(d) is damaged; run 'vault backup verify'") }
    }
  }

  /// `vault backup verify`.
  struct BackupVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "verify", abstract: "Check a backup: every copy matches its name and every snapshot is complete.",
      discussion: """
        Keyless by default. --full also restores the latest snapshot into a temporary directory \
        inside DEST and runs the keyed 'vault verify' on it (needs the passphrase): every object \
        decrypts and the access log's chain holds.

        EXIT STATUS
          0   no errors    3   wrong passphrase (--full)    4   busy    10  damage found
        """)

    @OptionGroup var destination: BackupDestination
    @OptionGroup var unlock: UnlockOptions
    @Flag(name: .long, help: "Also decrypt everything in the latest snapshot (needs the passphrase).") var full = false
    @Flag(name: .long, help: "Print results as JSON.") var json = false
    @OptionGroup var quiet: QuietOption

    func run() throws {
      let report = try Backups.verify(
        destination.path, credential: full ? { try CommandContext.credential(unlock) } : nil, progress: Output.progress("checking objects"))
      let output = Output(json: json)
      output.emit(report)
      for f in report.findings { output.line("\(f.severity == .error ? "error" : "warning"): \(f)") }
      output.line(report.ok ? "ok: the backup is intact\(full ? " and decrypts" : "")" : "\(report.errors) problem(s) found in the backup")
      if !report.ok { throw ExitStatus.Thrown(status: .integrity) }
    }
  }

  /// `vault backup prune`.
  struct BackupPrune: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "prune", abstract: "Remove old snapshots by a retention policy, and the copies only they needed.",
      discussion: """
        Keeps the newest snapshot of each of the last N days, ISO weeks, months and years that \
        have one. Then deletes the pack files that hold nothing a kept snapshot needs, and \
        repacks those a quarter or more unneeded (their needed entries are copied into new packs \
        first). Holds the backup's lock, so it never removes what a running backup writes. A \
        backup of the layout before pack files is converted first.

        EXAMPLE
          vault backup prune --to /mnt/backup/vault --keep-daily 7 --keep-weekly 5 --keep-monthly 12 --keep-yearly 7
        """)

    @OptionGroup var destination: BackupDestination
    @Option(name: .long, help: ArgumentHelp("Days to keep one snapshot of.", valueName: "n")) var keepDaily = 0
    @Option(name: .long, help: ArgumentHelp("ISO weeks to keep one snapshot of.", valueName: "n")) var keepWeekly = 0
    @Option(name: .long, help: ArgumentHelp("Months to keep one snapshot of.", valueName: "n")) var keepMonthly = 0
    @Option(name: .long, help: ArgumentHelp("Years to keep one snapshot of.", valueName: "n")) var keepYearly = 0
    @Flag(name: .long, help: "Show what would be removed, remove nothing.") var dryRun = false
    @Flag(name: .long, help: "Print results as JSON.") var json = false
    @OptionGroup var quiet: QuietOption

    func validate() throws {
      if [keepDaily, keepWeekly, keepMonthly, keepYearly].contains(where: { $0 < 0 }) { throw ValidationError("--keep-* values cannot be negative") }
    }

    func run() throws {
      let policy = RetentionPolicy(daily: keepDaily, weekly: keepWeekly, monthly: keepMonthly, yearly: keepYearly)
      let result = try Backups.prune(destination.path, policy: policy, dryRun: dryRun)
      let output = Output(json: json)
      output.emit(result)
      for (id, why) in zip(result.kept, result.reasons) { output.line("keep    \(id)  (\(why.joined(separator: ", ")))") }
      for id in result.removed { output.line("\(dryRun ? "would remove" : "remove ")  \(id)") }
      output.line(
        "\(dryRun ? "Would remove" : "Removed") \(result.removed.count) snapshot(s) and \(result.objectsRemoved) entr\(result.objectsRemoved == 1 ? "y" : "ies") no kept snapshot needs "
          + "(\(result.packsRemoved) pack(s) \(dryRun ? "to delete" : "deleted"), \(result.packsRepacked) \(dryRun ? "to repack" : "repacked")).")
    }
  }

  /// `vault restore`.
  struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Recreate a vault from a backup (latest snapshot unless --snapshot).",
      discussion: """
        Writes a complete vault into DIR, which must not exist (or be empty): vault never \
        overwrites a vault. Needs no passphrase; check the result with 'vault verify --vault DIR'.

        EXAMPLE
          vault restore --from /mnt/backup/vault --to ~/restored-vault && vault verify --vault ~/restored-vault
        """)

    @Option(name: .long, help: ArgumentHelp("The backup repository: a directory or s3:https://HOST/BUCKET/PREFIX.", valueName: "dest")) var from: String
    @Option(name: .long, help: ArgumentHelp("A snapshot id from 'vault backup list'.", valueName: "id")) var snapshot: String?
    @Option(name: .long, help: ArgumentHelp("Where to create the restored vault.", valueName: "dir")) var to: String
    @Flag(name: .long, help: "Print results as JSON.") var json = false
    @OptionGroup var quiet: QuietOption

    func run() throws {
      let target = to.hasPrefix("/") ? to : FileManager.default.currentDirectoryPath + "/" + to
      let restored = try Backups.restore(
        from: BackupLocation.normalized(from), snapshot: snapshot, to: target,
        progress: Output.progress("restoring objects"))
      let output = Output(json: json)
      output.emit(restored)
      output.line("Restored snapshot \(restored.snapshot) (\(restored.time)) to \(target). Check it with: vault verify --vault \(target)")
    }
  }
}
