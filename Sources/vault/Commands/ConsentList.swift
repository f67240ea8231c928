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
    @Argument(help: ArgumentHelp("The client's code or the start of their name (default: all clients).", valueName: "client"), completion: .clientCodes)
    var client: String?

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .read)
      let rows = try practice.consents.list(client: client)
      location.output.emit(rows)
      if rows.isEmpty { location.output.line("No consent documents.") }
      for e in rows {
        location.output.line(
          "\(e.id.padding(11))  \(e.kind.padding(30))  signed \(e.signed ?? "-         ")  expires \(e.expires ?? "-         ")  \(e.status.padding(7))  \(e.fileName)")
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
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .read)
      let j = try practice.consents.show(id)
      let out = location.output
      out.emit(j)
      out.line("Consent \(j.id) — \(j.clientName)")
      let rows: [(String, String?)] = [
        ("Kind", j.kind), ("Status", j.status), ("Signed", j.signed), ("Expires", j.expires), ("Form version", j.formVersion),
        ("Recipient", j.recipient), ("Recipient address", j.recipientAddress), ("May disclose", j.information), ("Purpose", j.purpose),
        ("Note", j.note), ("File", "\(j.fileName) (\(j.mediaType), \(ByteCount.format(j.size)))"), ("Added", "\(j.added) by \(j.addedBy)"),
      ]
      for (label, value) in rows { if let value { out.line("  \((label + ":").padding(19)) \(value)") } }
      for ev in j.events { out.line("  Revoked:            \(ev.date) (recorded \(ev.recorded) by \(ev.author)); reason: \(ev.reason)") }
    }
  }
}
