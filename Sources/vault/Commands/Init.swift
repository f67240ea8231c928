import ArgumentParser
import Foundation
import VaultCore

extension VaultCommand {
  /// `vault init`: create a vault with a passphrase slot and a recovery-key slot.
  struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Create a new, empty vault.",
      discussion: """
        Asks for a passphrase twice (at least \(PassphrasePolicy.minimumLength) characters; a few \
        unrelated words work well), or reads it from --passphrase-file, VAULT_PASSPHRASE_FILE or \
        VAULT_PASSPHRASE_COMMAND. Then it creates a recovery key, adds it as a second way to \
        unlock the vault, and prints it once: write it down and keep it offline (a safe, not \
        this computer). Without the passphrase or the recovery key the records cannot be recovered.

        The directory must not exist yet, or be empty.

        EXAMPLES
          vault init
          vault init --vault /srv/vault --recovery-key-out /media/usb/key.txt

        EXIT STATUS
          0  created
          1  the directory exists or is not empty, or the passphrase breaks the rule
          2  usage error
          3  no passphrase could be read
        """)

    @OptionGroup var location: VaultOptions

    @Option(name: .long, help: ArgumentHelp(
      "Read the new passphrase from the first line of <file> (also: VAULT_PASSPHRASE_FILE, VAULT_PASSPHRASE_COMMAND).",
      valueName: "file"))
    var passphraseFile: String?

    @Option(name: .long, help: ArgumentHelp(
      "Argon2id cost: moderate (default, ~256 MiB), sensitive (~1 GiB), or test (tiny; only for tests and demos).",
      valueName: "level"))
    var kdf: KDFLevel = .moderate

    @Option(name: .long, help: ArgumentHelp(
      "Name of the person this passphrase belongs to, stored unencrypted in the key slot (default: $USER).", valueName: "name"))
    var label: String?

    @Option(name: .long, help: ArgumentHelp(
      "Write the recovery key to <file> (created with mode 0600; must not exist) instead of printing it.",
      valueName: "file"))
    var recoveryKeyOut: String?

    func validate() throws {
      if let label, label.isEmpty || label.utf8.count > KeySlot.maxLabelBytes {
        throw ValidationError("--label must be 1 to \(KeySlot.maxLabelBytes) bytes long")
      }
    }

    func run() throws {
      let output = location.output
      let path = location.path
      if location.isDefaultPath { try UserDirectories.createParents(of: path) }
      // Refuse an existing vault before asking for a passphrase the user would type for nothing.
      try Vault.checkCanCreate(at: path)
      let passphrase = try PassphraseSource(file: passphraseFile).readNew(prompt: "New vault passphrase: ")
      // The key file is created (O_EXCL) before the vault, so a bad path fails while nothing
      // exists yet, instead of leaving a vault whose recovery key was never saved.
      let keyFile = try recoveryKeyOut.map { try PrivateFile(creating: $0) }
      let user = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty || $0.utf8.count > KeySlot.maxLabelBytes ? nil : $0 }
      let owner = label ?? user ?? "owner"
      let created: Vault.Creation
      do {
        created = try Vault.create(at: path, passphrase: passphrase, label: owner, cost: kdf, reason: location.reason)
      } catch {
        keyFile?.discard()
        throw error
      }
      let recovery = try created.recoveryKey.encoded()
      var savedTo: String?
      if let keyFile {
        do {
          try keyFile.finish(writing: recovery + "\n")
          savedTo = keyFile.path
        } catch {
          output.note("warning: could not write the recovery key to \(keyFile.path) (\(error)); it is printed below instead")
        }
      }
      let vault = created.vault.vault
      output.emit(InitResult(
        path: vault.layout.root, vaultID: vault.config.vaultID.hex, formatVersion: Int(FileHeader.currentVersion),
        kdf: kdf.rawValue, recoveryKey: savedTo == nil ? recovery : nil, recoveryKeyFile: savedTo))
      output.line("Created vault at \(vault.layout.root) (format \(FileHeader.currentVersion), key slot '\(owner)').")
      if kdf == .test { output.note("\(KDFLevel.testWarning)") }
      if let out = savedTo {
        output.line("The recovery key was written to \(out). Move it offline (print it, or keep the USB stick in a safe) and delete it from this computer.")
      } else if !location.json {
        output.line("""

          RECOVERY KEY (shown only this once):

              \(recovery)

          Write it down or print it, and keep it offline, away from this computer. It unlocks the
          vault if the passphrase is forgotten: 'vault passwd --recovery-key-file FILE' sets a new one.
          """)
      }
    }
  }
}

extension KDFLevel: ExpressibleByArgument {}

struct InitResult: Encodable {
  /// The vault directory ("path", as in `info`).
  let path: String
  let vaultID: String
  let formatVersion: Int
  let kdf: String
  let recoveryKey: String?
  let recoveryKeyFile: String?
}
