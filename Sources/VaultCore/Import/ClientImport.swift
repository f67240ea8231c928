/// The columns of a clients CSV file (`vault import clients`, OPERATIONS.md "Moving in from
/// another system"): a header row names them, in any order; names are compared without case,
/// and a space or '-' counts as '_'.
public enum ClientColumn: Hashable, Sendable, CustomStringConvertible {
  case legalName, preferredName, dateOfBirth, phone, email, address, emergencyContact, startDate
  /// `field:NAME`: a field of the practice's own (`client add --field NAME=VALUE`).
  case field(String)

  /// The documented names, in the order help lists them.
  public static let standard: [(name: String, column: ClientColumn)] = [
    ("legal_name", .legalName), ("preferred_name", .preferredName), ("date_of_birth", .dateOfBirth), ("phone", .phone), ("email", .email),
    ("address", .address), ("emergency_contact", .emergencyContact), ("start_date", .startDate),
  ]
  /// Other spellings accepted: the command line's own option name.
  static let aliases: [String: ClientColumn] = ["dob": .dateOfBirth]

  /// The column a header cell names, or nil.
  public init?(header: String) {
    let trimmed = header.trimmingSpaces()
    if trimmed.lowercased().hasPrefix("field:") {
      let name = String(trimmed.dropFirst("field:".count)).trimmingSpaces()
      guard ClientRecord.isFieldName(name) else { return nil }
      self = .field(name)
      return
    }
    let key = String(trimmed.lowercased().map { $0 == " " || $0 == "-" ? "_" : $0 })
    guard let column = Self.standard.first(where: { $0.name == key })?.column ?? Self.aliases[key] else { return nil }
    self = column
  }

  /// The documented name ("legal_name", "field:insurance").
  public var description: String {
    if case .field(let name) = self { return "field:\(name)" }
    return Self.standard.first { $0.column == self }?.name ?? "?"
  }

  /// Every name a header may use, for messages and help.
  public static var known: String { standard.map(\.name).joined(separator: ", ") + ", and field:NAME for a field of your own" }
}

/// One client a CSV import adds (or, in a dry run, would add).
public struct ImportedClient: Encodable, Sendable, Equatable {
  /// The row of the file (header = 1).
  public let row: Int
  /// The new client's code (nil in a dry run: codes are drawn when the client is written).
  public let code: String?
  /// The legal name, as the row gives it.
  public let legalName: String
}

/// What `Clients.importCSV` did or would do.
public struct ClientImportReport: Encodable, Sendable {
  /// True when nothing was to be written.
  public let dryRun: Bool
  /// Data rows read (blank lines not counted).
  public let rows: Int
  /// Rows refused, in file order (several problems of one row are listed one by one).
  public let refused: [ImportProblem]
  /// Rows imported (codes set), or that would be (dry run, or refused: codes nil).
  public let clients: [ImportedClient]
  /// True when the clients were written.
  public var imported: Bool { !dryRun && refused.isEmpty }
  /// How many rows were refused (a row with two problems counts once).
  public var refusedRows: Int { Set(refused.compactMap(\.row)).count }

  enum CodingKeys: String, CodingKey { case dryRun, rows, refused, clients }
}

/// A clients CSV file checked row by row, nothing written.
struct ClientImportPlan {
  var rows = 0
  var refused: [ImportProblem] = []
  var accepted: [(row: Int, line: Int, record: ClientRecord)] = []

  /// Reads `bytes` (the file `source`): file-wide problems throw, row problems are collected.
  init(_ bytes: [UInt8], source: String, today: Day) throws(RecordError) {
    guard bytes.count <= ImportLimits.maxFileBytes else {
      throw .importInvalid(source: source, why: "it is larger than \(ImportLimits.maxFileBytes >> 20) MiB; split it into smaller files and import each")
    }
    // Room for every row allowed, as many blank lines, and the header: more is refused unread.
    let limit = 2 * ImportLimits.maxRows + 2
    let records = CSV.parse(try CSV.utf8Text(bytes, source: source), limit: limit)
    guard records.count < limit else {
      throw .importInvalid(source: source, why: "it has more than \(ImportLimits.maxRows) rows; at most \(ImportLimits.maxRows) are imported at once: split the file")
    }
    guard let header = records.first(where: { !$0.isBlank }) else {
      throw .importInvalid(source: source, why: "it is empty; the first line must name the columns, e.g. legal_name,date_of_birth,phone")
    }
    if let problem = header.problem { throw .importInvalid(source: source, why: "its header (row \(header.row)) cannot be read: \(problem)") }
    var columns: [ClientColumn] = []
    var unknown: [String] = []
    for (i, cell) in header.fields.enumerated() {
      guard let column = ClientColumn(header: cell) else {
        unknown.append(cell.trimmingSpaces().isEmpty ? "(column \(i + 1) has no name)" : "'\(cell)'")
        continue
      }
      if columns.contains(column) { throw .importInvalid(source: source, why: "the header names the column \(column) twice") }
      columns.append(column)
    }
    guard unknown.isEmpty else {
      throw .importInvalid(source: source, why: "the header has unknown columns \(unknown.joined(separator: ", ")); the columns are \(ClientColumn.known)")
    }
    guard columns.contains(.legalName) else {
      throw .importInvalid(source: source, why: "the header has no legal_name column, which every client needs; the columns are \(ClientColumn.known)")
    }
    let data = records.filter { $0.row > header.row && !$0.isBlank }
    guard !data.isEmpty else { throw .importInvalid(source: source, why: "it has a header but no clients") }
    guard data.count <= ImportLimits.maxRows else {
      throw .importInvalid(source: source, why: "it has \(data.count) rows; at most \(ImportLimits.maxRows) are imported at once: split the file")
    }
    rows = data.count
    for r in data {
      switch Self.record(r, columns: columns, today: today) {
      case .success(let record): accepted.append((r.row, r.line, record))
      case .failure(let problems): refused += problems.list
      }
    }
  }

  /// The record a row describes, or every problem found in it.
  static func record(_ r: CSV.Record, columns: [ClientColumn], today: Day) -> Result<ClientRecord, Problems> {
    if let problem = r.problem { return .failure(Problems([ImportProblem(row: r.row, line: r.line, problem)])) }
    guard r.fields.count == columns.count else {
      return .failure(Problems([ImportProblem(
        row: r.row, line: r.line, "the row has \(r.fields.count) field(s) and the header \(columns.count); every row needs one per column (empty is fine)")]))
    }
    var record = ClientRecord(legalName: "", startDate: today)
    var problems: [ImportProblem] = []
    for (column, raw) in zip(columns, r.fields) {
      let value = raw.trimmingSpaces()
      func fail(_ message: String) { problems.append(ImportProblem(row: r.row, line: r.line, field: column.description, message)) }
      do throws(RecordError) {
        switch column {
        case .legalName:
          try ClientRecord.checkText(value, field: "legal name", required: true)
          record.legalName = value
        case .dateOfBirth, .startDate:
          guard !value.isEmpty else { continue }
          let shape = RecordError.invalidDate(value, "write dates as YYYY-MM-DD, for example 1990-04-01")
          guard value.first?.isASCIIDigit == true else { throw shape }
          let day: Day
          do { day = try Day.parse(value, today: today) } catch {
            // Day.parse also offers 'today', which a file does not take.
            if case .invalidDate(_, let why) = error, why.contains("'today'") { throw shape }
            throw error
          }
          if column == .dateOfBirth { record.dateOfBirth = day } else { record.startDate = day }
        case .field(let name):
          guard !value.isEmpty else { continue }
          try ClientRecord.checkText(value, field: "field '\(name)'", required: true)
          record.fields[name] = value
        default:
          guard !value.isEmpty, let path = ClientRecord.textFields.first(where: { $0.name == column.description.replacingUnderscores })?.path else {
            continue
          }
          try ClientRecord.checkText(value, field: column.description, required: false)
          record[keyPath: path] = value
        }
      } catch {
        fail(error.description)
      }
    }
    guard problems.isEmpty else { return .failure(Problems(problems)) }
    // What only the whole record can tell (a start before the birth, a birth in the future).
    do throws(RecordError) { try record.validate(today: today) } catch {
      return .failure(Problems([ImportProblem(row: r.row, line: r.line, error.description)]))
    }
    return .success(record)
  }

  /// Refuses rows that look like a client already in the vault or an earlier row: the same
  /// legal name (case, accents and spacing aside) and date of birth (both missing counts as the same).
  mutating func refuseDuplicates(of existing: [(code: ClientCode, record: ClientRecord)]) {
    var seen: [String: String] = [:]
    for e in existing { seen[Self.duplicateKey(e.record)] = "client \(e.code)" }
    var kept: [(row: Int, line: Int, record: ClientRecord)] = []
    for a in accepted {
      let key = Self.duplicateKey(a.record)
      if let earlier = seen[key] {
        refused.append(ImportProblem(
          row: a.row, line: a.line,
          "possible duplicate: the same legal name and date of birth as \(earlier); leave the row out, or give --allow-duplicates if they are different people"))
      } else {
        seen[key] = "row \(a.row)"
        kept.append(a)
      }
    }
    accepted = kept
    refused.sort { ($0.row ?? 0) < ($1.row ?? 0) }
  }

  static func duplicateKey(_ r: ClientRecord) -> String { Records.nameKey(r.legalName) + "\u{0}" + (r.dateOfBirth?.description ?? "") }

  /// A row's problems, as a `Result` failure.
  struct Problems: Error, Sendable {
    let list: [ImportProblem]
    init(_ list: [ImportProblem]) { self.list = list }
  }
}

extension String {
  /// "emergency_contact" as the record's field name "emergency-contact".
  fileprivate var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }
}

extension Clients {
  /// Imports the clients of a CSV file (`source` names it in messages and in the log), or with
  /// `dryRun` only checks it. Every row is checked first, with the rules of `add`; if any is
  /// refused, nothing is written and the report lists every refusal. Otherwise every client is
  /// written and published by one commit, recorded as one `client-add` entry per client naming
  /// the file and row. A dry run (or a refused import) is recorded as a `client-lookup` entry,
  /// since it tells whether clients with these names exist.
  public func importCSV(
    _ bytes: [UInt8], source: String, dryRun: Bool, allowDuplicates: Bool = false, progress: (Int, Int) -> Void = { _, _ in }
  ) throws -> ClientImportReport {
    try practice.authorizeImport(.clientAdd, dryRun: dryRun)
    var plan = try ClientImportPlan(bytes, source: source, today: .today())
    let records = try practice.records
    if !allowDuplicates {
      // Only the records of clients whose legal name a row repeats are decrypted.
      let names = Set(plan.accepted.map { Records.nameKey($0.record.legalName) })
      let existing = try records.allClients().filter { !$0.isRegisterOnly && names.contains(Records.nameKey($0.index.legalName)) }
      plan.refuseDuplicates(of: try existing.map { ($0.code, try records.currentRecord($0)) })
    }
    let planned = plan.accepted.map { ImportedClient(row: $0.row, code: nil, legalName: $0.record.legalName) }
    guard !dryRun, plan.refused.isEmpty else {
      let report = ClientImportReport(dryRun: dryRun, rows: plan.rows, refused: plan.refused, clients: planned)
      let outcome = report.refusedRows == 0 ? "all would be imported" : "\(report.refusedRows) refused"
      try practice.record(
        .clientLookup, detail: "\(dryRun ? "dry run of an " : "refused ")import of clients from \(source): \(plan.rows) row(s), \(outcome)")
      return report
    }
    let added = try records.importNewClients(plan.accepted.map(\.record), author: practice.actor.name, now: practice.now, progress: progress)
    try practice.recordEach(.clientAdd, zip(plan.accepted, added).map { row, client in
      (client.code, [client.index.records[0].revision.object], "imported from \(source), row \(row.row)")
    })
    return ClientImportReport(
      dryRun: false, rows: plan.rows, refused: [],
      clients: zip(plan.accepted, added).map { ImportedClient(row: $0.row, code: $1.code.description, legalName: $0.record.legalName) })
  }
}

extension Records {
  /// Writes new clients (`create`, change "imported") and commits the index once: every client
  /// or none is in the vault. Call under the exclusive lock.
  func importNewClients(_ records: [ClientRecord], author: String, now: Int64, progress: (Int, Int) -> Void) throws -> [Client] {
    var vaultIndex = try unlocked.readIndex()
    var taken = Set(try codes(in: vaultIndex).map(\.code))
    var added: [Client] = []
    for (i, record) in records.enumerated() {
      let client = try create(record, notes: [], taken: &taken, change: "imported", author: author, now: now, in: vaultIndex)
      vaultIndex.entries.append(IndexEntry(client: client.id, clientIndex: client.indexObject, register: client.registerObject))
      added.append(client)
      progress(i + 1, records.count)
    }
    try unlocked.commit(vaultIndex)
    return added
  }
}
