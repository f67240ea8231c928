import ArgumentParser
import Foundation
import VaultCore
import VaultCrypto

extension VaultCommand {
  /// `vault export request`: the client asked for their record; the 30-day clock starts.
  struct ExportRequest: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "request", abstract: "Record that a client asked for a copy of their record.",
      discussion: "HIPAA 164.524(b)(2) gives 30 days to answer; 'vault export pending' shows what is open and how long is left.")

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The client's code or the start of their name.", valueName: "client")) var client: String
    @Option(name: .long, help: ArgumentHelp("The day the request was received (default: today).", valueName: "date"), transform: parseDay) var date: Day?
    @Option(name: .long, help: ArgumentHelp("How it was made (\"by e-mail\"), or anything to remember.", valueName: "text")) var note: String?

    func run() throws {
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedWrite)
      let c = try context.client(client)
      let (_, request) = try context.records.addRequest(c, date: date ?? Day.today(), note: note ?? "", author: context.author, now: CommandContext.now)
      try context.record("export-request", client: c.code, detail: "request \(request.number) received \(request.requested), due \(request.due)")
      context.output.emit(PendingJSON(c, request))
      context.output.line("Recorded the request of \(request.requested); the record is due by \(request.due).")
    }
  }

  /// `vault export pending`: open requests and the days left.
  struct ExportPending: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "pending", abstract: "List requests for records that have no export yet, with the days left.")

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions

    func run() throws {
      let context = try CommandContext.open(location, lock: lock, unlock: unlock, access: .unlockedRead)
      let open = try context.records.allClients().flatMap { c in c.index.requests.filter { $0.fulfilledBy == nil }.map { (c, $0) } }
        .sorted { $0.1.due < $1.1.due }
      try context.record("export-pending", detail: "\(open.count) open request(s)")
      context.output.emit(open.map { PendingJSON($0, $1) })
      if open.isEmpty { context.output.line("No open requests.") }
      for (c, r) in open {
        let left = PendingJSON(c, r).daysLeft
        context.output.line("\(c.code)  requested \(r.requested)  due \(r.due)  \(left < 0 ? "OVERDUE by \(-left) day(s)" : "\(left) day(s) left")\(r.note.isEmpty ? "" : "  (\(r.note))")")
      }
    }
  }

  /// `vault export open`: decrypt an export (or any age file) to check it.
  struct ExportOpen: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "open", abstract: "Decrypt an age-encrypted export (or any age file) to check it.",
      discussion: """
        Needs no vault. Give the identity file of the age key it was encrypted to (--identity), \
        or the passphrase (--passphrase-file, else asked on the terminal). The output appears only \
        if the whole file decrypted and authenticated.

        EXAMPLE
          vault export open mia-record.age --out mia-record.zip && unzip -l mia-record.zip
        """)

    @Argument(help: ArgumentHelp("The .age file.", valueName: "file")) var file: String
    @Option(name: .long, help: ArgumentHelp("Where to write the decrypted file.", valueName: "file")) var out: String
    @Flag(name: .long, help: "Replace an existing file.") var force = false
    @Option(name: .long, help: ArgumentHelp("An age identity file (AGE-SECRET-KEY-1… lines).", valueName: "file")) var identity: String?
    @Option(name: .long, help: ArgumentHelp("Read the passphrase from the first line of <file>.", valueName: "file")) var passphraseFile: String?
    @Flag(name: .long, help: "Print the result as JSON.") var json = false

    func validate() throws {
      if identity != nil && passphraseFile != nil { throw ValidationError("give --identity or --passphrase-file, not both") }
    }

    func run() throws {
      var identities: [AgeIdentity] = []
      if let identity {
        let text = String(decoding: try InputFile.read(path: identity, limit: 1 << 16), as: UTF8.self)
        identities = try text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
          .filter { $0.hasPrefix("AGE-SECRET-KEY-1") }.map { try AgeIdentity.parse($0) }
        guard !identities.isEmpty else { throw VaultError.invalidArgument("\(identity) holds no AGE-SECRET-KEY-1… line") }
      } else {
        identities = [.passphrase(try PassphraseSource(file: passphraseFile, environment: [:]).read(prompt: "Export passphrase: "))]
      }
      let fd = FileSystem.openUserFile(file, O_RDONLY)
      guard fd >= 0 else { throw VaultError.io(path: file, reason: "cannot open it: \(String(cString: strerror(errno)).lowercased())") }
      defer { close(fd) }
      let target = try OutputFile(out, force: force)
      var total = 0
      do {
        try AgeReader(identities: identities).decrypt({ buffer in
          while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw VaultError.io(path: file, reason: String(cString: strerror(errno)).lowercased()) }
            return n
          }
        }) { chunk in
          try target.write(chunk)
          total += chunk.count
        }
      } catch let e as AgeError {
        throw e == .noMatch || e == .hmacFailure ? VaultError.invalidArgument("\(e)") : VaultError.integrity([Finding(.error, file, "\(e)")])
      }
      try target.commit()
      let output = Output(json: json)
      output.emit(["out": out, "bytes": String(total)])
      output.line("Decrypted \(file) to \(out) (\(byteCount(UInt64(total)))).")
    }
  }
}

struct PendingJSON: Encodable {
  let client: String
  let request: Int
  let requested: String
  let due: String
  let daysLeft: Int
  let note: String?

  init(_ c: Client, _ r: RecordRequest) {
    client = c.code.description
    request = Int(r.number)
    requested = r.requested.description
    due = r.due.description
    daysLeft = Int(r.due.daysSinceEpoch - Day.today().daysSinceEpoch)
    note = r.note.isEmpty ? nil : r.note
  }
}
