import ArgumentParser
import Foundation
import VaultCore

extension VaultCommand {
  /// `vault export request`: the client asked for their record; the 30-day clock starts.
  struct ExportRequest: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "request", abstract: "Record that a client asked for a copy of their record.",
      discussion: "HIPAA 164.524(b)(2) gives 30 days to answer; 'vault export pending' shows what is open and how long is left.")

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The client's code or the start of their name.", valueName: "client"), completion: .clientCodes) var client: String
    @Option(name: .long, help: ArgumentHelp("The day the request was received (default: today).", valueName: "date"), transform: parseDay) var date: Day?
    @Option(name: .long, help: ArgumentHelp("How it was made (\"by e-mail\"), or anything to remember.", valueName: "text")) var note: String?

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let request = try practice.requests.add(client, date: date ?? Day.today(), note: note ?? "")
      location.output.emit(request)
      location.output.line("Recorded the request of \(request.requested); the record is due by \(request.due).")
    }
  }

  /// `vault export pending`: open requests and the days left.
  struct ExportPending: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "pending", abstract: "List requests for records that have no export yet, with the days left.")

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .read)
      let open = try practice.requests.pending()
      location.output.emit(open)
      if open.isEmpty { location.output.line("No open requests.") }
      for r in open {
        let left = r.daysLeft < 0 ? "OVERDUE by \(-r.daysLeft) day(s)" : "\(r.daysLeft) day(s) left"
        location.output.line("\(r.client)  requested \(r.requested)  due \(r.due)  \(left)\(r.note.map { "  (\($0))" } ?? "")")
      }
    }
  }

  /// `vault export open`: decrypt an export (or any age file) to check it.
  struct ExportOpen: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "open", abstract: "Decrypt an age-encrypted export (or any age file) or an HTML export to check it.",
      discussion: """
        Needs no vault. Give the identity file of the age key it was encrypted to (--identity), \
        or the passphrase (--passphrase-file, else asked on the terminal; VAULT_PASSPHRASE_FILE and \
        VAULT_PASSPHRASE_COMMAND are ignored, since they give the vault's passphrase). The output appears only \
        if the whole file decrypted and authenticated. An HTML export (--form html) is opened as \
        its page opens it, and written as a ZIP: index.html, the documents, record.json.

        EXAMPLES
          vault export open mia-record.age --out mia-record.zip && unzip -l mia-record.zip
          vault export open mia-record.html --out check.zip
        """)

    @Argument(help: ArgumentHelp("The .age or .html file.", valueName: "file")) var file: String
    @Option(name: .long, help: ArgumentHelp("Where to write the decrypted file.", valueName: "file")) var out: String
    @Flag(name: .long, help: "Replace an existing file.") var force = false
    @Option(name: .long, help: ArgumentHelp("An age identity file (AGE-SECRET-KEY-1… lines).", valueName: "file")) var identity: String?
    @Option(name: .long, help: ArgumentHelp("Read the passphrase from the first line of <file>.", valueName: "file")) var passphraseFile: String?
    @Flag(name: .long, help: "Print the result as JSON.") var json = false
    @OptionGroup var quiet: QuietOption

    func validate() throws {
      if identity != nil && passphraseFile != nil { throw ValidationError("give --identity or --passphrase-file, not both") }
    }

    func run() throws {
      let key: ExportOpening.Key = identity.map { .identityFile($0) } ?? .passphrase(PassphraseSource(file: passphraseFile, environment: [:]))
      let total: UInt64
      do {
        total = try ExportOpening.decrypt(file, with: key, to: out, force: force)
      } catch VaultError.noPassphraseSource {
        // The vault's passphrase settings are not the export's: say so rather than point to them.
        let env = ProcessInfo.processInfo.environment
        let ignored = ["VAULT_PASSPHRASE_FILE", "VAULT_PASSPHRASE_COMMAND"].filter { env[$0] != nil }
        throw VaultError.passphraseSourceFailed(
          "no terminal to ask for the export's passphrase: give it with --passphrase-file FILE (a file holding the passphrase "
            + "'vault export create' printed), or use --identity FILE for an export encrypted to an age key"
            + (ignored.isEmpty ? "" : "; \(ignored.joined(separator: " and ")) is not used here: it gives the vault's passphrase, not the export's"))
      }
      let output = Output(json: json)
      output.emit(DocumentWritten(id: nil, out: out, bytes: total))
      output.line("Decrypted \(file) to \(out) (\(ByteCount.format(total))).")
    }
  }
}
