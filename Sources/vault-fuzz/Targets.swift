#if DEBUG
  #if canImport(Glibc)
    import Glibc
  #endif
  import Foundation
  @testable import VaultCore
  import VaultCrypto

  /// One fuzz target: a parser (or a reader built on parsers) fed arbitrary bytes.
  ///
  /// A parser may refuse any input by throwing; it must never trap, hang or allocate without
  /// bound, and where it has an encoder, what it accepts must encode back to the same value
  /// (checked with `FuzzTargets.check`, which aborts so libFuzzer records the input).
  struct FuzzTarget: Sendable {
    let name: String
    let run: @Sendable ([UInt8]) -> Void
  }

  enum FuzzTargets {
    nonisolated(unsafe) static var current: FuzzTarget?

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    static let all: [FuzzTarget] = [
      FuzzTarget(name: "file-header", run: fileHeader),
      FuzzTarget(name: "index", run: index),
      FuzzTarget(name: "key-slot", run: keySlot),
      FuzzTarget(name: "config", run: config),
      FuzzTarget(name: "client-key", run: clientKey),
      FuzzTarget(name: "client-index", run: clientIndex),
      FuzzTarget(name: "practice-index", run: practiceIndex),
      FuzzTarget(name: "client-record", run: clientRecord),
      FuzzTarget(name: "object", run: object),
      FuzzTarget(name: "log-entries", run: logEntries),
      FuzzTarget(name: "log-checkpoints", run: logCheckpoints),
      FuzzTarget(name: "log-entry", run: logEntry),
      FuzzTarget(name: "snapshot", run: snapshot),
      FuzzTarget(name: "backup-index", run: backupIndex),
      FuzzTarget(name: "age", run: age),
      FuzzTarget(name: "age-keys", run: ageKeys),
      FuzzTarget(name: "zip-name", run: zipName),
      FuzzTarget(name: "csv", run: csv),
      FuzzTarget(name: "note-file", run: noteFile),
      FuzzTarget(name: "html-export", run: htmlExport),
    ]

    // MARK: Checks

    static func printError(_ message: String) {
      var text = "vault-fuzz: \(message)\n"
      text.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }

    static func die(_ message: String) -> Never {
      printError(message)
      exit(2)
    }

    /// A property of the parser does not hold: abort, so libFuzzer saves the input as a crash.
    static func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
      guard !condition() else { return }
      printError("CHECK FAILED: \(message())")
      abort()
    }

    /// A step of the harness itself (not of the code under test) failed.
    static func must<T>(_ what: String, _ body: () throws -> T) -> T {
      do { return try body() } catch { die("\(what): \(error)") }
    }

    /// `bytes` followed by their BLAKE2b-256: checksummed files reach their field parsers only
    /// with a valid checksum, and anyone can compute one (it is not what protects them).
    static func withChecksum(_ bytes: [UInt8]) -> [UInt8] { bytes + must("blake2b") { try Hasher.blake2b256(bytes) } }

    // MARK: Files

    static func files(at path: String) -> [String] {
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { die("\(path) does not exist") }
      guard isDir.boolValue else { return [path] }
      let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
      return names.sorted().map { "\(path)/\($0)" }.filter { !FileManager.default.fileExists(atPath: $0, isDirectory: &isDir) || !isDir.boolValue }
    }

    static func read(_ path: String) -> [UInt8]? { FileManager.default.contents(atPath: path).map { [UInt8]($0) } }

    /// Replaces the file at `path` (no fsync: thousands of inputs a second go through here).
    static func write(_ bytes: [UInt8], to path: String) {
      let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
      guard fd >= 0 else { die("cannot write \(path): errno \(errno)") }
      defer { close(fd) }
      var done = 0
      while done < bytes.count {
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
        guard n > 0 else { die("cannot write \(path): errno \(errno)") }
        done += n
      }
    }

    // MARK: Targets

    static let fileKinds = (UInt8(1)...UInt8(9)).compactMap(FileKind.init(rawValue:))

    /// FileHeader and ChecksummedFile, as every kind of file.
    static func fileHeader(_ input: [UInt8]) {
      let fixed = withChecksum(input)
      for kind in fileKinds {
        var r = ByteReader(input)
        if (try? FileHeader.read(kind, from: &r)) != nil {
          check(Array(input.prefix(FileHeader.size)) == FileHeader.encode(kind), "FileHeader.read accepted a header it would not write")
        }
        for bytes in [input, fixed] {
          if let body = try? ChecksummedFile.decode(kind, bytes) {
            check((try? ChecksummedFile.encode(kind, body: body)) == bytes, "ChecksummedFile \(kind) does not round-trip")
          }
        }
      }
    }

    /// The vault index: keyless structure check, then the keyed decode.
    static func index(_ input: [UInt8]) {
      let ctx = FuzzContext.shared
      for bytes in [input, withChecksum(input)] {
        try? VaultIndex.checkStructure(bytes)
        if let index = try? VaultIndex.decode(bytes, keys: ctx.keys, vault: ctx.vaultID) {
          let again = try? VaultIndex.decode(must("encode index") { try index.encoded(keys: ctx.keys, vault: ctx.vaultID) }, keys: ctx.keys, vault: ctx.vaultID)
          check(again == index, "VaultIndex does not round-trip")
        }
      }
    }

    static func keySlot(_ input: [UInt8]) {
      for bytes in [input, withChecksum(input)] {
        if let slot = try? KeySlot.decode(bytes) {
          check((try? slot.encoded()) == bytes, "KeySlot does not round-trip")
          _ = slot.kind.description
        }
      }
    }

    static func config(_ input: [UInt8]) {
      let ctx = FuzzContext.shared
      for bytes in [input, withChecksum(input)] {
        if let config = try? VaultConfig.decode(bytes) {
          check((try? config.encoded()) == bytes, "VaultConfig does not round-trip")
          _ = try? config.isAuthentic(for: ctx.keys)
        }
      }
    }

    static func clientKey(_ input: [UInt8]) {
      let ctx = FuzzContext.shared
      for bytes in [input, withChecksum(input)] {
        if let file = try? ClientKeyFile.decode(bytes) {
          check((try? file.encoded()) == bytes, "ClientKeyFile does not round-trip")
          _ = try? file.open(as: KeyHolder(id: nil, personal: nil), keys: ctx.keys, vault: ctx.vaultID)
        }
      }
    }

    /// The plaintext of a client index object. Authenticated under the client key on disk; it is
    /// fuzzed in the clear so that a key holder's hostile (or buggy) index cannot crash a reader.
    static func clientIndex(_ input: [UInt8]) {
      guard let index = try? ClientIndex.decode(input) else { return }
      check((try? ClientIndex.decode(index.encoded())) == index, "ClientIndex does not round-trip")
      // What listings do with a decoded index: dates and numbers are shown, objects listed.
      var days = [index.startDate] + (index.dischargeDate.map { [$0] } ?? [])
      days += index.notes.map(\.date) + index.disclosures.map(\.date) + index.requests.map(\.requested)
      days += index.consents.flatMap { [$0.signed, $0.expires].compactMap { $0 } + $0.events.map(\.date) }
      for d in days { _ = d.description }
      _ = index.referencedObjects.count
      _ = index.lastSession
      if let last = index.notes.last { _ = index.note(last.number) }
    }

    static func practiceIndex(_ input: [UInt8]) {
      guard let index = try? PracticeIndex.decode(input) else { return }
      check((try? PracticeIndex.decode(index.encoded())) == index, "PracticeIndex does not round-trip")
      _ = index.currentForms.count
    }

    static func clientRecord(_ input: [UInt8]) {
      guard let record = try? ClientRecord.decode(input) else { return }
      let encoded = must("encode client record") { try record.encoded() }
      check((try? ClientRecord.decode(encoded)) == record, "ClientRecord does not round-trip")
      _ = try? record.validate()
      _ = record.changes(from: ClientRecord(legalName: "x", startDate: Day(daysSinceEpoch: 0)))
      for d in [record.dateOfBirth, record.dischargeDate, record.startDate].compactMap({ $0 }) { _ = d.description }
    }

    /// An object file: the clear header, then the chunk framing read with a real key (chunks
    /// from the fuzzer do not authenticate, but lengths and the header are parsed first).
    static func object(_ input: [UInt8]) {
      if let header = try? ObjectHeader.decode(Array(input.prefix(ObjectHeader.size))) {
        check(header.encoded == Array(input.prefix(ObjectHeader.size)), "ObjectHeader does not round-trip")
      }
      _ = try? ObjectHeader.decode(input)
      let ctx = FuzzContext.shared
      guard let id = try? ObjectID(bytes: Hasher.blake2b256(input)) else { die("object id") }
      let store = ObjectStore(directory: ctx.objects, temporaryDirectory: ctx.vault.layout.tmp)
      let path = store.path(for: id)
      _ = mkdir(SystemPath.parent(path), 0o700)
      write(input, to: path)
      defer { unlink(path) }
      try? store.checkHash(id)
      for binding in [ObjectBinding(type: .document, client: .none), ObjectBinding(type: .practiceIndex, client: .none)] {
        _ = try? store.get(id, binding: binding, key: ctx.keys.vaultObjects, vault: ctx.vaultID)
      }
    }

    /// `log/entries` of a real vault replaced by the input: keyless and keyed verification and
    /// the tail an append would start from.
    static func logEntries(_ input: [UInt8]) {
      let ctx = FuzzContext.shared
      write(input, to: ctx.vault.layout.logEntries)
      let log = AccessLog(vault: ctx.vault)
      _ = try? LogVerifier(log: log).run()
      _ = try? LogVerifier(log: log).run(unlocked: ctx.unlocked)
      _ = try? log.head()
      if let file = try? LogFile(path: ctx.vault.layout.logEntries, kind: .logEntries, lock: LOCK_SH) {
        _ = try? file.tail(vault: ctx.vaultID)
      }
    }

    /// `log/checkpoints` of a real vault replaced by the input.
    static func logCheckpoints(_ input: [UInt8]) {
      let ctx = FuzzContext.shared
      write(input, to: ctx.vault.layout.logCheckpoints)
      let log = AccessLog(vault: ctx.vault)
      _ = try? log.checkpoints()
      _ = try? log.head()
      _ = try? LogVerifier(log: log).run()
    }

    /// One decrypted log entry (JSON), and one checkpoint record.
    static func logEntry(_ input: [UInt8]) {
      if let entry = try? LogEntry.decode(input) {
        check((try? LogEntry.decode(entry.encoded())) == entry, "LogEntry does not round-trip")
        _ = LogEntry.parse(entry.time)
      }
      if let c = try? Checkpoint.decode(input) {
        check(c.encoded == input, "Checkpoint does not round-trip")
        _ = LogEntry.format(seconds: c.time)
        _ = try? c.link()
      }
      if input.count >= 8 { _ = LogEntry.format(seconds: Int64(bitPattern: LittleEndian.u64(input))) }
    }

    /// A backup snapshot manifest (its JSON, inside a valid checksummed file) read from a real
    /// repository, and the retention rule applied to it.
    static func snapshot(_ input: [UInt8]) {
      let ctx = FuzzContext.shared
      // The file name must be the id the manifest gives itself; names that cannot be file names get a placeholder.
      var name = "x"
      if let s = try? JSONDecoder().decode(Snapshot.self, from: Data(input)), !s.id.isEmpty, s.id.utf8.count <= 100, s.id != ".", s.id != "..",
        s.id.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) })
      {
        name = s.id
      }
      let path = ctx.repository.store.path(of: BackupRepository.snapshotsFolder) + "/\(name)"
      // Both manifest revisions: a list of objects in the JSON makes it one of revision 0.
      let revision: UInt8 = input.count > 10 && String(decoding: input, as: UTF8.self).contains("\"objects\"") ? 0 : 1
      write(must("encode snapshot file") { try ChecksummedFile.encode(.backupSnapshot, revision: revision, body: input) }, to: path)
      defer { unlink(path) }
      guard let (snapshots, _) = try? ctx.repository.snapshots() else { return }
      for s in snapshots {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        let again = try? JSONDecoder().decode(Snapshot.self, from: e.encode(s))
        check(again == s, "Snapshot does not round-trip")
        _ = s.date
        _ = s.objects?.map { ObjectID(hex: $0) }
      }
      _ = RetentionPolicy(daily: 7, weekly: 4, monthly: 12, yearly: 3).keep(snapshots)
    }

    /// A backup index file's body (after its header; the name is made to match, so parsing is
    /// reached) and, on its own, a pack trailer: what parses must encode back to the same bytes.
    static func backupIndex(_ input: [UInt8]) {
      let file = FileHeader.encode(.backupIndex) + input
      let name = must("hash") { Hex.encode(try Hasher.blake2b256(file)) }
      if let packs = try? RepositoryIndex.decode(file, name: name) {
        check(RepositoryIndex.encode(packs) == file, "an index file does not round-trip")
        for p in packs { _ = p.trailer.located; _ = p.trailer.packSize }
      }
      if let trailer = try? PackTrailer.decode(input) {
        check(trailer.encoded == input, "a pack trailer does not round-trip")
      }
    }

    /// An age file: header, stanzas, MAC and STREAM payload. Seeds are test vectors encrypted to
    /// the vectors' X25519 identity, so mutations of the payload pass the header and reach STREAM.
    static func age(_ input: [UInt8]) {
      let ctx = FuzzContext.shared
      var offset = 0
      var total = 0
      do {
        try AgeReader(identities: ctx.ageIdentities).decrypt({ buffer in
          let n = min(buffer.count, input.count - offset, 4096)
          input.withUnsafeBytes { src in buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[offset..<offset + n])) }
          offset += n
          return n
        }) { chunk in total += chunk.count }
        check(total <= input.count, "age plaintext longer than its ciphertext")
      } catch {}
    }

    /// Age recipient and identity strings, Bech32 and age's canonical base64.
    static func ageKeys(_ input: [UInt8]) {
      let text = String(decoding: input, as: UTF8.self)
      if case .x25519(let key)? = try? AgeRecipient.parse(text) {
        check(AgeRecipient.encode(publicKey: key) == text, "AgeRecipient does not round-trip")
      }
      if (try? AgeIdentity.parse(text)) != nil { check(text.hasPrefix("AGE-SECRET-KEY-1"), "odd identity accepted") }
      if let (hrp, data) = Bech32.decode(text) {
        check(Bech32.encode(hrp: hrp, data) == text.lowercased(), "Bech32 does not round-trip")
      }
      if let data = AgeBase64.decode(input) {
        check(Array(AgeBase64.encode(data).utf8) == input, "age base64 is not canonical")
      }
    }

    /// The passphrase of the html-export seed.
    static func htmlExportPassphrase() throws -> SecureBytes { try Array("fuzz".utf8).withUnsafeBytes { try SecureBytes(copying: $0) } }

    /// An HTML export page (`vault export open FILE.html`): its elements, then every part. A
    /// header asking for more than one PBKDF2 iteration is only parsed (more would cost time, not coverage).
    static func htmlExport(_ input: [UInt8]) {
      guard let ranges = try? HTMLExportReader.elements(input) else { return }
      check(ranges.values.allSatisfy { $0.upperBound <= input.count }, "an element's range passes the end of the page")
      guard let h = ranges["vault-header"], let header = Data(base64Encoded: Data(input[h]), options: .ignoreUnknownCharacters),
        header.count == HTMLExportWriter.headerSize, Array(header[20..<24]) == [0, 0, 0, 1], let passphrase = try? htmlExportPassphrase()
      else { return }
      var total = 0
      do {
        try HTMLExportReader.open(input, passphrase: passphrase, record: { total += $0.count }, file: { total += $1.count })
        check(total <= input.count, "an HTML export's plaintext is longer than the page")
      } catch {}
    }

    /// A consent document's stored file name, as the export names it inside the ZIP.
    /// A clients CSV file (`vault import clients`): the reader never traps, numbers every record,
    /// bounds fields, and a file it reads without a problem reads back the same once written again.
    static func csv(_ input: [UInt8]) {
      _ = try? ClientImportPlan(input, source: "fuzz", today: Day(daysSinceEpoch: 20_000))
      guard let text = try? CSV.utf8Text(input, source: "fuzz") else { return }
      let records = CSV.parse(text)
      var line = 0
      for (i, r) in records.enumerated() {
        check(r.row == i + 1, "record \(i + 1) is numbered \(r.row)")
        check(r.line > line, "record \(r.row) starts on line \(r.line), not after line \(line)")
        line = r.line
        check((1...CSV.maxFields).contains(r.fields.count), "record \(r.row) has \(r.fields.count) fields")
        check(r.fields.allSatisfy { $0.utf8.count <= CSV.maxFieldBytes }, "record \(r.row) holds a field over the limit")
      }
      guard records.allSatisfy({ $0.problem == nil }) else { return }
      // Written byte by byte: a quote followed by a combining mark is one Character, which a
      // String replacement of "\"" would not double (the first crash this target found).
      var written: [UInt8] = []
      for (i, r) in records.enumerated() {
        if i > 0 { written += [0x0D, 0x0A] }
        for (j, field) in r.fields.enumerated() {
          if j > 0 { written.append(0x2C) }
          written.append(0x22)
          for b in field.utf8 { written += b == 0x22 ? [0x22, 0x22] : [b] }
          written.append(0x22)
        }
      }
      let again = CSV.parse(written[...])
      check(again.map(\.fields) == records.map(\.fields), "records written again read back differently")
    }

    /// A note file of `vault import notes`: front matter or a file name, never a trap; a note
    /// read is dated, not empty of client, and its length is bounded.
    static func noteFile(_ input: [UInt8]) {
      for name in ["K7F3-2Q_2024-01-01_intake.md", "note.txt"] {
        guard case .success(let note) = NoteFile.parse(input, name: name, today: Day(daysSinceEpoch: 20_000)) else { continue }
        check(!note.client.isEmpty, "a note without a client was read")
        check(note.minutes <= 1440, "a session of \(note.minutes) minutes was read")
        check(note.text.utf8.count <= input.count, "the text is longer than the file")
      }
    }

    static func zipName(_ input: [UInt8]) {
      let name = Records.safeFileName(String(decoding: input, as: UTF8.self))
      let scalars = Array(name.unicodeScalars)
      check(!name.isEmpty && name.utf8.count <= 150, "safe name empty or longer than 150 bytes: \(name.debugDescription)")
      check(!scalars.contains { "/\\:*?\"<>|".unicodeScalars.contains($0) }, "safe name keeps a reserved character: \(name.debugDescription)")
      check(
        !scalars.contains { [.control, .format].contains($0.properties.generalCategory) },
        "safe name keeps a control or format character: \(name.debugDescription)")
      check(scalars.first != ".", "safe name starts with a dot: \(name.debugDescription)")
      check(scalars.last != "." && scalars.last != " ", "safe name ends in a dot or space: \(name.debugDescription)")
      var archive: [UInt8] = []
      let zip = ZipWriter(date: Date(timeIntervalSince1970: 0)) { archive += $0 }
      must("zip") {
        try zip.add("documents/C-1_\(name)", input)
        try zip.finish()
      }
      check(archive.count > input.count, "zip shorter than its content")
    }
  }

  /// What the targets that need a real vault share: a private copy of the committed v1 fixture
  /// vault, unlocked with its passphrase, and a backup repository of it.
  final class FuzzContext: @unchecked Sendable {
    static let shared = FuzzContext()

    let workdir: String
    let vault: Vault
    let unlocked: UnlockedVault
    let repository: BackupRepository
    let ageIdentities: [AgeIdentity]
    var keys: VaultKeys { unlocked.keys }
    var vaultID: RandomID { vault.config.vaultID }
    var objects: String { "\(workdir)/objects" }

    private init() {
      let env = ProcessInfo.processInfo.environment
      let fixture = Self.fixture
      var template = Array("\(env["FUZZ_WORKDIR"] ?? NSTemporaryDirectory())/vault-fuzz-XXXXXX".utf8CString)
      guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { FuzzTargets.die("mkdtemp failed") }
      let dir = String(cString: made)
      let root = "\(dir)/vault"
      FuzzTargets.must("copy the fixture vault \(fixture) (run from the repository root, or set FUZZ_FIXTURE)") {
        try FileManager.default.copyItem(atPath: "\(fixture)/vault", toPath: root)
        try FileManager.default.createDirectory(atPath: "\(dir)/objects", withIntermediateDirectories: true)
      }
      let vault = FuzzTargets.must("open the fixture vault") { try Vault.open(at: root) }
      let passphrase = FuzzTargets.must("read the fixture passphrase") {
        try String(contentsOfFile: "\(fixture)/passphrase.txt", encoding: .utf8).trimmingCharacters(in: .newlines)
      }
      unlocked = FuzzTargets.must("unlock the fixture vault") {
        try vault.unlock(.passphrase(Array(passphrase.utf8).withUnsafeBytes { try SecureBytes(copying: $0) }))
      }
      repository = FuzzTargets.must("create a backup repository") { try BackupRepository.openOrCreate("\(dir)/backup", for: vault.config.vaultID) }
      // The identity most age test vectors are encrypted to, and one that opens nothing.
      ageIdentities = FuzzTargets.must("age identities") {
        [try AgeIdentity.parse("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"),
         try AgeIdentity.parse(AgeIdentity.generate().identity)]
      }
      workdir = dir
      self.vault = vault
      // libFuzzer ends with exit(): remove the private copy then (a crash leaves it for inspection).
      atexit {
        if let dir = FuzzContext.created { try? FileManager.default.removeItem(atPath: dir) }
      }
      FuzzContext.created = workdir
    }

    nonisolated(unsafe) static var created: String?
    static var fixture: String { ProcessInfo.processInfo.environment["FUZZ_FIXTURE"] ?? "Tests/VaultCoreTests/Fixtures/v1-vault" }
  }
#endif
