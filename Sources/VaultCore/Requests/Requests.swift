import Foundation
import VaultCrypto

/// Requests for records (HIPAA 164.524: 30 days to answer) and the exports that answer them.
public struct Requests {
  let practice: Practice

  /// An export passphrase the user chose must be at least this long.
  public static let minimumExportPassphrase = 12

  /// Records that a client asked for their record on `date` (default today).
  public func add(_ query: String, date: Day = .today(), note: String = "") throws -> PendingRequest {
    let c = try practice.client(query, for: .exportRequest)
    return try practice.access(.exportRequest, client: c.code) {
      let (updated, r) = try practice.records.addRequest(c, date: date, note: note, author: practice.actor.name, now: practice.now)
      return .init(value: PendingRequest(updated, r), detail: "request \(r.number) received \(r.requested), due \(r.due)")
    }
  }

  /// Every request with no export yet, soonest due first.
  public func pending() throws -> [PendingRequest] {
    try practice.access(.exportPending) {
      let open = try practice.visibleClients(for: .exportPending).flatMap { c in c.index.requests.filter { $0.fulfilledBy == nil }.map { PendingRequest(c, $0) } }
        .sorted { $0.due < $1.due }
      return .init(value: open, detail: "\(open.count) open request(s)")
    }
  }

  /// Writes a client's record to one file (a ZIP, encrypted with age unless asked not to, or
  /// the self-decrypting HTML page) and
  /// records it as a disclosure to the client that answers their oldest open request.
  ///
  /// `prepared` passed the practice's rules for releasing a record (`ExportPlan.prepare`). The
  /// disclosure is recorded while the finished file is still unnamed, and the file gets its name
  /// only then: whatever interrupts, no export exists unrecorded.
  public func export(_ query: String, _ prepared: PreparedExport, progress: (Int, Int) -> Void = { _, _ in }) throws -> ExportResult {
    let request = prepared.plan
    let recipients = prepared.recipients
    let c = try practice.client(query, for: .export)
    var history: [LogEntry] = []
    try AccessLog(vault: practice.vault).entries(unlocked: try practice.unlockedKeys) { _, e in if e.client == c.code.description { history.append(e) } }
    var options = ExportOptions(
      identityVerification: request.identityVerified ?? "not verified: \(practice.reason ?? "")", identityVerified: request.identityVerified != nil)
    options.includePsychotherapyNotes = request.includePsychotherapyNotes
    options.includeDrafts = request.includeDrafts
    options.practice = try practice.records.practice().profile
    options.singlePage = request.form == .html
    options.since = request.since
    options.until = request.until

    let documentBytes = c.index.consents.reduce(UInt64(0)) { $0 + $1.file.size }
    if request.form == .html && documentBytes > HTMLExportWriter.maxDocumentBytes {
      throw RecordError.exportFormUnsuitable(
        "the documents hold \(documentBytes >> 20) MiB, more than a phone's browser can open from one page (\(HTMLExportWriter.maxDocumentBytes >> 20) MiB); "
          + "use --form age (a ZIP the 'age' tool opens)")
    }
    let file = try OutputFile(request.out, force: request.force)
    let sink: any ExportSink
    var age: AgeWriter?
    if request.form == .html, let passphrase = prepared.passphrase {
      sink = try HTMLExportWriter(passphrase: passphrase) { try file.write($0) }
    } else {
      age = try recipients.isEmpty ? nil : AgeWriter(recipients: recipients) { try file.write($0) }
      sink = ZipWriter { [age] bytes in if let age { try age.write(bytes) } else { try file.write(bytes) } }
    }
    let summary = try practice.records.export(c, options: options, accessHistory: history, to: sink, progress: progress)
    try age?.finish()

    var protection: String, protectionKind: String, keyCount: Int?
    switch request.protection {
    case .unencrypted: (protection, protectionKind, keyCount) = ("unencrypted", "unencrypted", nil)
    case .recipients(let keys): (protection, protectionKind, keyCount) = ("encrypted to \(keys.count) age key(s)", "recipients", keys.count)
    case .generatedPassphrase, .passphraseFile: (protection, protectionKind, keyCount) = ("encrypted with a passphrase", "passphrase", nil)
    }
    // The HTML page holds the record and the documents as parts, not the ZIP's files.
    let contents = request.form == .html ? "one HTML page (\(summary.documents) document(s))" : "\(summary.files.count + 1) files"
    if request.form == .html { protection = "self-decrypting, " + protection }
    let what = "copy of the record: \(summary.notes) note(s), \(summary.documents) document(s)"
      + (request.includePsychotherapyNotes ? ", psychotherapy notes included" : "") + (request.includeDrafts ? ", drafts included" : "") + (request.since.map { ", notes from \($0)" } ?? "")
      + (request.until.map { ", notes until \($0)" } ?? "")
    let identity = request.identityVerified.map { "verified: \($0)" } ?? "NOT verified"
    let (updated, disclosure, answered) = try practice.records.recordExport(
      c, what: what, identity: "identity " + identity, requested: request.requested, author: practice.actor.name, now: practice.now)
    let id = updated.disclosureID(disclosure.number)
    try practice.record(
      .export, client: c.code,
      detail: "\(id): \(contents), \(protection); requested \(answered.requested); "
        + (request.identityVerified.map { "identity verified: \($0)" } ?? "FLAGGED: identity not verified"))
    do { try file.commit() } catch { throw RecordError.exportNotPlaced(id.description, because: "\(VaultError.from(error))") }
    return ExportResult(
      out: request.out, disclosure: id.description, requested: answered.requested.description, notes: summary.notes,
      documents: summary.documents, psychotherapyNotesLeftOut: summary.psychotherapyNotesLeftOut, draftsLeftOut: summary.draftsLeftOut, protection: protectionKind, recipients: keyCount,
      passphrase: prepared.generated, form: request.form.rawValue)
  }
}
