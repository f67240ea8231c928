import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault consent`: signed consent documents and releases of information.
  struct ConsentGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "consent",
      abstract: "Store, list, check, extract and revoke signed consent documents.",
      discussion: """
        Kinds: informed-consent, privacy-notice-acknowledgement, telehealth-consent, \
        release-of-information, financial, other. A consent's id is the client's code, a dot, \
        C and a number: K7F3-2Q.C2. Documents are encrypted under the client's key as they are \
        read, in constant memory whatever their size; their original name and media type are \
        kept inside the encryption. Register the practice's current blank forms with \
        'vault form add', and 'vault consent check' lists what is missing or out of date.
        """,
      subcommands: [ConsentAdd.self, ConsentList.self, ConsentShow.self, ConsentGet.self, ConsentRevoke.self, ConsentCheck.self])
  }
}

extension ConsentKind: ExpressibleByArgument {}
extension DisclosureBasis: ExpressibleByArgument {}

/// A consent as `--json` prints it.
struct ConsentJSON: Encodable {
  let id: String
  let client: String
  let kind: String
  let status: String
  let signed: String?
  let expires: String?
  let formVersion: String?
  let note: String?
  let fileName: String
  let mediaType: String
  let size: UInt64
  let added: String
  let addedBy: String
  let recipient: String?
  let recipientAddress: String?
  let information: String?
  let purpose: String?
  let revoked: String?
  let revocationReason: String?

  init(_ e: ConsentEntry, of c: Client, today: Day = .today()) {
    id = c.consentID(e.number).description
    client = c.code.description
    kind = e.kind.description
    status = e.status(on: today).rawValue
    signed = e.signed?.description
    expires = e.expires?.description
    formVersion = e.formVersion.isEmpty ? nil : e.formVersion
    note = e.note.isEmpty ? nil : e.note
    fileName = e.file.fileName
    mediaType = e.file.mediaType
    size = e.file.size
    added = LogEntry.format(seconds: e.file.time)
    addedBy = e.file.author
    recipient = e.release?.recipient
    recipientAddress = e.release.flatMap { $0.address.isEmpty ? nil : $0.address }
    information = e.release?.information
    purpose = e.release?.purpose
    revoked = e.revocation?.date.description
    revocationReason = e.revocation?.reason
  }
}

extension CommandContext {
  /// The client and consent an id names.
  func consent(_ text: String) throws -> (Client, ConsentEntry) {
    try records.consent(ItemID(parsing: text, letter: "C"))
  }
}

/// "12.3 MiB".
func byteCount(_ n: UInt64) -> String {
  n < 1024 ? "\(n) B" : n < 1 << 20 ? String(format: "%.1f KiB", Double(n) / 1024) : n < 1 << 30 ? String(format: "%.1f MiB", Double(n) / 1048576) : String(format: "%.2f GiB", Double(n) / 1073741824)
}

/// Progress in MiB for file streaming, on stderr when it is a terminal.
func byteProgress(_ label: String) -> (Int, Int) -> Void {
  let show = Output.progress(label + " (MiB)")
  return { done, total in show(done >> 20, total >> 20) }
}
