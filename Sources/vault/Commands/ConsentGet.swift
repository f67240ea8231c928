import ArgumentParser
import Foundation
import VaultCore

#if canImport(Glibc)
  import Glibc
#endif

extension VaultCommand {
  /// `vault consent get`: decrypt a stored document to a file the user names.
  struct ConsentGet: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "get", abstract: "Decrypt a consent document to a file (or '-' for standard output).",
      discussion: """
        The file appears only once the whole document decrypted and checked out; an existing \
        file is replaced only with --force, and a symbolic link never. The decrypted copy is \
        outside the vault's protection: delete it when done.

        EXAMPLE
          vault consent get K7F3-2Q.C2 --out ~/Desktop/consent.pdf
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The consent's id, e.g. K7F3-2Q.C2.", valueName: "id")) var id: String
    @Option(name: .long, help: ArgumentHelp("Where to write the document ('-': standard output).", valueName: "file")) var out: String
    @Flag(name: .long, help: "Replace an existing file.") var force = false

    func validate() throws {
      if out == "-" && location.json { throw ValidationError("--json and --out - would both write to standard output; choose one") }
    }

    func run() throws {
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedRead)
      let (c, e) = try context.consent(id)
      let target = out == "-" ? nil : try OutputFile(out, force: force)
      if target == nil, isatty(1) == 1, e.file.mediaType != "text/plain" {
        throw VaultError.invalidArgument("standard output is a terminal and \(c.consentID(e.number)) is \(e.file.mediaType); give --out FILE")
      }
      // Logged before any byte leaves the vault.
      try context.record("consent-get", client: c.code, objects: [e.file.object], detail: "\(c.consentID(e.number)) to \(target == nil ? "standard output" : "a file")")
      let progress = byteProgress("decrypting")
      var done = 0
      try context.records.readConsent(e, of: c) { chunk in
        if let target { try target.write(chunk) } else { try OutputFile.writeAll(1, chunk, what: "standard output") }
        done += chunk.count
        progress(done, Int(e.file.size))
      }
      try target?.commit()
      context.output.emit(["id": c.consentID(e.number).description, "out": out, "bytes": String(e.file.size)])
      if target != nil { context.output.line("Wrote \(out) (\(byteCount(e.file.size)), \(e.file.mediaType)).") }
    }
  }
}
