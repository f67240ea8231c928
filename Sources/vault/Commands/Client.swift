import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault client`: the group of client-record commands.
  struct ClientGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "client",
      abstract: "Add, list, show, update and discharge clients.",
      discussion: """
        Each client gets a short code such as K7F3-2Q when added. Wherever a command takes \
        CLIENT, give the code (case and dash optional) or the start of the client's name; a \
        name that matches several clients is refused and the matches are listed.
        """,
      subcommands: [ClientAdd.self, ClientList.self, ClientShow.self, ClientUpdate.self, ClientDischarge.self])
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

  /// True when any field was given.
  var isEmpty: Bool {
    legalName == nil && preferredName == nil && dateOfBirth == nil && phone == nil && email == nil && address == nil
      && emergencyContact == nil && startDate == nil && field.isEmpty
  }

  /// Applies the given fields; an empty text clears an optional one.
  func apply(to r: inout ClientRecord) throws {
    if let legalName { r.legalName = legalName }
    func set(_ path: WritableKeyPath<ClientRecord, String?>, _ value: String?) {
      if let value { r[keyPath: path] = value.isEmpty ? nil : value }
    }
    set(\.preferredName, preferredName)
    set(\.phone, phone)
    set(\.email, email)
    set(\.address, address)
    set(\.emergencyContact, emergencyContact)
    if let dateOfBirth { r.dateOfBirth = dateOfBirth }
    if let startDate { r.startDate = startDate }
    for f in field {
      guard let eq = f.firstIndex(of: "=") else { throw ValidationError("--field takes key=value, e.g. --field insurance='Acme 123'") }
      let key = String(f[..<eq])
      let value = String(f[f.index(after: eq)...])
      r.fields[key] = value.isEmpty ? nil : value
    }
  }
}
