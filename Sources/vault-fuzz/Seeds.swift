#if DEBUG
  import Foundation
  @testable import VaultCore
  import VaultCrypto

  extension FuzzTargets {
    /// Writes the seeds that come from the committed fixture vault (run from the repository
    /// root): its files as they are, and the plaintexts behind its encrypted ones, which the
    /// fuzzer could never produce by mutating ciphertext. Tests/Fuzz/README.md lists the rest.
    static func writeSeeds(to directory: String) {
      let ctx = FuzzContext.shared
      let layout = ctx.vault.layout
      func seed(_ target: String, _ name: String, _ bytes: [UInt8]) {
        must("create \(directory)/\(target)") { try FileManager.default.createDirectory(atPath: "\(directory)/\(target)", withIntermediateDirectories: true) }
        write(bytes, to: "\(directory)/\(target)/\(name)")
      }
      func file(_ path: String) -> [UInt8] {
        guard let bytes = read(path) else { die("cannot read \(path)") }
        return bytes
      }
      let slots = must("list slots") { try FileManager.default.contentsOfDirectory(atPath: layout.slots).sorted() }
      let clients = must("list client keys") { try FileManager.default.contentsOfDirectory(atPath: layout.clientKeys).sorted() }
      let objects = must("list objects") { try layout.objectStore.list().objects.sorted() }

      for (name, bytes) in [("config", file(layout.config)), ("index", file(layout.index)), ("checkpoints", file(layout.logCheckpoints))] {
        seed("file-header", name, bytes)
      }
      seed("file-header", "slot", file(layout.slot(must("slot id") { try RandomID(bytes: Hex.decode(slots[0]) ?? []) })))
      seed("index", "index", file(layout.index))
      for (n, s) in slots.enumerated() { seed("key-slot", "slot-\(n + 1)", file("\(layout.slots)/\(s)")) }
      seed("config", "config", file(layout.config))
      for (n, c) in clients.enumerated() { seed("client-key", "client-key-\(n + 1)", file("\(layout.clientKeys)/\(c)")) }
      // The three smallest objects (one chunk each; larger seeds slow every mutation down).
      let small = objects.map { file(layout.objectStore.path(for: $0)) }.sorted { $0.count < $1.count }.prefix(3)
      for (n, bytes) in small.enumerated() { seed("object", "object-\(n + 1)", bytes) }
      seed("log-entries", "entries", file(layout.logEntries))
      seed("log-checkpoints", "checkpoints", file(layout.logCheckpoints))
      let checkpoints = file(layout.logCheckpoints)
      seed("log-entry", "checkpoint", Array(checkpoints.dropFirst(FileHeader.size).prefix(Checkpoint.size)))

      // Plaintexts, decrypted with the fixture's passphrase.
      let records = Records(ctx.unlocked)
      let manifest = must("fixture manifest") {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(FuzzContext.fixture)/manifest.json"))) as? [String: String] ?? [:]
      }
      let client = must("fixture client") { try records.client(manifest["code"] ?? "") }
      seed("client-index", "client-index", client.index.encoded())
      seed("client-record", "client-record", must("client record") { try records.currentRecord(client).encoded() })
      seed("practice-index", "practice-index", must("practice index") { try records.practice().encoded() })
      var n = 0
      must("log entries") {
        try AccessLog(vault: ctx.vault).entries(unlocked: ctx.unlocked) { _, entry in
          n += 1
          if n <= 3 { seed("log-entry", "entry-\(n)", try entry.encoded()) }
        }
      }
      // A real snapshot manifest: a backup of the fixture.
      let repo = must("backup repository") { try BackupRepository.openOrCreate("\(ctx.workdir)/seed-backup", for: ctx.vaultID) }
      let result = must("backup") { try BackupEngine.backup(ctx.vault, to: repo, now: Date(timeIntervalSince1970: 1_780_000_000)) }
      let snapshot = must("snapshot") { try repo.snapshot(result.snapshot.id) }
      let e = JSONEncoder()
      e.outputFormatting = [.sortedKeys]
      seed("snapshot", "snapshot", must("encode snapshot") { Array(try e.encode(snapshot)) })
      let indexes = must("list index files") { try FileManager.default.contentsOfDirectory(atPath: "\(ctx.workdir)/seed-backup/index").sorted() }
      for (n, name) in indexes.enumerated() {
        seed("backup-index", "index-\(n + 1)", Array(file("\(ctx.workdir)/seed-backup/index/\(name)").dropFirst(FileHeader.size)))
      }
      seed("html-export", "page", must("html export page") { try htmlExportSeed() })
      print("seeds written to \(directory)")
    }

    /// A small HTML export under `htmlExportPassphrase`, one iteration, so mutations reach every part.
    static func htmlExportSeed() throws -> [UInt8] {
      var page: [UInt8] = []
      let w = try HTMLExportWriter(passphrase: try htmlExportPassphrase(), iterations: 1) { page += $0 }
      try w.add("documents/K7F3-2Q.C1_consent.pdf", Array("%PDF-1.7 seed\n".utf8))
      try w.add("record.json", Array("{}\n".utf8))
      try w.add("index.html", Array("<p>Record</p>\n".utf8))
      try w.finish()
      return page
    }
  }
#endif
