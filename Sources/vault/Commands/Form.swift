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
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedWrite)
      let form = try context.records.addForm(kind: kind, version: version, FileSource(path: file), author: context.author, now: CommandContext.now)
      try context.record("form-add", objects: [form.file.object], detail: "\(kind) form version '\(version)'")
      context.output.emit(FormJSON(form, current: true))
      context.output.line("Registered \(kind) form version '\(version)' (\(form.file.fileName), \(byteCount(form.file.size))).")
    }
  }

  /// `vault form list`: every registered form, current ones marked.
  struct FormList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the registered forms.")

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions

    func run() throws {
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedRead)
      let practice = try context.records.practice()
      try context.record("form-list", detail: "\(practice.forms.count) form(s)")
      let current = practice.currentForms
      context.output.emit(practice.forms.map { FormJSON($0, current: current[$0.kind] == $0) })
      if practice.forms.isEmpty { context.output.line("No forms registered; add one with 'vault form add'.") }
      for f in practice.forms {
        context.output.line(
          "\(f.kind.description.padding(30))  \(f.version.padding(10))  \(current[f.kind] == f ? "current " : "replaced")  \(LogEntry.format(seconds: f.file.time))  \(f.file.fileName)")
      }
    }
  }
}

struct FormJSON: Encodable {
  let kind: String
  let version: String
  let current: Bool
  let fileName: String
  let mediaType: String
  let size: UInt64
  let added: String

  init(_ f: PracticeForm, current: Bool) {
    kind = f.kind.description
    version = f.version
    self.current = current
    fileName = f.file.fileName
    mediaType = f.file.mediaType
    size = f.file.size
    added = LogEntry.format(seconds: f.file.time)
  }
}
