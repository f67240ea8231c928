import Foundation
import Testing
import VaultCore
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

/// Regression tests for what a hostile trial of the vault found (issue 12), through the real binary.
@Suite("defects found by a hostile trial stay fixed")
struct HostileTrialTests {
  /// A vault with one client and one note; returns the sandbox and the client's code.
  func practice() throws -> (CLISandbox, String) {
    let s = try CLISandbox()
    try s.initVault()
    let code = try s.addClient(["--legal-name", "Ann Lee"])
    let note = try s.write("first session\n", to: "note.txt")
    let r = try s.vaultRun(["add-note", code, "--file", note])
    #expect(r.status == 0, "\(r.stderr)")
    return (s, code)
  }

  @Test("a symlinked directory or file inside the vault is refused by writers and readers and reported by verify (exit 10)",
    arguments: ["log", "tmp", "slots", "objects", "clientkeys", "log/entries", "index"])
  func symlinkedEntries(_ name: String) throws {
    let (s, code) = try practice()
    let inside = "\(s.vault)/\(name)"
    let outside = s.root.appendingPathComponent("outside-\(name.replacingOccurrences(of: "/", with: "-"))").path
    #expect(rename(inside, outside) == 0)
    #expect(symlink(outside, inside) == 0)
    let before = try snapshot(outside)
    let note = try s.write("second session\n", to: "note2.txt")
    let add = try s.vaultRun(["add-note", code, "--file", note])
    #expect(add.status == 10, "add-note through a symlinked \(name): \(add.status) \(add.stderr)")
    #expect(add.stderr.contains("symbolic link"), "\(add.stderr)")
    let list = try s.vaultRun(["note", "list", code])
    #expect(list.status == 10, "note list through a symlinked \(name): \(list.status)")
    let backup = try s.run(["backup", "--to", s.root.appendingPathComponent("bk").path, "--vault", s.vault])
    #expect(backup.status == 10, "backup through a symlinked \(name): \(backup.status) \(backup.stderr)")
    // Nothing outside the vault was written through the link.
    #expect(try snapshot(outside) == before, "a command wrote through the symlinked \(name)")
    for args in [["verify"], ["verify", "--keyless"]] {
      let v = try s.vaultRun(args)
      #expect(v.status == 10, "\(args) with a symlinked \(name): \(v.status)")
      #expect((v.stdout + v.stderr).contains("symbolic link"), "\(v.stdout)\(v.stderr)")
    }
  }

  @Test("a symlinked object fan-out directory is an error for verify and refused at read")
  func symlinkedFanout() throws {
    let (s, code) = try practice()
    let fanout = try #require(try s.files(in: "objects").first)
    let outside = s.root.appendingPathComponent("fanout").path
    #expect(rename(fanout, outside) == 0)
    #expect(symlink(outside, fanout) == 0)
    let show = try s.vaultRun(["client", "show", code])
    let verify = try s.vaultRun(["verify", "--keyless"])
    #expect(verify.status == 10)
    #expect(verify.stdout.contains("is a symbolic link"))
    // Either the client's data lives behind the link (refused) or elsewhere (readable); never followed.
    #expect(show.status == 0 || show.status == 10)
  }

  @Test("a damaged object makes backup fail with exit 10 naming the object, in text and JSON")
  func damagedObjectBackup() throws {
    let (s, _) = try practice()
    let objects = try s.files(in: "objects").flatMap { dir in try FileManager.default.contentsOfDirectory(atPath: dir).map { "\(dir)/\($0)" } }
    let victim = try #require(objects.first)
    try s.flipBit(victim, at: 100)
    let dest = s.root.appendingPathComponent("bk").path
    let text = try s.run(["backup", "--to", dest, "--vault", s.vault])
    #expect(text.status == 10, "\(text.stderr)")
    #expect(text.stderr.contains(URL(fileURLWithPath: victim).lastPathComponent))
    #expect(!text.stderr.contains("internal error"))
    let json = try s.run(["backup", "--to", dest, "--vault", s.vault, "--json"])
    #expect(json.status == 10)
    #expect(json.stderr.contains("\"kind\":\"integrity\""), "\(json.stderr)")
  }

  @Test("an oversized index or checkpoints file is an integrity failure (exit 10), not an I/O error",
    arguments: ["index", "log/checkpoints"])
  func oversized(_ name: String) throws {
    let (s, code) = try practice()
    // Sparse: the size is what matters, and it must be refused before anything is read.
    #expect(Glibc.truncate("\(s.vault)/\(name)", (1 << 30) + 4096) == 0)
    let r = try s.vaultRun(["note", "list", code])
    #expect(r.status == 10, "\(name): \(r.status) \(r.stderr)")
    #expect(!r.stderr.contains("check that it exists"))
  }

  @Test("a damaged first log record stops writers and readers (exit 10) and nothing is appended after it")
  func damagedFirstRecord() throws {
    let (s, code) = try practice()
    let entries = "\(s.vault)/log/entries"
    // The first record's body starts after the file header (12 bytes) and its u32 length and u64 seq.
    try s.flipBit(entries, at: 12 + 12 + 30)
    let size = try FileStatus.size(entries)
    let note = try s.write("another session\n", to: "n2.txt")
    for args in [["add-note", code, "--file", note], ["note", "list", code]] {
      let r = try s.vaultRun(args)
      #expect(r.status == 10, "\(args): \(r.status) \(r.stderr)")
      #expect(r.stderr.contains("entry 1"), "\(r.stderr)")
    }
    let backup = try s.run(["backup", "--to", s.root.appendingPathComponent("bk").path, "--vault", s.vault])
    #expect(backup.status == 10, "\(backup.stderr)")
    #expect(try FileStatus.size(entries) == size, "an entry was appended after a damaged first record")
  }

  @Test("a newline, escape or bidirectional override in a stored file name or name is shown escaped by every printer")
  func escapedEverywhere() throws {
    let (s, code) = try practice()
    let forged = "evil\u{1B}[2J\r\n\(code).C9  informed-consent  valid  forged.pdf"
    let doc = s.root.appendingPathComponent(forged).path
    #expect(FileManager.default.createFile(atPath: doc, contents: Data("%PDF-1.4\n".utf8)))
    let add = try s.vaultRun(["consent", "add", code, "--kind", "other", "--file", doc, "--signed", "today"])
    #expect(add.status == 0, "\(add.stderr)")
    let hostile = "Eve \u{202E}live"
    let eve = try s.addClient(["--legal-name", hostile])
    var outputs = [add.stdout]
    for args in [["consent", "list", code], ["consent", "show", "\(code).C1"], ["client", "list"], ["client", "show", eve],
      ["log", "show"], ["disclosures", code]] {
      let r = try s.vaultRun(args)
      #expect(r.status == 0, "\(args): \(r.stderr)")
      outputs.append(r.stdout + r.stderr)
    }
    for out in outputs {
      #expect(!out.contains("\u{1B}") && !out.contains("\r") && !out.contains("\u{202E}"), "a control reached the terminal: \(out.debugDescription)")
      // The forged row never starts a line of its own.
      #expect(!out.split(separator: "\n").contains { $0.hasPrefix("\(code).C9") }, "a file name forged a row: \(out)")
    }
    #expect(outputs[1].contains("evil\\e[2J\\r\\n\(code).C9"), "\(outputs[1])")
  }

  @Test("bytes that are not UTF-8 are refused in text options (exit 2, nothing stored) but work in file paths")
  func nonUTF8Arguments() throws {
    let (s, code) = try practice()
    let before = try s.vaultFiles()
    let bad = s.rawRun(["client", "add", "--vault", s.vault, "--legal-name"], raw: [0x42, 0x61, 0x64, 0xFF, 0xFE, 0x4E], env: ["VAULT_PASSPHRASE_FILE": s.passphraseFile])
    #expect(bad.status == 2, "\(bad.stderr)")
    #expect(bad.stderr.contains("--legal-name is not valid UTF-8"), "\(bad.stderr)")
    #expect(try s.vaultFiles() == before, "a refused argument changed the vault")
    let search = s.rawRun(["search", "--vault", s.vault], raw: [0x63, 0x61, 0x66, 0xE9], env: ["VAULT_PASSPHRASE_FILE": s.passphraseFile])
    #expect(search.status == 2)
    #expect(search.stderr.contains("<query> argument is not valid UTF-8"), "\(search.stderr)")
    // A Latin-1 file name: the file is found by its bytes.
    let name: [UInt8] = Array("caf".utf8) + [0xE9] + Array(".txt".utf8)
    let path = Array(s.root.path.utf8) + [0x2F] + name
    let fd = path.map { CChar(bitPattern: $0) }.withUnsafeBufferPointer { buf in
      (Array(buf) + [0]).withUnsafeBufferPointer { open($0.baseAddress!, O_WRONLY | O_CREAT | O_EXCL, 0o600) }
    }
    #expect(fd >= 0)
    _ = "a note from a Latin-1 named file\n".withCString { write(fd, $0, strlen($0)) }
    close(fd)
    let add = s.rawRun(["add-note", code, "--vault", s.vault, "--file"], raw: path, env: ["VAULT_PASSPHRASE_FILE": s.passphraseFile])
    #expect(add.status == 0, "\(add.stderr)")
    let missing = s.rawRun(["add-note", code, "--vault", s.vault, "--file"], raw: path + [0x78], env: ["VAULT_PASSPHRASE_FILE": s.passphraseFile])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("caf\\xE9.txtx"), "the path is shown with its byte escaped: \(missing.stderr)")
  }

  // Skipped under sanitizers (VAULT_SKIP_BIG): their shadow memory inflates the peak this bounds.
  @Test("verification of huge (sparse) log files stays under 64 MiB and reports them (exit 10)",
    .enabled(if: ProcessInfo.processInfo.environment["VAULT_SKIP_BIG"] == nil))
  func boundedMemory() throws {
    let (s, _) = try practice()
    #expect(Glibc.truncate("\(s.vault)/log/checkpoints", (1 << 30) - 100) == 0)
    #expect(Glibc.truncate("\(s.vault)/log/entries", 1 << 30) == 0)
    for args in [["log", "verify"], ["verify", "--keyless"], ["verify"]] {
      let (status, peak) = try s.measured(args + ["--vault", s.vault, "--passphrase-file", s.passphraseFile])
      #expect(status == 10, "\(args): \(status)")
      #expect(peak < 64 << 10, "\(args) peaked at \(peak) KiB")
    }
  }

  @Test("what an interrupted command left (objects it never committed, temporary files) is reclaimed by the next writer, which says so and logs it")
  func reclaimLeftovers() throws {
    let (s, code) = try practice()
    let vault = try Vault.open(at: s.vault)
    let pass = try Array(s.passphrase.utf8).withUnsafeBytes { try SecureBytes(copying: $0) }
    let unlocked = try vault.unlock(.passphrase(pass))
    // As a command killed between writing its objects and its commit leaves them.
    try unlocked.markUnfinished()
    let orphan = try vault.layout.objectStore.put(
      [UInt8](repeating: 7, count: 300_000), binding: ObjectBinding(type: .document, client: .none), key: unlocked.keys.vaultObjects,
      vault: vault.config.vaultID)
    #expect(FileManager.default.createFile(atPath: "\(s.vault)/tmp/.tmp-0123456789abcdef", contents: Data(count: 1 << 20)))
    let warned = try s.vaultRun(["verify"])
    #expect(warned.stdout.contains("not referenced") && warned.stdout.contains("tmp/unfinished"), "\(warned.stdout)")
    // A reader changes nothing.
    #expect(try s.vaultRun(["note", "list", code]).status == 0)
    #expect(vault.layout.objectStore.exists(orphan))

    let note = try s.write("after the crash\n", to: "n2.txt")
    let add = try s.vaultRun(["add-note", code, "--file", note])
    #expect(add.status == 0, "\(add.stderr)")
    #expect(add.stderr.contains("reclaimed 1 object, 1 temporary file"), "\(add.stderr)")
    #expect(!vault.layout.objectStore.exists(orphan))
    #expect(try FileManager.default.contentsOfDirectory(atPath: "\(s.vault)/tmp") == [])
    let clean = try s.vaultRun(["verify"])
    #expect(clean.status == 0 && !clean.stdout.contains("warning"), "\(clean.stdout)")
    let log = try s.vaultRun(["log", "show", "--json"])
    #expect(log.stdout.contains("\"action\":\"reclaim\""), "\(log.stdout)")
    // Nothing is left to reclaim the next time.
    let again = try s.vaultRun(["add-note", code, "--file", note])
    #expect(again.status == 0 && !again.stderr.contains("reclaimed"))
  }

  @Test("a document being added when vault is killed (SIGKILL) or interrupted (SIGINT, SIGTERM) leaves no file behind",
    arguments: [SIGKILL, SIGINT, SIGTERM])
  func interruptedConsentAdd(_ signal: Int32) throws {
    let (s, code) = try practice()
    let before = try s.vaultFiles().keys.filter { $0.hasPrefix("objects/") }
    // A large (sparse) document: encrypting it takes seconds, so vault is caught mid-write.
    let doc = s.root.appendingPathComponent("scan.pdf").path
    #expect(FileManager.default.createFile(atPath: doc, contents: Data("%PDF-1.4\n".utf8)))
    #expect(truncate(doc, 4 << 30) == 0)
    // Spawned with SIGINT and SIGTERM at their defaults and unblocked: a test runner may ignore
    // or block them, and both are inherited.
    let args = [CLISandbox.binary.path, "consent", "add", code, "--kind", "other", "--file", doc, "--signed", "today", "--vault", s.vault]
    var cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
    let environment: [String] = ["HOME=\(s.root.path)", "PATH=/usr/bin:/bin", "VAULT_PASSPHRASE_FILE=\(s.passphraseFile)"]
    var cEnv: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
    defer { (cArgs + cEnv).forEach { free($0) } }
    var attr = posix_spawnattr_t()
    posix_spawnattr_init(&attr)
    defer { posix_spawnattr_destroy(&attr) }
    var defaults = sigset_t()
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGINT)
    sigaddset(&defaults, SIGTERM)
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigdefault(&attr, &defaults)
    posix_spawnattr_setsigmask(&attr, &none)
    posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    var pid: pid_t = 0
    #expect(posix_spawn(&pid, args[0], nil, &attr, &cArgs, &cEnv) == 0)
    // Wait (bounded) until vault holds its unnamed object file open in tmp/.
    let tmp = "\(s.vault)/tmp/"
    let writing = waitUntil(seconds: 30) {
      let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
      return fds.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)"))?.hasPrefix(tmp) == true }
    }
    #expect(writing, "vault never opened its object file")
    kill(pid, signal)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    #expect(status & 0x7F == signal, "vault was not ended by the signal (status \(status))")
    #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).filter { $0 != "unfinished" } == [], "a partial document was left in tmp/")
    let after = try s.vaultFiles().keys.filter { $0.hasPrefix("objects/") }
    #expect(Set(after) == Set(before), "\(Set(after).symmetricDifference(Set(before)))")
    let verify = try s.vaultRun(["verify"])
    #expect(verify.status == 0, "\(verify.stdout)")
  }

  @Test("a restore removes the staging directories that killed restores left beside its target, and only those")
  func abandonedStaging() throws {
    let (s, _) = try practice()
    let dest = s.root.appendingPathComponent("bk").path
    #expect(try s.run(["backup", "--to", dest, "--vault", s.vault]).status == 0)
    // A process that has ended: its pid names an abandoned directory.
    let done = Process()
    done.executableURL = URL(fileURLWithPath: "/bin/true")
    try done.run()
    done.waitUntilExit()
    let abandoned = s.root.appendingPathComponent(".old.restore-\(done.processIdentifier)-0a1b2c3d").path
    let running = s.root.appendingPathComponent(".other.restore-\(getpid())-0a1b2c3d").path
    for d in [abandoned, running] { try FileManager.default.createDirectory(atPath: d + "/objects", withIntermediateDirectories: true) }
    let r = try s.run(["restore", "--from", dest, "--to", s.root.appendingPathComponent("restored").path])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: abandoned), "the abandoned staging directory is still there")
    #expect(FileManager.default.fileExists(atPath: running), "a running restore's staging directory was removed")
  }

  /// Every regular file's bytes under `path` (a file or a directory).
  func snapshot(_ path: String) throws -> [String: Data] {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return [:] }
    guard isDir.boolValue else { return [path: try Data(contentsOf: URL(fileURLWithPath: path))] }
    var out: [String: Data] = [:]
    for name in try FileManager.default.subpathsOfDirectory(atPath: path) {
      let full = "\(path)/\(name)"
      var d: ObjCBool = false
      if FileManager.default.fileExists(atPath: full, isDirectory: &d), !d.boolValue { out[name] = try Data(contentsOf: URL(fileURLWithPath: full)) }
    }
    return out
  }
}
