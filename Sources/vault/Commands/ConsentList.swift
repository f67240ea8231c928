import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault consent list`: consents with their status, from the client indexes alone.
  struct ConsentList: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "List consent documents: id, kind, signed, expires, status, file.",
      discussion: "Without CLIENT, lists every client's consents.")

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The client's code or the start of their name (default: all clients).", valueName: "client"))
    var client: String?

    func run() throws {
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedRead)
      let clients = try client.map { [try context.client($0)] } ?? context.records.allClients()
      let rows = clients.flatMap { c in c.index.consents.map { (c, $0) } }
      try context.record(
        "consent-list", client: client == nil ? nil : clients.first?.code,
        detail: "\(rows.count) consent(s)\(client == nil ? " of \(clients.count) client(s)" : "")")
      context.output.emit(rows.map { ConsentJSON($1, of: $0) })
      if rows.isEmpty { context.output.line("No consent documents.") }
      let today = Day.today()
      for (c, e) in rows {
        context.output.line(
          "\(c.consentID(e.number).description.padding(11))  \(e.kind.description.padding(30))  signed \(e.signed?.description ?? "-         ")  expires \(e.expires?.description ?? "-         ")  \(e.status(on: today).rawValue.padding(7))  \(e.file.fileName)")
      }
    }
  }

  /// `vault consent show`: one consent's metadata and history.
  struct ConsentShow: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show", abstract: "Show a consent's details and history (not the document; see 'consent get').")

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The consent's id, e.g. K7F3-2Q.C2.", valueName: "id")) var id: String

    func run() throws {
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedRead)
      let (c, e) = try context.consent(id)
      try context.record("consent-show", client: c.code, detail: "\(c.consentID(e.number))")
      let j = ConsentJSON(e, of: c)
      context.output.emit(j)
      let out = context.output
      out.line("Consent \(j.id) — \(c.displayName)")
      let rows: [(String, String?)] = [
        ("Kind", j.kind), ("Status", j.status), ("Signed", j.signed), ("Expires", j.expires), ("Form version", j.formVersion),
        ("Recipient", j.recipient), ("Recipient address", j.recipientAddress), ("May disclose", j.information), ("Purpose", j.purpose),
        ("Note", j.note), ("File", "\(j.fileName) (\(j.mediaType), \(byteCount(j.size)))"), ("Added", "\(j.added) by \(j.addedBy)"),
      ]
      for (label, value) in rows { if let value { out.line("  \((label + ":").padding(19)) \(value)") } }
      for ev in e.events {
        out.line("  Revoked:            \(ev.date) (recorded \(LogEntry.format(seconds: ev.time)) by \(ev.author)); reason: \(ev.reason)")
      }
    }
  }
}
