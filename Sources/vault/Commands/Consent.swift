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

/// A document written out (`consent get`, `export open`), as `--json` prints it.
struct DocumentWritten: Encodable {
  let id: String?
  let out: String
  let bytes: UInt64
}
