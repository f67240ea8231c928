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
        each. The code printed (for example K7F3-2Q) is random, never derived from the name; \
        use it, or the start of the name, in every other command.

        EXAMPLES
          vault client add --legal-name 'Maria Garcia' --preferred-name Mia --dob 1990-04-01
          vault client add                      (asks for each field)
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @OptionGroup var fields: ClientFieldOptions

    func run() throws {
      var fields = self.fields
      if fields.legalName == nil { try Self.prompt(&fields) }
      var record = ClientRecord(legalName: "", startDate: Day.today())
      try fields.change.apply(to: &record)
      try record.validate()
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let client = try practice.clients.add(record)
      location.output.emit(client)
      location.output.line("Added client \(client.code) (\(client.displayName)).")
    }

    /// Asks for each field on the terminal; Enter skips an optional one.
    static func prompt(_ f: inout ClientFieldOptions) throws {
      guard isatty(0) == 1 else {
        throw ValidationError("give the client's details with --legal-name and the other options (or run in a terminal to be asked)")
      }
      // Only what the options did not already give is asked.
      func ask(_ label: String, _ current: String?) -> String? {
        guard current == nil else { return current }
        Terminal.writeError("\(label): ")
        guard let line = readLine() else { return nil }
        let t = line.trimmingCharacters(in: .whitespaces)
        return t.isEmpty ? nil : t
      }
      f.legalName = ask("Legal name", nil)
      f.preferredName = ask("Preferred name (optional)", f.preferredName)
      if f.dateOfBirth == nil { f.dateOfBirth = try ask("Date of birth, YYYY-MM-DD (optional)", nil).map(parseDay) }
      f.phone = ask("Phone (optional)", f.phone)
      f.email = ask("E-mail (optional)", f.email)
      f.address = ask("Address (optional)", f.address)
      f.emergencyContact = ask("Emergency contact (optional)", f.emergencyContact)
      if f.startDate == nil { f.startDate = try ask("Start date (default today)", nil).map(parseDay) }
    }
  }
}
