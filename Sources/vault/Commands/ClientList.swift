import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault client list`: clients with their status and note counts; no note is decrypted.
  struct ClientList: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "List clients (active ones unless --all).")

    /// Sort orders.
    enum Sort: String, ExpressibleByArgument, CaseIterable {
      case name, code, start, lastSession = "last-session"
    }

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions

    @Flag(name: .long, help: "Include discharged clients.") var all = false
    @Option(name: .long, help: ArgumentHelp("Order: name, code, start or last-session.", valueName: "order"))
    var sort: Sort = .name

    func run() throws {
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedRead)
      var clients = try context.records.allClients().filter { all || !$0.isDischarged }
      switch sort {
      case .name: clients.sort { $0.index.legalName.localizedCaseInsensitiveCompare($1.index.legalName) == .orderedAscending }
      case .code: clients.sort { $0.code < $1.code }
      case .start: clients.sort { $0.index.startDate < $1.index.startDate }
      case .lastSession: clients.sort { ($0.index.lastSession ?? Day(daysSinceEpoch: .min)) > ($1.index.lastSession ?? Day(daysSinceEpoch: .min)) }
      }
      try context.record("client-list", detail: "\(clients.count) client(s)\(all ? ", including discharged" : "")")
      context.output.emit(clients.map(ClientJSON.init))
      guard !clients.isEmpty else {
        context.output.line(all ? "No clients yet; add one with 'vault client add'." : "No active clients (see --all).")
        return
      }
      context.output.line("CODE     NAME                            STATUS      START       LAST SESSION  NOTES")
      for c in clients {
        let last = c.index.lastSession?.description ?? "-"
        let notes = c.index.notes.filter { $0.kind != .psychotherapy }.count
        context.output.line(
          "\(c.code)  \(c.displayName.padding(30))  \((c.isDischarged ? "discharged" : "active").padding(10))  \(c.index.startDate)  \(last.padding(12))  \(notes)")
      }
    }
  }
}
