import ArgumentParser
import Foundation
import VaultCore

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
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .read)
      let target: DocumentTarget = out == "-" ? .standardOutput(isTerminal: FileStatus.isTerminal(1)) : .file(out, force: force)
      let c = try practice.consents.get(id, to: target, progress: Output.byteProgress("decrypting"))
      location.output.emit(DocumentWritten(id: c.id, out: out, bytes: c.size))
      if out != "-" { location.output.line("Wrote \(out) (\(ByteCount.format(c.size)), \(c.mediaType)).") }
    }
  }
}
