import ArgumentParser
import Foundation
import VaultCore

/// Where a note's text comes from: --file, else standard input when it is not a terminal,
/// else the editor (also with --edit).
struct NoteTextOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("Read the text from <file> ('-' for standard input).", valueName: "file"))
  var file: String?

  @Flag(name: .long, help: "Write the text in $VISUAL or $EDITOR, even when standard input is not a terminal.")
  var edit = false

  @Option(name: .long, help: ArgumentHelp(
    "Pre-fill the editor with section headings: soap, dap, birp, or a file of your own.", valueName: "name"))
  var template: String?

  func validate() throws {
    if file != nil && edit { throw ValidationError("--file and --edit are alternatives; give one") }
    if template != nil && file != nil { throw ValidationError("--template pre-fills the editor; it cannot be used with --file") }
  }

  /// --template without --edit while standard input is not a terminal: what to do instead.
  private var templateNeedsEditor: String {
    let headings = template.flatMap { NoteTemplate(rawValue: $0.lowercased()) }.map {
      " (the \($0.rawValue) headings: \($0.text.split(separator: "\n").joined(separator: " ")))"
    }
    let instead = "write the note in a file\(headings ?? "") and give it with --file FILE or on standard input, without --template"
    guard Terminal.isAvailable else {
      return "--template pre-fills the editor, but there is no terminal here (standard input is not one either); "
        + "\(instead), or add --edit with $VISUAL set to an editor that needs no terminal"
    }
    return "--template pre-fills the editor, but standard input is not a terminal, so the text would be read from it: "
      + "add --edit to write in the editor on this terminal, or \(instead)"
  }

  /// True when the text will come from the editor.
  var usesEditor: Bool { edit || (file == nil && FileStatus.isTerminal(0)) }

  /// Text given without the editor (file or standard input), validated; nil if the editor is needed.
  func readGiven() throws -> String? {
    guard !usesEditor else { return nil }
    if template != nil {
      throw ValidationError(templateNeedsEditor)
    }
    let (bytes, source) = try file.map { $0 == "-" ? (try InputFile.read(fd: 0, what: "standard input"), "standard input") : (try InputFile.read(path: $0), $0) }
      ?? (try InputFile.read(fd: 0, what: "standard input"), "standard input")
    return try NoteText.validate(bytes, source: source)
  }

  /// Opens the editor on `current` (or the template) and passes the saved text to `save`. If
  /// that fails (the vault busy, the text not UTF-8, the client discharged meanwhile…) on a
  /// terminal, the person is asked whether to edit again or discard: typed text is never lost
  /// to an error found after the editor closed. Without a terminal the error is thrown.
  /// - Throws: `RecordError.emptyNote` for an empty text or an untouched template, and
  ///   `.nothingChanged` for an unchanged `current`: both mean the person chose not to write.
  func editThenSave(current: String? = nil, save: (String) throws -> Void) throws {
    let template = try templateText()
    try EditorSession.session(current ?? template ?? "") { edit in
      // Bounded, so a terminal that keeps answering with end-of-file cannot loop forever.
      for attempt in 1... {
        let bytes = try edit()
        do {
          return try save(NoteTemplate.edited(bytes, template: template, current: current))
        } catch RecordError.emptyNote(let why) {
          throw RecordError.emptyNote(why)
        } catch RecordError.nothingChanged(let why) {
          throw RecordError.nothingChanged(why)
        } catch {
          guard attempt < 20, Terminal.askToEditAgain(after: VaultError.from(error)) else { throw error }
        }
      }
      throw VaultError.internalError("the edit loop ended without a result")
    }
  }

  private func templateText() throws -> String? {
    guard let template else { return nil }
    if let builtIn = NoteTemplate(rawValue: template.lowercased()) { return builtIn.text }
    let bytes = try InputFile.read(path: template)
    guard let text = String(validating: bytes, as: UTF8.self) else { throw RecordError.notUTF8(source: template, offset: 0) }
    return text
  }
}

/// Parses "50", "50m", "1h", "1h30m" into minutes (at most 24 hours).
struct Minutes: ExpressibleByArgument {
  let value: UInt16

  init?(argument: String) {
    guard let minutes = NewNote.minutes(parsing: argument) else { return nil }
    value = minutes
  }

  static var defaultCompletionKind: CompletionKind { .default }
}

/// Parses a date option ("2026-11-25", "today", "yesterday") with a message that says what is wrong.
func parseDay(_ text: String) throws -> Day {
  do { return try Day.parse(text) } catch { throw ValidationError(error.description) }
}

/// Kinds and bases are typed by name on the command line, and help lists the names.
extension ExpressibleByArgument where Self: NamedValue & RawRepresentable, RawValue == UInt8 {
  public init?(argument: String) { self.init(name: argument) }
  public static var allValueStrings: [String] { allCases.map(\.description) }
}

extension NoteKind: ExpressibleByArgument {}
