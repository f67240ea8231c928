import Foundation

/// The clients of a practice: every access to a client's details goes through here.
public struct Clients {
  let practice: Practice

  /// Adds a client with a fresh id, code and key.
  public func add(_ record: ClientRecord) throws -> ClientSummary {
    try practice.access(.clientAdd) {
      let c = try practice.records.addClient(record, author: practice.actor.name, now: practice.now)
      return .init(value: ClientSummary(c), client: c.code, objects: [c.index.records[0].revision.object])
    }
  }

  /// Brings in many clients with their notes in one commit (moving a practice in; benchmarks).
  public func importClients(_ batch: [(record: ClientRecord, notes: [NewNote])]) throws -> [ClientCode] {
    try practice.access(.clientImport) {
      let codes = try practice.records.importClients(batch, author: practice.actor.name, now: practice.now)
      return .init(value: codes, detail: "\(codes.count) client(s), \(batch.reduce(0) { $0 + $1.notes.count }) note(s)")
    }
  }

  /// Writes a new version of the details: `change` applied to the current one; `reopen` clears a discharge.
  public func update(_ query: String, _ change: ClientRecordChange, reopen: Bool = false) throws -> ClientChange {
    let c = try practice.client(query, for: .clientUpdate)
    return try practice.access(.clientUpdate, client: c.code) {
      var record = try practice.records.currentRecord(c)
      change.apply(to: &record)
      if reopen {
        guard record.dischargeDate != nil else { throw RecordError.clientActive(c.code) }
        record.dischargeDate = nil
        record.dischargeReason = nil
      }
      let updated = try practice.records.updateClient(
        c, to: record, change: reopen ? "reopened" : nil, author: practice.actor.name, now: practice.now)
      let version = updated.index.records[updated.index.records.count - 1]
      return .init(
        value: ClientChange(client: ClientSummary(updated), change: version.change, versions: updated.index.records.count, drafts: []),
        objects: [version.revision.object], detail: version.change)
    }
  }

  /// Discharges a client on `day` (not in the future) for `reason`.
  public func discharge(_ query: String, on day: Day, reason: String?) throws -> ClientChange {
    guard day <= Day.today() else { throw RecordError.invalidDate(day.description, "the discharge date is in the future") }
    let c = try practice.client(query, for: .clientDischarge)
    return try practice.access(.clientDischarge, client: c.code) {
      if let on = c.index.dischargeDate { throw RecordError.alreadyDischarged(c.code, on: on) }
      var record = try practice.records.currentRecord(c)
      record.dischargeDate = day
      record.dischargeReason = reason
      let updated = try practice.records.updateClient(c, to: record, change: "discharged", author: practice.actor.name, now: practice.now)
      let drafts = c.index.notes.filter { !$0.isSigned }.map { c.noteID($0.number).description }
      return .init(
        value: ClientChange(client: ClientSummary(updated), change: "discharged", versions: updated.index.records.count, drafts: drafts),
        objects: [updated.index.records[updated.index.records.count - 1].revision.object], detail: "discharged on \(day)")
    }
  }

  /// A client's details as they were in `version` (default: the latest), and their history.
  public func show(_ query: String, version: Int? = nil) throws -> ClientDetails {
    let c = try practice.client(query, for: .clientShow)
    return try practice.access(.clientShow, client: c.code) {
      let versions = c.index.records
      let n = version ?? versions.count
      guard (1...versions.count).contains(n) else {
        throw RecordError.noSuchVersion("client \(c.code)", versions: versions.count)
      }
      let shown = versions[n - 1]
      let today = Day.today()
      let details = ClientDetails(
        client: ClientSummary(c), version: n, record: try practice.records.record(c, shown),
        history: versions.enumerated().map {
          .init(version: $0 + 1, time: LogEntry.format(seconds: $1.revision.time), author: $1.revision.author, change: $1.change)
        },
        validConsents: Set(c.index.consents.filter { $0.status(on: today) == .valid }.map(\.kind.description)).sorted())
      return .init(value: details, objects: [shown.revision.object], detail: "version \(n) of \(versions.count)")
    }
  }

  /// Every client (active only unless `includeDischarged`), in `order`.
  public func list(includeDischarged: Bool, order: ClientOrder = .name) throws -> [ClientSummary] {
    try practice.access(.clientList) {
      var clients = try practice.visibleClients(for: .clientList).filter { includeDischarged || !$0.isDischarged }
      switch order {
      case .name: clients.sort { $0.index.legalName.localizedCaseInsensitiveCompare($1.index.legalName) == .orderedAscending }
      case .code: clients.sort { $0.code < $1.code }
      case .start: clients.sort { $0.index.startDate < $1.index.startDate }
      case .lastSession:
        clients.sort { ($0.index.lastSession ?? Day(daysSinceEpoch: .min)) > ($1.index.lastSession ?? Day(daysSinceEpoch: .min)) }
      }
      return .init(value: clients.map(ClientSummary.init), detail: "\(clients.count) client(s)\(includeDischarged ? ", including discharged" : "")")
    }
  }

  /// The clients an ambiguous name matched, with their names, for a person choosing among them
  /// on a terminal: showing the names is itself recorded.
  public func candidates(for query: String, codes: [ClientCode]) throws -> [ClientSummary] {
    try practice.access(.clientLookup) {
      let found = try practice.records.clients(matching: codes).map(ClientSummary.init)
      return .init(
        value: found,
        detail: "'\(query)' matched \(codes.count) clients; their names were shown: \(codes.map(\.description).joined(separator: ", "))")
    }
  }
}
