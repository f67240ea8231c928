import ArgumentParser
import Foundation
import VaultCore

extension VaultCommand {
  /// `vault export`: a client's record in one file they can open with standard tools.
  struct ExportGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "export",
      abstract: "Export a client's record for them (a web page they open in any browser, or age), and track requests.",
      subcommands: [ExportCreate.self, ExportRequest.self, ExportPending.self, ExportOpen.self],
      defaultSubcommand: ExportCreate.self)
  }

  /// `vault export CLIENT --out FILE`.
  struct ExportCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "create",
      abstract: "Write a client's record to one file (the default 'vault export CLIENT').",
      discussion: """
        The file is a ZIP holding index.html (the whole record, readable and printable, no \
        scripts), record.json (the same, machine-readable), the notes as text files, the signed \
        consent documents under their original names, and manifest.sha256. It is encrypted in \
        the age format, which the free 'age' tool opens: to the client's age public key \
        (--recipient age1…), or with a passphrase (--passphrase generates one to give the client \
        by another channel; --export-passphrase-file uses yours). --unencrypted must be said explicitly.

        --form html (the default for an --out ending in .html or .htm) writes one web page \
        instead, which the client opens offline in any current browser, phone or computer, \
        with the passphrase: it shows the record and offers the documents to save. It needs \
        --passphrase or --export-passphrase-file, and holds at most 200 MiB of documents.

        HIPAA 164.514(h): say how the requester's identity was verified \
        (--identity-verified 'photo ID in person'), or give --no-identity-check --reason TEXT, \
        which is flagged in the log. The export is recorded as a disclosure to the client \
        (basis client-request) and fulfils the oldest open request ('vault export pending'). \
        Psychotherapy notes are left out unless --include-psychotherapy-notes, unsigned drafts \
        unless --include-drafts; the record tells the client what was left out and why. The \
        practice's name, address and contact head the record, and times are in its time zone \
        ('vault practice set').

        EXAMPLES
          vault export mia --out mia-record.html --passphrase --identity-verified 'photo ID in person'
          vault export K7F3-2Q --out mia-record.age --passphrase --identity-verified 'photo ID in person'
          vault export mia --out record.age --recipient age1… --identity-verified 'known client, video session'
          age -d -o record.zip record.age        (what the client runs)
          vault export mia --out mia-record.html --passphrase --identity-verified 'photo ID in person'
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The client's code or the start of their name.", valueName: "client"), completion: .clientCodes) var client: String
    @Option(name: .long, help: ArgumentHelp("The file to write.", valueName: "file")) var out: String
    @Flag(name: .long, help: "Replace an existing file.") var force = false
    @Option(name: .long, help: ArgumentHelp("Encrypt to this age public key (age1…); repeatable.", valueName: "age1…")) var recipient: [String] = []
    @Flag(name: .long, help: "Encrypt with a generated passphrase, printed once.") var passphrase = false
    @Option(name: .customLong("export-passphrase-file"), help: ArgumentHelp("Encrypt with the passphrase on the first line of <file>.", valueName: "file"))
    var exportPassphraseFile: String?
    @Flag(name: .long, help: "Write the ZIP unencrypted (for a client in the office).") var unencrypted = false
    @Option(name: .long, help: ArgumentHelp("age (a ZIP in age) or html (a page that decrypts itself in a browser); default: html for an --out ending in .html or .htm, else age.", valueName: "form"))
    var form: String?
    @Option(name: .long, help: ArgumentHelp("How the requester's identity was verified.", valueName: "method")) var identityVerified: String?
    @Flag(name: .long, help: "Export without verifying identity (needs --reason; flagged in the log).") var noIdentityCheck = false
    @Flag(name: .long, help: "Include psychotherapy notes.") var includePsychotherapyNotes = false
    @Flag(name: .long, help: "Include unsigned draft notes (left out by default: not yet part of the record).") var includeDrafts = false
    @Option(name: .long, help: ArgumentHelp("Only notes from this date.", valueName: "date"), transform: parseDay) var since: Day?
    @Option(name: .long, help: ArgumentHelp("Only notes up to this date.", valueName: "date"), transform: parseDay) var until: Day?
    @Option(name: .long, help: ArgumentHelp("The day the client asked (default: their open request, else today).", valueName: "date"), transform: parseDay)
    var requested: Day?

    func validate() throws {
      let ways = [!recipient.isEmpty, passphrase || exportPassphraseFile != nil, unencrypted].filter { $0 }.count
      guard ways == 1 else {
        throw ValidationError("choose how to protect the file: --recipient age1…, --passphrase (or --export-passphrase-file FILE), or --unencrypted")
      }
      if passphrase && exportPassphraseFile != nil { throw ValidationError("--passphrase generates one; --export-passphrase-file uses yours: give one of them") }
      if let form, ExportForm(rawValue: form) == nil { throw ValidationError("--form is age or html, not '\(form)'") }
      if chosenForm == .html && (!recipient.isEmpty || unencrypted) {
        throw ValidationError((form == nil ? "an --out ending in .html or .htm means --form html, which" : "--form html") + " opens with a passphrase: give --passphrase (or --export-passphrase-file FILE), or use --form age for --\(unencrypted ? "unencrypted" : "recipient")")
      }
      if noIdentityCheck && identityVerified != nil { throw ValidationError("--identity-verified and --no-identity-check contradict each other") }
      if noIdentityCheck && location.reason == nil { throw ValidationError("--no-identity-check needs --reason TEXT: why the identity was not verified") }
      if let identityVerified {
        do { try ClientRecord.checkText(identityVerified, field: "--identity-verified method", required: true) } catch {
          throw ValidationError(error.description)
        }
      }
      if let requested, requested > Day.today() { throw ValidationError("--requested \(requested) is in the future") }
      if let since, let until, until < since { throw ValidationError("--until is before --since") }
    }

    /// --form, else what --out's name says.
    var chosenForm: ExportForm { form.flatMap(ExportForm.init(rawValue:)) ?? ExportForm.inferred(from: out) }

    func run() throws {
      var protection = ExportProtection.recipients(recipient)
      if unencrypted { protection = .unencrypted }
      if passphrase { protection = .generatedPassphrase }
      if let exportPassphraseFile { protection = .passphraseFile(exportPassphraseFile) }
      var request = ExportPlan(out: out, protection: protection)
      request.force = force
      request.form = chosenForm
      request.identityVerified = identityVerified
      request.skipIdentityCheck = noIdentityCheck
      request.includePsychotherapyNotes = includePsychotherapyNotes
      request.includeDrafts = includeDrafts
      request.since = since
      request.until = until
      request.requested = requested
      // The practice's rules are checked, and the export's keys read, before the passphrase is asked.
      let prepared = try request.prepare(reason: location.reason)
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let result = try practice.requests.export(client, prepared, progress: Output.byteProgress("exporting documents"))
      let output = location.output
      output.emit(result)
      output.line("Wrote \(out): \(result.notes) note(s), \(result.documents) document(s), \(result.protectionText).")
      if result.psychotherapyNotesLeftOut > 0 {
        output.line("\(result.psychotherapyNotesLeftOut) psychotherapy note(s) left out (--include-psychotherapy-notes to include them).")
      }
      if result.draftsLeftOut > 0 {
        output.line("\(result.draftsLeftOut) unsigned draft(s) left out (sign them first, or --include-drafts).")
      }
      output.line("Recorded as disclosure \(result.disclosure) to the client (requested \(result.requested)).")
      if let generated = result.passphrase {
        output.line("")
        output.line("Passphrase (shown only now; give it to the client by another channel than the file):")
        output.line("    \(generated)")
      }
      if result.form == ExportForm.html.rawValue {
        output.line("The client opens \(URL(fileURLWithPath: out).lastPathComponent) in any web browser (phone or computer, no internet needed) and types the passphrase.")
      } else if result.passphrase != nil {
        output.line("The client opens the file with:  age -d -o record.zip \(URL(fileURLWithPath: out).lastPathComponent)")
      }
    }
  }
}
