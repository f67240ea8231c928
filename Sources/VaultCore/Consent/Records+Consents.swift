#if canImport(Glibc)
  import Glibc
#endif
import Foundation
import VaultCrypto

/// What `storeFile` was given.
public struct FileSource: Sendable {
  /// The path as the user typed it.
  public var path: String
  /// Overrides the media type vault would guess.
  public var mediaType: String?

  /// A file at `path`.
  public init(path: String, mediaType: String? = nil) {
    self.path = path
    self.mediaType = mediaType
  }
}

/// One thing `consent check` found for a client.
public struct ConsentFinding: Sendable {
  /// What needs attention.
  public enum Status: String, Sendable, Codable {
    case missing, expired, expiring, revoked, outdated
  }
  /// The client.
  let client: Client
  /// The consent kind concerned.
  let kind: ConsentKind
  /// What is wrong.
  let status: Status
  /// The consent concerned (nil when missing).
  let consent: ConsentEntry?
  /// A short explanation ("expires 2026-12-01, in 6 days").
  let detail: String
}

extension Records {
  // MARK: Files

  /// Streams the file at `source.path` into a new document object, with memory bounded by one
  /// chunk whatever its size. The file must be a regular file; one that changes while it is read
  /// (size, modification time or identity differ at the end) is refused and nothing is kept.
  func storeFile(
    _ source: FileSource, binding: ObjectBinding, key: SecretKey, author: String, now: Int64, progress: (Int, Int) -> Void
  ) throws -> StoredFile {
    let path = source.path
    let fd = FileSystem.openUserFile(path, O_RDONLY | O_NONBLOCK)
    guard fd >= 0 else {
      throw RecordError.unusableFile(path: path, why: errno == ENOENT ? "no such file" : String(cString: strerror(errno)).lowercased())
    }
    defer { close(fd) }
    var before = stat()
    guard fstat(fd, &before) == 0 else { throw RecordError.unusableFile(path: path, why: String(cString: strerror(errno)).lowercased()) }
    switch before.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: throw RecordError.unusableFile(path: path, why: "it is a directory; give the document's file")
    default: throw RecordError.unusableFile(path: path, why: "it is not a regular file")
    }
    let writer = try wrap { try store.writer(binding, key: key, vault: vaultID) }
    let block = try SecureBytes(count: 1 << 20)
    let expected = Int(before.st_size)
    var total = 0
    var head: [UInt8] = []
    do {
      while true {
        let n = block.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n >= 0 else { throw RecordError.unusableFile(path: path, why: String(cString: strerror(errno)).lowercased()) }
        if n == 0 { break }
        try block.withUnsafeBytes { b in
          let chunk = UnsafeRawBufferPointer(rebasing: b.prefix(n))
          if head.count < 16 { head += chunk.prefix(16 - head.count) }
          try wrap { try writer.write(chunk) }
        }
        total += n
        progress(total, max(expected, total))
      }
      var after = stat()
      // A document must be what was on disk at one moment: a file growing, shrinking or replaced
      // while it was read would be stored as a mixture.
      // ctime too: a rewrite that restores the modification time (touch -r) still changes it.
      guard fstat(fd, &after) == 0, total == expected, after.st_size == before.st_size, after.st_ino == before.st_ino,
        after.st_dev == before.st_dev, after.st_mtim.tv_sec == before.st_mtim.tv_sec, after.st_mtim.tv_nsec == before.st_mtim.tv_nsec,
        after.st_ctim.tv_sec == before.st_ctim.tv_sec, after.st_ctim.tv_nsec == before.st_ctim.tv_nsec
      else { throw RecordError.unusableFile(path: path, why: "it changed while it was being read; add it again once it is complete") }
      // The object gets its name now; until the commit names it too, the marker covers it.
      try unlocked.markUnfinished()
      let object = try wrap { try writer.finish() }
      // A file name that is not UTF-8 is kept readable (U+FFFD for its odd bytes): it is shown, never opened.
      let name = String(decoding: SystemPath.bytes(of: SystemPath.lastComponent(path)), as: UTF8.self)
      return StoredFile(
        object: object, size: UInt64(total), time: now, author: author, fileName: String(name.utf8.count <= 255 ? name : String(name.suffix(100))),
        mediaType: source.mediaType ?? MediaType.guess(head: head, fileName: name))
    } catch {
      writer.abandon()
      throw error
    }
  }

  /// Streams a stored file's plaintext to `sink`, one authenticated chunk at a time. A caller
  /// that writes it somewhere must discard what it wrote if this throws (the end checks failed).
  func readFile(_ file: StoredFile, binding: ObjectBinding, keys: [SecretKey], to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
    do {
      try store.reader(file.object, binding: binding, keys: keys, vault: vaultID).readAll(sink)
    } catch let e as ObjectError {
      throw integrity(file.object, VaultVerifier.describe(e))
    }
  }

  // MARK: Consents

  /// Stores a signed consent document for the client.
  func addConsent(
    to client: Client, _ source: FileSource, kind: ConsentKind, signed: Day?, expires: Day?, formVersion: String, note: String,
    release: Release?, author: String, now: Int64, progress: (Int, Int) -> Void = { _, _ in }
  ) throws -> (Client, ConsentEntry) {
    if let signed, signed > Day.today() { throw RecordError.invalidDate(signed.description, "the signing date is in the future") }
    if let signed, let expires, expires < signed { throw RecordError.invalidField("the consent expires (\(expires)) before it was signed (\(signed))") }
    // Every field is checked against the bound its reader enforces before a byte is streamed.
    try ClientRecord.checkText(formVersion, field: "form version", required: false, maxBytes: ClientIndex.maxAuthor)
    try ClientRecord.checkText(note, field: "note", required: false)
    try source.check()
    if kind == .releaseOfInformation {
      guard let release else { throw RecordError.releaseIncomplete("--recipient, --information and --purpose") }
      try ClientRecord.checkText(release.recipient, field: "recipient", required: true)
      try ClientRecord.checkText(release.information, field: "information to disclose", required: true)
      try ClientRecord.checkText(release.purpose, field: "purpose", required: true)
      try ClientRecord.checkText(release.address, field: "recipient address", required: false)
      guard expires != nil else { throw RecordError.releaseIncomplete("an expiry date (--expires; HIPAA 164.508(c)(1)(v))") }
      guard signed != nil else { throw RecordError.releaseIncomplete("the day it was signed (--signed; HIPAA 164.508(c)(1)(vi))") }
    } else if release != nil {
      throw RecordError.releaseFieldsOnOtherKind
    }
    let file = try storeFile(source, binding: ObjectBinding(type: .document, client: client.id), key: client.key, author: author, now: now, progress: progress)
    var index = client.index
    let entry = ConsentEntry(
      number: (index.consents.last?.number ?? 0) + 1, kind: kind, file: file, signed: signed, expires: expires,
      formVersion: formVersion, note: note, release: release, events: [])
    index.consents.append(entry)
    return (try save(client, index), entry)
  }

  /// Streams a consent document's plaintext to `sink` (see `readFile`).
  func readConsent(_ entry: ConsentEntry, of client: Client, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
    try readFile(entry.file, binding: ObjectBinding(type: .document, client: client.id), keys: client.keys.clinical, to: sink)
  }

  /// Marks a consent revoked from `date`; the document and its history stay.
  func revokeConsent(_ number: UInt32, of client: Client, date: Day, reason: String, author: String, now: Int64) throws -> (Client, ConsentEntry) {
    let id = client.consentID(number)
    guard let i = client.index.consents.firstIndex(where: { $0.number == number }) else { throw RecordError.itemNotFound("consent \(id)") }
    let consent = client.index.consents[i]
    if let r = consent.revocation { throw RecordError.alreadyRevoked(id.description, on: r.date) }
    guard date <= Day.today() else { throw RecordError.invalidDate(date.description, "the revocation date is in the future") }
    if let s = consent.signed, date < s { throw RecordError.invalidDate(date.description, "\(id) was signed on \(s), after that day") }
    // A revocation does not undo disclosures already made in reliance on it (164.508(b)(5)),
    // so it cannot be dated before them: the accounting would contradict itself.
    if let last = client.index.disclosures.filter({ $0.authorization == number }).max(by: { $0.date < $1.date }), date < last.date {
      throw RecordError.invalidDate(
        date.description, "\(client.disclosureID(last.number)) relied on \(id) on \(last.date); a revocation cannot be dated before that")
    }
    try ClientRecord.checkText(reason, field: "reason", required: true)
    var index = client.index
    index.consents[i].events.append(ConsentEvent(kind: .revoked, date: date, time: now, author: author, reason: reason))
    return (try save(client, index), index.consents[i])
  }

  // MARK: Disclosures

  /// Records a disclosure after checking its basis: an authorization must be a release of this
  /// client that is signed, unexpired and unrevoked on the day and names this recipient; a
  /// limits-of-confidentiality disclosure needs a reason.
  func disclose(
    _ client: Client, date: Day, basis: DisclosureBasis, recipient: String, address: String, what: String, purpose: String,
    reason: String?, authorization: ItemID?, corrects: ItemID?, author: String, now: Int64
  ) throws -> (Client, Disclosure) {
    guard date <= Day.today() else { throw RecordError.invalidDate(date.description, "the disclosure date is in the future") }
    try ClientRecord.checkText(recipient, field: "recipient", required: true)
    try ClientRecord.checkText(what, field: "description of what was disclosed", required: true)
    try ClientRecord.checkText(purpose, field: "purpose", required: true)
    try ClientRecord.checkText(address, field: "address", required: false)
    try ClientRecord.checkText(reason ?? "", field: "reason", required: false)
    if basis.isLimitOfConfidentiality, (reason ?? "").trimmingSpaces().isEmpty {
      throw RecordError.disclosureRefused("a \(basis) disclosure is made under the limits of confidentiality and needs --reason TEXT (the justification)")
    }
    var authorizedBy: UInt32?
    var address = address
    if basis == .authorization {
      guard let authorization else { throw RecordError.disclosureRefused("basis 'authorization' needs --authorization ID, the client's signed release of information") }
      guard authorization.client == client.code, let release = client.index.consent(authorization.number) else {
        throw RecordError.disclosureRefused("\(authorization) is not a consent of client \(client.code)")
      }
      guard let terms = release.release else { throw RecordError.disclosureRefused("\(authorization) is a \(release.kind) document, not a release of information") }
      switch release.status(on: date) {
      case .valid: break
      case .revoked: throw RecordError.disclosureRefused("release \(authorization) was revoked on \(release.revocation?.date.description ?? "?")")
      case .expired: throw RecordError.disclosureRefused("release \(authorization) expired on \(release.expires?.description ?? "?")")
      case .notYetSigned:
        throw RecordError.disclosureRefused("release \(authorization) was not yet signed on \(date) (signed \(release.signed?.description ?? "?"))")
      }
      guard release.signed != nil else { throw RecordError.disclosureRefused("release \(authorization) has no signing date, so it proves no authorization") }
      guard Self.fold(terms.recipient).split(whereSeparator: \.isWhitespace) == Self.fold(recipient).split(whereSeparator: \.isWhitespace) else {
        throw RecordError.disclosureRefused("release \(authorization) authorizes disclosure to '\(terms.recipient)', not to '\(recipient)'")
      }
      authorizedBy = release.number
      // "Address if known" (164.528(b)(2)(ii)): the release knows it.
      if address.isEmpty { address = terms.address }
    } else if authorization != nil {
      throw RecordError.disclosureRefused("--authorization applies only to basis 'authorization'")
    }
    var corrected: UInt32?
    if let corrects {
      guard corrects.client == client.code, client.index.disclosures.contains(where: { $0.number == corrects.number }) else {
        throw RecordError.itemNotFound("disclosure \(corrects)")
      }
      corrected = corrects.number
    }
    var index = client.index
    let entry = Disclosure(
      number: (index.disclosures.last?.number ?? 0) + 1, date: date, basis: basis, time: now, author: author, recipient: recipient,
      address: address, what: what, purpose: purpose, reason: reason ?? "", authorization: authorizedBy, corrects: corrected)
    index.disclosures.append(entry)
    return (try save(client, index), entry)
  }

  // MARK: Practice forms

  /// The practice index (empty when no form was ever registered).
  func practice() throws -> PracticeIndex {
    guard let entry = try unlocked.readIndex().entries.first(where: { $0.client == .none }) else { return PracticeIndex() }
    let plain = try read(entry.clientIndex, as: .practiceIndex, client: .none, keys: [unlocked.keys.vaultObjects])
    do { return try PracticeIndex.decode(plain) } catch { throw integrity(entry.clientIndex, "practice index cannot be parsed: \(error)") }
  }

  /// Registers a blank form as the current version of its kind; earlier versions stay listed.
  func addForm(kind: ConsentKind, version: String, _ source: FileSource, author: String, now: Int64) throws -> PracticeForm {
    try ClientRecord.checkText(version, field: "form version", required: true, maxBytes: ClientIndex.maxAuthor)
    try source.check()
    var practice = try practice()
    if let current = practice.currentForms[kind], current.version == version {
      throw RecordError.nothingChanged("version '\(version)' is already the current \(kind) form")
    }
    let file = try storeFile(source, binding: ObjectBinding(type: .document, client: .none), key: unlocked.keys.vaultObjects, author: author, now: now) { _, _ in }
    let form = PracticeForm(kind: kind, version: version, file: file)
    practice.forms.append(form)
    try savePractice(practice)
    return form
  }

  /// Writes `practice` as the new practice index object and commits the index naming it.
  func savePractice(_ practice: PracticeIndex) throws {
    let object = try put(practice.encoded(), as: .practiceIndex, client: .none, key: unlocked.keys.vaultObjects)
    var vaultIndex = try unlocked.readIndex()
    let old = vaultIndex.entries.first { $0.client == .none }?.clientIndex
    if let i = vaultIndex.entries.firstIndex(where: { $0.client == .none }) {
      vaultIndex.entries[i].clientIndex = object
    } else {
      vaultIndex.entries.append(IndexEntry(client: .none, clientIndex: object))
    }
    try unlocked.commit(vaultIndex, replacing: old.map { [$0] } ?? [])
  }

  /// Streams a registered form's blank file to `sink`.
  func readForm(_ form: PracticeForm, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
    try readFile(form.file, binding: ObjectBinding(type: .document, client: .none), keys: [unlocked.keys.vaultObjects], to: sink)
  }

  // MARK: Checking

  /// For every active client: standing consents (kinds with a registered form) that are
  /// missing, revoked, expired, expiring within `within` days or signed on an older form
  /// version, and releases expiring within `within` days.
  func checkConsents(_ clients: [Client], practice: PracticeIndex, today: Day = .today(), within: Int) -> [ConsentFinding] {
    let forms = practice.currentForms
    var out: [ConsentFinding] = []
    for c in clients where !c.isDischarged {
      for kind in ConsentKind.allCases where kind.isStanding {
        guard let form = forms[kind] else { continue }
        // The one signed last counts, whatever order the paper was entered in.
        guard let latest = c.index.consents.filter({ $0.kind == kind }).max(by: { ($0.signed ?? .earliest, $0.number) < ($1.signed ?? .earliest, $1.number) }) else {
          out.append(ConsentFinding(client: c, kind: kind, status: .missing, consent: nil, detail: "no signed \(kind) (current form: \(form.version))"))
          continue
        }
        let id = c.consentID(latest.number)
        switch latest.status(on: today) {
        case .revoked:
          out.append(ConsentFinding(client: c, kind: kind, status: .revoked, consent: latest, detail: "\(id) revoked on \(latest.revocation?.date.description ?? "?")"))
          continue
        case .expired:
          out.append(ConsentFinding(client: c, kind: kind, status: .expired, consent: latest, detail: "\(id) expired on \(latest.expires?.description ?? "?")"))
          continue
        case .valid, .notYetSigned:
          if let e = latest.expires, e.daysSinceEpoch - today.daysSinceEpoch <= within {
            out.append(ConsentFinding(client: c, kind: kind, status: .expiring, consent: latest, detail: "\(id) \(Self.expiry(e, today: today))"))
          }
        }
        if latest.formVersion != form.version {
          out.append(ConsentFinding(
            client: c, kind: kind, status: .outdated, consent: latest,
            detail: "\(id) was signed on form version '\(latest.formVersion.isEmpty ? "unrecorded" : latest.formVersion)'; current is '\(form.version)'"))
        }
      }
      for r in c.index.consents where r.kind == .releaseOfInformation && r.status(on: today) == .valid {
        if let e = r.expires, e.daysSinceEpoch - today.daysSinceEpoch <= within {
          out.append(ConsentFinding(
            client: c, kind: r.kind, status: .expiring, consent: r,
            detail: "\(c.consentID(r.number)) (to \(r.release?.recipient ?? "?")) \(Self.expiry(e, today: today))"))
        }
      }
    }
    return out
  }
}

extension Records {
  /// "expires today", "expires on 2026-12-01, in 6 days".
  static func expiry(_ e: Day, today: Day) -> String {
    let left = Int(e.daysSinceEpoch - today.daysSinceEpoch)
    return left == 0 ? "expires today" : "expires on \(e), in \(left) day\(left == 1 ? "" : "s")"
  }
}

extension FileSource {
  /// Refuses a media type the client index could not hold or a terminal should not print.
  func check() throws(RecordError) {
    guard let mediaType else { return }
    try ClientRecord.checkText(mediaType, field: "media type", required: true, maxBytes: ClientIndex.maxAuthor)
    let parts = mediaType.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }) else {
      throw .invalidField("the media type '\(mediaType)' is not of the form type/subtype, e.g. application/pdf")
    }
  }
}

/// Guesses a media type from a file's first bytes, then its extension.
enum MediaType {
  static func guess(head: [UInt8], fileName: String) -> String {
    func starts(_ magic: [UInt8]) -> Bool { head.starts(with: magic) }
    let ext = URL(fileURLWithPath: fileName).pathExtension.lowercased()
    if starts(Array("%PDF-".utf8)) { return "application/pdf" }
    if starts([0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
    if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
    if starts(Array("GIF8".utf8)) { return "image/gif" }
    if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return "image/tiff" }
    if starts([0x50, 0x4B, 0x03, 0x04]) {
      return ext == "docx" ? "application/vnd.openxmlformats-officedocument.wordprocessingml.document" : ext == "odt" ? "application/vnd.oasis.opendocument.text" : "application/zip"
    }
    let byExtension = [
      "txt": "text/plain", "md": "text/markdown", "html": "text/html", "htm": "text/html", "rtf": "application/rtf", "doc": "application/msword",
      "heic": "image/heic", "webp": "image/webp",
    ]
    return byExtension[ext] ?? "application/octet-stream"
  }
}
