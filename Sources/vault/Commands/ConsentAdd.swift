import ArgumentParser
import Foundation
import VaultCore

extension VaultCommand {
  /// `vault consent add`: store a signed document, streamed and encrypted under the client's key.
  struct ConsentAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add",
      abstract: "Store a signed consent document for a client.",
      discussion: """
        The file (PDF, image, anything; several GB is fine) is encrypted as it is read, with \
        constant memory. A file that changes while it is read is refused. A \
        release-of-information also records whom it authorizes (--recipient, \
        --recipient-address), what may be disclosed (--information), why (--purpose) and when \
        it ends (--expires): the elements of HIPAA 164.508.

        EXAMPLES
          vault consent add K7F3-2Q --kind informed-consent --file scan.pdf --signed 2026-11-20 --form-version 2026-01
          vault consent add mia --kind release-of-information --file roi.pdf --signed today --expires 2027-11-20 \\
            --recipient 'Dr. Lee, City Clinic' --information 'diagnosis and dates of service' --purpose 'coordination of care'
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The client's code or the start of their name.", valueName: "client"), completion: .clientCodes) var client: String
    @Option(name: .long, help: ArgumentHelp("What the document is.", valueName: "kind")) var kind: ConsentKind
    @Option(name: .long, help: ArgumentHelp("The signed document.", valueName: "file")) var file: String
    @Option(name: .long, help: ArgumentHelp("The day the client signed (YYYY-MM-DD or today).", valueName: "date"), transform: parseDay) var signed: Day?
    @Option(name: .long, help: ArgumentHelp("The day it stops being valid.", valueName: "date"), transform: parseDay) var expires: Day?
    @Option(name: .long, help: ArgumentHelp("The version of the practice's form it was signed on.", valueName: "v")) var formVersion: String?
    @Option(name: .long, help: ArgumentHelp("A note about the document.", valueName: "text")) var note: String?
    @Option(name: .long, help: ArgumentHelp("Media type, if vault's guess is wrong (e.g. application/pdf).", valueName: "type")) var mediaType: String?
    @Option(name: .long, help: ArgumentHelp("Release only: who may receive the information.", valueName: "name")) var recipient: String?
    @Option(name: .long, help: ArgumentHelp("Release only: the recipient's address.", valueName: "text")) var recipientAddress: String?
    @Option(name: .long, help: ArgumentHelp("Release only: what may be disclosed.", valueName: "text")) var information: String?
    @Option(name: .long, help: ArgumentHelp("Release only: why.", valueName: "text")) var purpose: String?

    func run() throws {
      var consent = NewConsent(kind: kind, file: FileSource(path: file, mediaType: mediaType), signed: signed, expires: expires)
      consent.formVersion = formVersion ?? ""
      consent.note = note ?? ""
      if [recipient, recipientAddress, information, purpose].contains(where: { $0 != nil }) {
        consent.release = Release(recipient: recipient ?? "", address: recipientAddress ?? "", information: information ?? "", purpose: purpose ?? "")
      }
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let c = try practice.consents.add(to: client, consent, progress: Output.byteProgress("encrypting"))
      location.output.emit(c)
      location.output.line("Stored \(c.id) (\(kind), \(c.fileName), \(ByteCount.format(c.size)), \(c.mediaType)).")
    }
  }
}
