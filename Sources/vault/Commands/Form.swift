import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault form`: the practice's blank forms, which define what `consent check` requires.
  struct FormGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "form", abstract: "Register the practice's current blank consent forms.",
      subcommands: [FormAdd.self, FormList.self])
  }

  /// `vault form add`: a new current version of a kind's blank form.
  struct FormAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add", abstract: "Register the current blank form of a consent kind.",
      discussion: """
        From then on every active client needs a consent of that kind signed on this version \
        (see 'vault consent check'). Earlier versions stay listed.

        EXAMPLE
          vault form add --kind informed-consent --version 2026-01 --file informed-consent-2026-01.pdf
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Option(name: .long, help: ArgumentHelp("The consent kind the form is for.", valueName: "kind")) var kind: ConsentKind
    @Option(name: .long, help: ArgumentHelp("The practice's version label for it.", valueName: "v")) var version: String
    @Option(name: .long, help: ArgumentHelp("The blank form.", valueName: "file")) var file: String

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let form = try practice.consents.addForm(kind: kind, version: version, file: FileSource(path: file))
      location.output.emit(form)
      location.output.line("Registered \(kind) form version '\(version)' (\(form.fileName), \(ByteCount.format(form.size))).")
    }
  }

  /// `vault form list`: every registered form, current ones marked.
  struct FormList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the registered forms.")

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .read)
      let forms = try practice.consents.forms()
      location.output.emit(forms)
      if forms.isEmpty { location.output.line("No forms registered; add one with 'vault form add'.") }
      for f in forms {
        location.output.line("\(f.kind.padding(30))  \(f.version.padding(10))  \(f.current ? "current " : "replaced")  \(f.added)  \(f.fileName)")
      }
    }
  }
}
