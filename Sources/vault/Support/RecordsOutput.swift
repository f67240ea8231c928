import ArgumentParser
import VaultCore

/// A client as `--json` prints it.
struct ClientJSON: Encodable {
  let code: String
  let legalName: String
  let preferredName: String?
  let status: String
  let startDate: String
  let dischargeDate: String?
  let notes: Int
  let drafts: Int
  let psychotherapyNotes: Int
  let lastSession: String?
  let consents: Int
  let disclosures: Int

  init(_ c: Client) {
    code = c.code.description
    legalName = c.index.legalName
    preferredName = c.index.preferredName.isEmpty ? nil : c.index.preferredName
    status = c.isDischarged ? "discharged" : "active"
    startDate = c.index.startDate.description
    dischargeDate = c.index.dischargeDate?.description
    let record = c.index.notes.filter { $0.kind != .psychotherapy }
    notes = record.count
    drafts = c.index.notes.filter { !$0.isSigned }.count
    psychotherapyNotes = c.index.notes.count - record.count
    lastSession = c.index.lastSession?.description
    consents = c.index.consents.count
    disclosures = c.index.disclosures.count
  }
}

/// A note's metadata as `--json` prints it.
struct NoteJSON: Encodable {
  let id: String
  let client: String
  let date: String
  let kind: String
  let minutes: Int?
  let status: String
  let signedBy: String?
  let signedAt: String?
  let firstLine: String
  let versions: Int
  let addenda: Int
  let created: String

  init(_ n: NoteEntry, of c: Client) {
    id = c.noteID(n.number).description
    client = c.code.description
    date = n.date.description
    kind = n.kind.description
    minutes = n.minutes == 0 ? nil : Int(n.minutes)
    status = n.isSigned ? "signed" : "draft"
    signedBy = n.signature?.signer
    signedAt = n.signature.map { LogEntry.format(seconds: $0.time) }
    firstLine = n.firstLine
    versions = n.versions.count
    addenda = n.addenda.count
    created = LogEntry.format(seconds: n.versions[0].time)
  }
}

extension NoteEntry {
  /// "signed by ana on 2026-11-25T…Z" or "draft".
  var statusText: String { signature.map { "signed by \($0.signer) on \(LogEntry.format(seconds: $0.time))" } ?? "draft" }

  /// One line of a note list.
  func listLine(of c: Client) -> TerminalLine {
    let id = c.noteID(number).description
    let minutes = self.minutes == 0 ? "" : " \(self.minutes)m"
    return "\(id.padding(10))  \(date)  \(kind.description.padding(13))  \((isSigned ? "signed" : "draft").padding(6))  \(firstLine)\(minutes.isEmpty ? "" : "  (\(minutes.dropFirst()))")"
  }
}

extension String {
  /// Left-aligned in `width` columns (never truncated).
  func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

extension CommandContext {
  /// Resolves a client by code or name prefix; on a terminal, an ambiguous prefix also shows the
  /// candidates' names (never in logs or captured output, where only codes appear).
  func client(_ query: String) throws -> Client {
    do {
      return try records.client(query)
    } catch RecordError.ambiguousClient(let q, let codes) {
      if Terminal.stderrIsTerminal {
        let candidates = try records.clients(matching: codes)
        // Showing names is a read of those clients' records.
        try record("client-lookup", detail: "'\(q)' matched \(codes.count) clients; their names were shown: \(codes.map(\.description).joined(separator: ", "))")
        for c in candidates { output.note("  \(c.code)  \(c.displayName)\(c.isDischarged ? "  (discharged)" : "")") }
      }
      throw RecordError.ambiguousClient(q, matches: codes)
    }
  }

  /// The client and note an id names.
  func note(_ text: String) throws -> (Client, NoteEntry) {
    try records.note(NoteID(parsing: text))
  }
}
