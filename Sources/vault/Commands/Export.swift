import ArgumentParser
import Foundation
import VaultCore
import VaultCrypto

extension VaultCommand {
  /// `vault export`: a client's record in one file they can open with standard tools.
  struct ExportGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "export",
      abstract: "Export a client's record for them (ZIP, encrypted with age), and track requests.",
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

        HIPAA 164.514(h): say how the requester's identity was verified \
        (--identity-verified 'photo ID in person'), or give --no-identity-check --reason TEXT, \
        which is flagged in the log. The export is recorded as a disclosure to the client \
        (basis client-request) and fulfils the oldest open request ('vault export pending'). \
        Psychotherapy notes are left out unless --include-psychotherapy-notes.

        EXAMPLES
          vault export K7F3-2Q --out mia-record.age --passphrase --identity-verified 'photo ID in person'
          vault export mia --out record.age --recipient age1… --identity-verified 'known client, video session'
          age -d -o record.zip record.age        (what the client runs)
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The client's code or the start of their name.", valueName: "client")) var client: String
    @Option(name: .long, help: ArgumentHelp("The file to write.", valueName: "file")) var out: String
    @Flag(name: .long, help: "Replace an existing file.") var force = false
    @Option(name: .long, help: ArgumentHelp("Encrypt to this age public key (age1…); repeatable.", valueName: "age1…")) var recipient: [String] = []
    @Flag(name: .long, help: "Encrypt with a generated passphrase, printed once.") var passphrase = false
    @Option(name: .customLong("export-passphrase-file"), help: ArgumentHelp("Encrypt with the passphrase on the first line of <file>.", valueName: "file"))
    var exportPassphraseFile: String?
    @Flag(name: .long, help: "Write the ZIP unencrypted (for a client in the office).") var unencrypted = false
    @Option(name: .long, help: ArgumentHelp("How the requester's identity was verified.", valueName: "method")) var identityVerified: String?
    @Flag(name: .long, help: "Export without verifying identity (needs --reason; flagged in the log).") var noIdentityCheck = false
    @Flag(name: .long, help: "Include psychotherapy notes.") var includePsychotherapyNotes = false
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

    func run() throws {
      guard identityVerified != nil || noIdentityCheck else {
        throw VaultError.invalidArgument(
          "a record may be released only after the requester's identity is verified (HIPAA 164.514(h)); say how with "
            + "--identity-verified 'photo ID in person', or export anyway with --no-identity-check --reason TEXT (flagged in the log); nothing was written")
      }
      var recipients = try recipient.map { try AgeRecipient.parse($0) }
      var generated: String?
      if passphrase {
        generated = try GeneratedPassphrase.make()
        recipients = [.scrypt(try Array(generated!.utf8).withUnsafeBytes { try SecureBytes(copying: $0) }, logN: 18)]
      } else if let exportPassphraseFile {
        let secret = try PassphraseSource.readFile(exportPassphraseFile)
        guard secret.count >= 12 else { throw VaultError.invalidArgument("the export passphrase must have at least 12 characters") }
        recipients = [.scrypt(secret, logN: 18)]
      }
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedWrite)
      let c = try context.client(client)
      var history: [LogEntry] = []
      try AccessLog(vault: context.vault).entries(unlocked: context.keys) { _, e in if e.client == c.code.description { history.append(e) } }
      var options = ExportOptions(
        identityVerification: identityVerified ?? "not verified: \(location.reason ?? "")", identityVerified: identityVerified != nil)
      options.includePsychotherapyNotes = includePsychotherapyNotes
      options.since = since
      options.until = until

      let file = try OutputFile(out, force: force)
      let age = try recipients.isEmpty ? nil : AgeWriter(recipients: recipients) { try file.write($0) }
      let zip = ZipWriter { bytes in if let age { try age.write(bytes) } else { try file.write(bytes) } }
      let summary = try context.records.export(c, options: options, accessHistory: history, to: zip, progress: byteProgress("exporting documents"))
      try age?.finish()

      let protection = unencrypted ? "unencrypted" : passphrase || exportPassphraseFile != nil ? "encrypted with a passphrase" : "encrypted to \(recipients.count) age key(s)"
      let what = "copy of the record: \(summary.notes) note(s), \(summary.documents) document(s)"
        + (includePsychotherapyNotes ? ", psychotherapy notes included" : "") + (since.map { ", notes from \($0)" } ?? "") + (until.map { ", notes until \($0)" } ?? "")
      // The disclosure is recorded while the finished file is still unnamed, and the file gets its
      // name only then: whatever interrupts the command, no export exists unrecorded (at worst a
      // recorded disclosure has no file, and the accounting errs on the side of the client).
      let (_, disclosure, request) = try context.records.recordExport(
        c, what: what, identity: "identity " + (identityVerified.map { "verified: \($0)" } ?? "NOT verified"), requested: requested,
        author: context.author, now: CommandContext.now)
      try context.record(
        "export", client: c.code,
        detail: "\(c.disclosureID(disclosure.number)): \(summary.files.count + 1) files, \(protection); requested \(request.requested); "
          + (identityVerified.map { "identity verified: \($0)" } ?? "FLAGGED: identity not verified"))
      do { try file.commit() } catch {
        throw VaultError.invalidArgument(
          "the export was recorded as disclosure \(c.disclosureID(disclosure.number)), but the file could not be put in place (\(VaultError.from(error))); run the export again (it is recorded again), or correct the accounting with 'vault disclose --corrects \(c.disclosureID(disclosure.number))'")
      }

      context.output.emit(ExportJSON(
        out: out, disclosure: c.disclosureID(disclosure.number).description, requested: request.requested.description, notes: summary.notes,
        documents: summary.documents, psychotherapyNotesLeftOut: summary.psychotherapyNotesLeftOut, protection: protection, passphrase: generated))
      context.output.line("Wrote \(out): \(summary.notes) note(s), \(summary.documents) document(s), \(protection).")
      if summary.psychotherapyNotesLeftOut > 0 {
        context.output.line("\(summary.psychotherapyNotesLeftOut) psychotherapy note(s) left out (--include-psychotherapy-notes to include them).")
      }
      context.output.line("Recorded as disclosure \(c.disclosureID(disclosure.number)) to the client (requested \(request.requested)).")
      if let generated {
        context.output.line("")
        context.output.line("Passphrase (shown only now; give it to the client by another channel than the file):")
        context.output.line("    \(generated)")
        context.output.line("The client opens the file with:  age -d -o record.zip \(URL(fileURLWithPath: out).lastPathComponent)")
      }
    }
  }
}

struct ExportJSON: Encodable {
  let out: String
  let disclosure: String
  let requested: String
  let notes: Int
  let documents: Int
  let psychotherapyNotesLeftOut: Int
  let protection: String
  let passphrase: String?
}
