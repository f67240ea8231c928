import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault note print`: a note on the practice's letterhead, as an HTML page to print.
  struct NotePrint: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "print", abstract: "Write a note on the practice's letterhead as a page to print (HTML).",
      discussion: """
        The page holds the client's name and date of birth, the session date, who wrote and \
        signed the note, its text and addenda, under the practice's name, address and contact \
        ('vault practice set'). Open it in a browser and print it, or save it as PDF from the \
        print dialog. Drafts are marked UNSIGNED DRAFT. Printing is logged like reading the note. \
        The file is outside the vault's protection: delete it when done.

        EXAMPLES
          vault note print K7F3-2Q.3 --out note.html
          vault note print K7F3-2Q.3 --out - | lp          (standard output, to a print queue)
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The note's id, e.g. K7F3-2Q.3.", valueName: "note"), completion: .noteIDs) var note: String
    @Option(name: .long, help: ArgumentHelp("Print version <n> of the text (default: the current one).", valueName: "n")) var version: Int?
    @OptionGroup var page: PageOutput

    func validate() throws { try page.check(json: location.json) }

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .read)
      let page = try practice.printing.note(note, version: version, to: page.target)
      PrintedPageOutput.report(page, to: location.output)
    }
  }

  /// `vault client summary`: a client's record on one printable page.
  struct ClientSummaryPrint: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "summary", abstract: "Write a one-page summary of a client's record to print (HTML).",
      discussion: """
        Details, dates of care, the notes by date and kind (not their text), documents with their \
        status today, and disclosures, under the practice's letterhead ('vault practice set'). \
        Psychotherapy notes are not listed. Logged as an access to the client's record. The file \
        is outside the vault's protection: delete it when done.

        EXAMPLE
          vault client summary K7F3-2Q --out summary.html
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The client's code or the start of their name.", valueName: "client"), completion: .clientCodes) var client: String
    @OptionGroup var page: PageOutput

    func validate() throws { try page.check(json: location.json) }

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .read)
      let page = try practice.printing.summary(client, to: page.target)
      PrintedPageOutput.report(page, to: location.output)
    }
  }
}

/// What the print commands say once the page is written.
enum PrintedPageOutput {
  static func report(_ page: PrintedPage, to output: Output) {
    output.emit(page)
    if page.out != "-" { output.line("Wrote \(page.out): \(page.title) (\(ByteCount.format(UInt64(page.bytes)))). Open it in a browser to print it.") }
  }
}

/// Where a printed page goes: `--out FILE` (`--force` to replace it), or `-` for standard output.
struct PageOutput: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("The HTML file to write ('-': standard output).", valueName: "file")) var out: String
  @Flag(name: .long, help: "Replace an existing file.") var force = false

  var target: DocumentTarget { out == "-" ? .standardOutput(isTerminal: FileStatus.isTerminal(1)) : .file(out, force: force) }

  /// Refuses two things written to standard output.
  func check(json: Bool) throws {
    if out == "-" && json { throw ValidationError("--json and --out - would both write to standard output; choose one") }
  }
}
