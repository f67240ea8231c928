import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault recovery`: the recovery key.
  struct RecoveryGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "recovery", abstract: "Manage the recovery key.", subcommands: [RecoveryRotate.self])
  }

  /// `vault recovery rotate`: a new recovery key; every earlier one stops working.
  struct RecoveryRotate: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rotate",
      abstract: "Issue a new recovery key and retire the old one.",
      discussion: """
        For a recovery key that was lost, seen by someone, or held by a person who left the \
        practice. Unlocks with your passphrase (or the current recovery key), writes a slot for \
        a new key, records it in the access log, and only then removes the old recovery slots: \
        an interruption never leaves the vault without a recovery key (run it again to finish). \
        The new key is shown once, or written to --recovery-key-out FILE; keep it offline.

        EXAMPLE
          vault recovery rotate --recovery-key-out /media/usb/vault-recovery-key.txt

        EXIT STATUS
          0   rotated    1   FILE exists or cannot be written    3   wrong passphrase    4   busy
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Option(name: .long, help: ArgumentHelp(
      "Write the new recovery key to <file> (created with mode 0600; must not exist) instead of printing it.", valueName: "file"))
    var recoveryKeyOut: String?

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let rotation = try practice.keys.rotateRecoveryKey(savingTo: recoveryKeyOut)
      let out = location.output
      out.emit(rotation)
      let retired = "\(rotation.retired) earlier recovery key\(rotation.retired == 1 ? "" : "s") no longer open\(rotation.retired == 1 ? "s" : "") the vault"
      if let file = rotation.recoveryKeyFile {
        out.line("New recovery key written to \(file); \(retired). Move it offline and delete it from this computer.")
      } else {
        if recoveryKeyOut != nil { out.note("warning: could not write the recovery key to \(recoveryKeyOut ?? ""); it is printed below instead") }
        out.line("New recovery key (shown only this once); \(retired):")
        out.line()
        out.line("    \(rotation.recoveryKey ?? "")")
        out.line()
        out.line("Write it down or print it, and keep it offline, away from this computer.")
      }
    }
  }
}
