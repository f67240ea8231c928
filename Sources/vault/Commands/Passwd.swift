import ArgumentParser
import Foundation
import VaultCore

extension VaultCommand {
  /// `vault passwd`: rewrap one key slot under a new passphrase.
  struct Passwd: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Change the passphrase (or set a new one with the recovery key).",
      discussion: """
        Unlocks with the current passphrase (or --recovery-key-file), then asks for the new \
        passphrase twice. Only that one key slot is rewritten; no record is re-encrypted, and \
        the recovery key keeps working. The old passphrase stops working at once.

        Scripts give the new passphrase with --new-passphrase-file.

        EXAMPLES
          vault passwd
          vault passwd --recovery-key-file /media/usb/key.txt   (forgot it)
          vault passwd --kdf sensitive                          (raise the cost)

        EXIT STATUS
          0   changed
          1   the new passphrase breaks the rule, or is unchanged
          2   usage error
          3   wrong passphrase or recovery key
          4   the vault is busy
          10  integrity failure
        """)
    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions

    @Option(name: .long, help: ArgumentHelp("Read the new passphrase from the first line of <file>.", valueName: "file"))
    var newPassphraseFile: String?

    @Option(name: .long, help: ArgumentHelp(
      "New Argon2id cost for this slot: moderate, sensitive or test (default: keep the current cost).", valueName: "level"))
    var kdf: KDFLevel?

    @Option(name: .long, help: ArgumentHelp(
      "Whose passphrase to change, by key-slot label (needed with --recovery-key-file when several people have one).",
      valueName: "name"))
    var label: String?

    func run() throws {
      let source = PassphraseSource(file: newPassphraseFile, environment: [:])
      let new = try source.readNewOrExplain(option: "--new-passphrase-file")
      // Both passphrases are asked for before the lock is taken.
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let slot = try practice.keys.changePassphrase(to: new, label: label, cost: kdf)
      let out = location.output
      if kdf == .test { out.note("\(KDFLevel.testWarning)") }
      out.emit(slot)
      if kdf == nil {
        out.line("Passphrase changed for key slot '\(slot.label)'. The old passphrase no longer unlocks the vault.")
      } else {
        out.line(
          "Key slot '\(slot.label)' rewrapped with Argon2id \(slot.opsLimit) passes, \(slot.memLimit >> 20) MiB "
            + "(if you typed a new passphrase, the old one no longer unlocks the vault).")
      }
    }
  }
}
