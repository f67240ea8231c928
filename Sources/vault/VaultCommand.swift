import ArgumentParser
import VaultCore

/// `vault`: the root command; it only lists the subcommands.
struct VaultCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vault",
    abstract: "An encrypted, tamper-evident record vault for counseling and therapy practices.",
    discussion: """
      Client records, session notes and consent documents are encrypted at rest with \
      libsodium; file names reveal no names, dates or contents.

      Start with 'vault init' to create a vault (default: $XDG_DATA_HOME/vault, or \
      ~/.local/share/vault; choose another with --vault DIR or VAULT_DIR). Commands that \
      read records ask for the passphrase on the terminal, or read it from \
      --passphrase-file, VAULT_PASSPHRASE_FILE or VAULT_PASSPHRASE_COMMAND. A passphrase \
      is never accepted on the command line.

      The shared options (--vault, --passphrase-file, --recovery-key-file, --as, --json, \
      --reason, --wait, --quiet) may also come before the command, for a shell alias: \
      'vault --vault DIR info' is 'vault info --vault DIR'. There, an unlocking option is \
      ignored by a command that never unlocks (as VAULT_PASSPHRASE_FILE is).

      EXIT STATUS
        0   success
        1   general failure (the message says what to do)
        2   usage error (unknown option, missing argument)
        3   wrong passphrase or recovery key; the vault cannot be unlocked
        4   the vault is locked by another vault process (retry, or pass --wait)
        5   'vault consent check' found something that needs attention
        6   refused: your role, or the client's assignment, does not allow it
        10  integrity failure: corruption or tampering was found
      """,
    version: "vault \(VaultVersion.release) (format \(FileHeader.currentVersion))",
    subcommands: [
      Init.self, ClientGroup.self, AddNote.self, NoteGroup.self, Search.self, ConsentGroup.self, FormGroup.self, Disclose.self,
      Disclosures.self, ExportGroup.self, ImportGroup.self, BackupGroup.self, Restore.self, Log.self, Verify.self, Info.self, Passwd.self,
      RecoveryGroup.self, PractitionerGroup.self, PracticeGroup.self, Emergency.self, Unlock.self, Lock.self, Status.self, ScratchGuard.self,
    ]
  )
}

/// The release version printed by `vault --version`.
enum VaultVersion {
  static let release = "0.1.0"
}
