import Foundation
import VaultCrypto

/// What an export covers and how the request was handled.
public struct ExportOptions: Sendable {
  /// Psychotherapy notes are left out unless asked for (HIPAA 164.524(a)(1)(i)).
  public var includePsychotherapyNotes = false
  /// Unsigned drafts are left out unless asked for: a draft is not yet part of the record.
  public var includeDrafts = false
  /// The practice's letterhead and time zone, for the pages the client reads.
  public var practice = PracticeProfile()
  /// The record is read in the self-decrypting page, not from a ZIP's folder.
  public var singlePage = false
  /// Notes from this session date on.
  public var since: Day?
  /// Notes up to this session date.
  public var until: Day?
  /// How the requester's identity was verified ("photo ID in person"), or why it was not.
  public var identityVerification: String
  /// Whether the identity was verified.
  public var identityVerified: Bool
  /// When the export was made.
  public var generatedAt = Date()

  /// Options with the identity statement.
  init(identityVerification: String, identityVerified: Bool) {
    self.identityVerification = identityVerification
    self.identityVerified = identityVerified
  }
}

/// One file of an export, as the manifest lists it.
public struct ExportedFile: Sendable, Codable {
  /// Path inside the ZIP.
  let path: String
  /// Size in bytes.
  let size: UInt64
  /// SHA-256, lowercase hex.
  let sha256: String
}

/// What an export wrote.
public struct ExportSummary: Sendable {
  /// Every file, in the order written (the manifest last, not listed in itself).
  let files: [ExportedFile]
  /// Notes included.
  let notes: Int
  /// Documents included.
  let documents: Int
  /// Psychotherapy notes left out.
  let psychotherapyNotesLeftOut: Int
  /// Unsigned drafts left out.
  let draftsLeftOut: Int
}

extension Records {
  /// Writes a client's record into `zip`: README.txt, index.html, record.json, the notes as
  /// Markdown, the consent documents under their original names, and manifest.sha256 last.
  /// Documents stream through, so memory does not grow with their size.
  func export(
    _ client: Client, options: ExportOptions, accessHistory: [LogEntry], to zip: any ExportSink, progress: (Int, Int) -> Void = { _, _ in }
  ) throws -> ExportSummary {
    var files: [ExportedFile] = []
    func add(_ path: String, _ bytes: [UInt8]) throws {
      try zip.add(path, bytes)
      files.append(ExportedFile(path: path, size: UInt64(bytes.count), sha256: Hex.encode(bytes.withUnsafeBytes { SHA256.hash($0) })))
    }
    let record = try currentRecord(client)
    let kinds = options.includePsychotherapyNotes ? Set(NoteKind.allCases) : NoteFilter.recordKinds
    let filter = NoteFilter(kinds: kinds, since: options.since, until: options.until)
    let inRange = client.index.notes.filter(filter.matches)
    let notes = inRange.filter { $0.isSigned || options.includeDrafts }.sorted { ($0.date, $0.number) < ($1.date, $1.number) }
    let draftsLeftOut = inRange.count - notes.count
    let excluded = client.index.notes.filter { $0.kind == .psychotherapy && !kinds.contains(.psychotherapy) }
    let leftOut = excluded.filter(NoteFilter(kinds: [.psychotherapy], since: options.since, until: options.until).matches).count
    // The access history must not reveal what the export leaves out: entries about withheld
    // psychotherapy notes go too. Drafts are only not yet part of the record (the copy says how
    // many it leaves out), so every access to them stays accounted for.
    let hiddenIDs = excluded.map { client.noteID($0.number).description }
    let hiddenObjects = Set(excluded.flatMap { $0.versions.map(\.object.hex) + $0.addenda.map(\.revision.object.hex) })
    let history = accessHistory.filter { e in
      !(e.objects ?? []).contains(where: hiddenObjects.contains)
        && !hiddenIDs.contains { id in (e.detail ?? "").split(whereSeparator: { $0 == " " || $0 == "," || $0 == "(" }).contains { $0 == Substring(id) } }
    }

    var exportedNotes: [ExportRecord.Note] = []
    for n in notes {
      let id = client.noteID(n.number).description
      let text = try self.text(client, n.current)
      let addenda = try n.addenda.map {
        ExportRecord.Addendum(time: LogEntry.format(seconds: $0.revision.time), author: $0.revision.author, reason: $0.reason, text: try self.text(client, $0.revision))
      }
      let path = "notes/\(n.date)_\(id)_\(n.kind).md"
      let note = ExportRecord.Note(
        id: id, date: n.date.description, kind: n.kind.description, minutes: n.minutes == 0 ? nil : Int(n.minutes),
        status: n.isSigned ? "signed" : "draft", signedBy: n.signature?.signer, signedAt: n.signature.map { LogEntry.format(seconds: $0.time) },
        writtenBy: n.current.author, writtenAt: LogEntry.format(seconds: n.current.time), versions: n.versions.count, text: text, addenda: addenda, file: path)
      exportedNotes.append(note)
      try add(path, Array(ExportHTML.markdown(note).utf8))
    }

    var exportedConsents: [ExportRecord.Consent] = []
    let total = Int(client.index.consents.reduce(UInt64(0)) { $0 + $1.file.size })
    var done = 0
    for c in client.index.consents {
      let id = client.consentID(c.number).description
      let path = "documents/\(id)_\(Self.safeFileName(c.file.fileName))"
      try zip.begin(path, sizeHint: c.file.size, mediaType: c.file.mediaType)
      let sha = SHA256.Stream()
      var size: UInt64 = 0
      try readConsent(c, of: client) { chunk in
        // The manifest's SHA-256 on one core while the other computes the ZIP's CRC-32 and
        // encrypts (a batch of up to 2 MiB at a time).
        try ChunkWorkers.both({ sha.update(chunk) }, { try zip.write(chunk) })
        size += UInt64(chunk.count)
        done += chunk.count
        progress(done, total)
      }
      try zip.end()
      files.append(ExportedFile(path: path, size: size, sha256: Hex.encode(sha.finalize())))
      exportedConsents.append(ExportRecord.Consent(
        id: id, kind: c.kind.description, status: c.status(on: Day.today()).rawValue, signed: c.signed?.description, expires: c.expires?.description,
        formVersion: c.formVersion.isEmpty ? nil : c.formVersion, fileName: c.file.fileName, mediaType: c.file.mediaType, size: c.file.size, file: path,
        recipient: c.release?.recipient, recipientAddress: c.release.flatMap { $0.address.isEmpty ? nil : $0.address },
        information: c.release?.information, purpose: c.release?.purpose, revoked: c.revocation?.date.description, revocationReason: c.revocation?.reason))
    }

    let document = ExportRecord(
      format: "vault-export/1", generatedAt: LogEntry.format(options.generatedAt),
      client: ExportRecord.ClientDetails(code: client.code.description, record: record),
      recordHistory: client.index.records.enumerated().map {
        ExportRecord.Version(version: $0 + 1, time: LogEntry.format(seconds: $1.revision.time), author: $1.revision.author, change: $1.change)
      },
      range: ExportRecord.Range(since: options.since?.description, until: options.until?.description),
      practice: options.practice.isEmpty ? nil : options.practice,
      includesPsychotherapyNotes: options.includePsychotherapyNotes, psychotherapyNotesLeftOut: leftOut,
      includesDrafts: options.includeDrafts, draftsLeftOut: draftsLeftOut,
      identityVerification: ExportRecord.Identity(verified: options.identityVerified, how: options.identityVerification),
      notes: exportedNotes, consents: exportedConsents,
      disclosures: client.index.disclosures.map { d in
        ExportRecord.DisclosureItem(
          id: client.disclosureID(d.number).description, date: d.date.description, recipient: d.recipient, address: d.address.isEmpty ? nil : d.address,
          what: d.what, purpose: d.purpose, basis: d.basis.description, reason: d.reason.isEmpty ? nil : d.reason,
          authorization: d.authorization.map { client.consentID($0).description }, corrects: d.corrects.map { client.disclosureID($0).description })
      },
      accessHistory: history.map { ExportRecord.Access(time: $0.time, actor: $0.actor, action: $0.action, detail: $0.detail, reason: $0.reason) })
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    try add("record.json", Array(try encoder.encode(document)))
    try add("index.html", Array(ExportHTML.page(document, singlePage: options.singlePage).utf8))
    try add("README.txt", Array(ExportHTML.readme(document).utf8))
    let manifest = files.map { "\($0.sha256)  \($0.path)\n" }.joined()
    try zip.add("manifest.sha256", Array(manifest.utf8))
    try zip.finish()
    return ExportSummary(files: files, notes: notes.count, documents: client.index.consents.count, psychotherapyNotesLeftOut: leftOut, draftsLeftOut: draftsLeftOut)
  }

  /// A file name safe on every system the client may use: no directories, control or format
  /// characters (bidi overrides could disguise an extension), reserved characters, leading dots
  /// or trailing dots and spaces; at most 150 bytes of UTF-8, keeping the end (the extension);
  /// never empty.
  static func safeFileName(_ name: String) -> String {
    let reserved = Set("/\\:*?\"<>|".unicodeScalars)
    var scalars = name.unicodeScalars.map { u -> Unicode.Scalar in
      let category = u.properties.generalCategory
      return category == .control || category == .format || reserved.contains(u) ? "_" : u
    }
    // Shortened first, then trimmed: cutting the front could otherwise expose a leading dot.
    var bytes = scalars.reduce(0) { $0 + $1.utf8.count }
    var cut = 0
    while bytes > 150 {
      bytes -= scalars[cut].utf8.count
      cut += 1
    }
    scalars.removeFirst(cut)
    while scalars.first == "." { scalars.removeFirst() }
    while let last = scalars.last, last == "." || last == " " { scalars.removeLast() }
    let s = String(String.UnicodeScalarView(scalars))
    return s.isEmpty ? "document" : s
  }
}
