import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault client`: the group of client-record commands.
  struct ClientGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "client",
      abstract: "Add, list, show, summarize, update and discharge clients.",
      discussion: """
        Each client gets a short code such as K7F3-2Q when added. Wherever a command takes \
        CLIENT, give the code (case and dash optional) or the start of the client's name; a \
        name that matches several clients is refused and the matches are listed.
        """,
      subcommands: [ClientAdd.self, ClientList.self, ClientShow.self, ClientSummaryPrint.self, ClientUpdate.self, ClientDischarge.self, ClientAssign.self, ClientUnassign.self])
  }
}

/// The demographic fields, shared by `client add` and `client update`.
struct ClientFieldOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("Name on legal documents.", valueName: "name")) var legalName: String?
  @Option(name: .long, help: ArgumentHelp("Name the client goes by.", valueName: "name")) var preferredName: String?
  @Option(name: .customLong("dob"), help: ArgumentHelp("Date of birth (YYYY-MM-DD).", valueName: "date"), transform: parseDay)
  var dateOfBirth: Day?
  @Option(name: .long, help: ArgumentHelp("Phone number.", valueName: "text")) var phone: String?
  @Option(name: .long, help: ArgumentHelp("E-mail address.", valueName: "text")) var email: String?
  @Option(name: .long, help: ArgumentHelp("Postal address.", valueName: "text")) var address: String?
  @Option(name: .long, help: ArgumentHelp("Emergency contact: name, relation, phone.", valueName: "text")) var emergencyContact: String?
  @Option(name: .long, help: ArgumentHelp("First day of care (default: today).", valueName: "date"), transform: parseDay)
  var startDate: Day?
  @Option(name: .long, help: ArgumentHelp(
    "A field of your own, e.g. --field insurance='Acme 123'; repeatable; an empty value removes it.", valueName: "key=value"))
  var field: [String] = []

  /// The change these options describe.
  var change: ClientRecordChange {
    get throws {
      var c = ClientRecordChange()
      (c.legalName, c.preferredName, c.dateOfBirth, c.phone, c.email) = (legalName, preferredName, dateOfBirth, phone, email)
      (c.address, c.emergencyContact, c.startDate) = (address, emergencyContact, startDate)
      for f in field {
        guard let eq = f.firstIndex(of: "=") else { throw ValidationError("--field takes key=value, e.g. --field insurance='Acme 123'") }
        c.fields[String(f[..<eq])] = String(f[f.index(after: eq)...])
      }
      return c
    }
  }
}
