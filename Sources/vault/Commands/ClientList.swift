import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault client list`: clients with their status and note counts; no note is decrypted.
  struct ClientList: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "List clients (active ones unless --all).")

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions

    @Flag(name: .long, help: "Include discharged clients.") var all = false
    @Option(name: .long, help: ArgumentHelp("Order: name, code, start or last-session.", valueName: "order"))
    var sort: ClientOrder = .name

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .read)
      let clients = try practice.clients.list(includeDischarged: all, order: sort)
      let out = location.output
      out.emit(clients)
      guard !clients.isEmpty else {
        out.line(all ? "No clients yet; add one with 'vault client add'." : "No active clients (see --all).")
        return
      }
      out.line("CODE     NAME                            STATUS      START       LAST SESSION  NOTES")
      for c in clients {
        out.line("\(c.code)  \(c.displayName.padding(30))  \(c.status.padding(10))  \(c.startDate)  \((c.lastSession ?? "-").padding(12))  \(c.notes)")
      }
    }
  }
}

extension ClientOrder: ExpressibleByArgument {}
