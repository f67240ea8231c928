import ArgumentParser
import Foundation
import VaultCore

extension VaultCommand {
  /// `vault client add`: a new client, from flags or prompts; prints the client's code.
  struct ClientAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add",
      abstract: "Add a client and print their code.",
      discussion: """
        Give the details as options, or run without --legal-name in a terminal to be asked for \
        each (Enter skips an optional field; an answer that is refused, such as a date not \
        written YYYY-MM-DD, is asked again with the reason; Ctrl-D cancels). The code \
        printed (for example K7F3-2Q) is random, never derived from the name; use it, or the \
        start of the name, in every other command.

        EXAMPLES
          vault client add --legal-name 'Maria Garcia' --preferred-name Mia --dob 1990-04-01
          vault client add                      (asks for each field)
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var fields: ClientFieldOptions

    func run() throws {
      var change = try fields.change
      if fields.legalName == nil { try Self.prompt(&change) }
      var record = ClientRecord(legalName: "", startDate: Day.today())
      change.apply(to: &record)
      try record.validate()
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let client = try practice.clients.add(record)
      location.output.emit(client)
      location.output.line("Added client \(client.code) (\(client.displayName)).")
    }

    /// Asks on the terminal for each field the options did not give (`ClientQuestion`); Enter
    /// skips an optional one, a refused answer is asked again with the reason, and end of input
    /// (Ctrl-D) cancels without adding anything.
    static func prompt(_ change: inout ClientRecordChange) throws {
      guard isatty(0) == 1 else {
        throw ValidationError("give the client's details with --legal-name and the other options (or run in a terminal to be asked)")
      }
      for question in ClientQuestion.all where !question.isAnswered(by: change) {
        while true {
          Terminal.writeError("\(question.prompt): ")
          guard let line = readLine() else {
            Terminal.writeError("\nvault: cancelled: no client was added\n")
            throw ExitStatus.Thrown(status: .failure)
          }
          do {
            try question.accept(line, into: &change)
            break
          } catch {
            Terminal.writeError("  \(error); please try again (Ctrl-D cancels)\n")
          }
        }
      }
    }
  }
}
