import Foundation
import Testing

extension CLISandbox {
  /// Runs a shell command in the sandbox (for age, unzip, sha256sum, script).
  @discardableResult
  func shell(_ command: String, input: String = "") throws -> (status: Int32, out: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    p.currentDirectoryURL = root
    let stdin = Pipe()
    let stdout = Pipe()
    p.standardInput = stdin
    p.standardOutput = stdout
    p.standardError = stdout
    try p.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let out = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return (p.terminationStatus, out)
  }

  /// A client with a signed note holding markup, a psychotherapy note, and a consent with a non-ASCII file name.
  func exportableClient() throws -> String {
    let c = try addClient(["--legal-name", "María García-Núñez", "--preferred-name", "Mía"])
    try ok(["add-note", c, "--sign"], input: Data("Talked about <script>alert('x')</script> & sleep.\n".utf8))
    try ok(["add-note", c, "--kind", "psychotherapy"], input: Data("process note, private\n".utf8))
    let doc = try write("%PDF-1.7 signed\n", to: "Größe – consent.pdf")
    try ok(["consent", "add", c, "--kind", "informed-consent", "--file", doc, "--signed", day(-3)])
    return c
  }
}

@Suite("client export through the binary")
struct ExportCLITests {
  @Test("an export to an age key opens with age, unzips, matches its manifest, and holds the whole record, escaped")
  func x25519() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.exportableClient()
    #expect(try s.shell("age-keygen -o key 2>/dev/null").status == 0)
    let recipient = try s.shell("age-keygen -y key").out.trimmingCharacters(in: .whitespacesAndNewlines)
    let r = try s.vaultRun(["export", c, "--out", "record.age", "--recipient", recipient, "--identity-verified", "photo ID in person", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try s.shell("age -d -i key -o record.zip record.age && unzip -q record.zip -d out && cd out && sha256sum -c --quiet manifest.sha256").status == 0)
    let out = s.root.appendingPathComponent("out")
    let files = try FileManager.default.subpathsOfDirectory(atPath: out.path)
    #expect(files.contains("documents/\(c).C1_Größe – consent.pdf"), "\(files)")
    #expect(!files.contains { $0.contains("psychotherapy") }, "psychotherapy notes are left out")
    let manifest = try String(contentsOf: out.appendingPathComponent("manifest.sha256"), encoding: .utf8)
    #expect(Set(manifest.split(separator: "\n").map { String($0.split(separator: " ", maxSplits: 1)[1].dropFirst()) }) == Set(files.filter { !$0.hasSuffix("/") && $0 != "manifest.sha256" && !["notes", "documents"].contains($0) }))
    let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("record.json"))) as? [String: Any])
    #expect(record["format"] as? String == "vault-export/1")
    #expect(((record["client"] as? [String: Any])?["record"] as? [String: Any])?["legalName"] as? String == "María García-Núñez")
    #expect((record["notes"] as? [[String: Any]])?.count == 1 && record["psychotherapyNotesLeftOut"] as? Int == 1)
    #expect((record["notes"] as? [[String: Any]])?.first?["text"] as? String == "Talked about <script>alert('x')</script> & sleep.\n")
    #expect(((record["accessHistory"] as? [[String: Any]])?.count ?? 0) >= 3)
    let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
    #expect(html.contains("Talked about &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; sleep."))
    #expect(!html.lowercased().contains("<script") && !html.contains("http://") && !html.contains("https://"))
    let accounting = try #require(try s.json(["disclosures", c]) as? [[String: Any]])
    #expect(accounting.last?["basis"] as? String == "client-request" && accounting.last?["reason"] as? String == "identity verified: photo ID in person")
    #expect(try s.ok(["log", "show", "--action", "export"]).contains("identity verified: photo ID in person"))
  }

  @Test("passphrase exports open with age on a terminal and with vault export open; unencrypted needs saying so")
  func passphrases() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.exportableClient()
    let r = try s.vaultRun(["export", c, "--out", "p.age", "--passphrase", "--identity-verified", "known client", "--include-psychotherapy-notes", "--include-drafts", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let generated = try #require((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["passphrase"] as? String)
    #expect(generated.split(separator: "-").count == 6)
    let age = try s.shell("script -qec 'age -d -o p.zip p.age' /dev/null", input: generated + "\n")
    #expect(age.status == 0, "\(age.out)")
    #expect(try s.shell("unzip -l p.zip").out.contains("psychotherapy"))
    try s.write(generated + "\n", to: "gen.txt")
    #expect(try s.run(["export", "open", "p.age", "--out", "again.zip", "--passphrase-file", s.root.appendingPathComponent("gen.txt").path]).status == 0)
    #expect(try s.shell("cmp p.zip again.zip").status == 0)
    try s.write("not the passphrase\n", to: "wrong.txt")
    let wrong = try s.run(["export", "open", "p.age", "--out", "no.zip", "--passphrase-file", s.root.appendingPathComponent("wrong.txt").path])
    #expect(wrong.status == 1 && wrong.stderr.contains("none of the given keys or passphrases") && !FileManager.default.fileExists(atPath: s.root.appendingPathComponent("no.zip").path))

    let own = try s.write("our own export passphrase\n", to: "own.txt")
    try s.ok(["export", c, "--out", "own.age", "--export-passphrase-file", own, "--identity-verified", "known client"])
    #expect(try s.shell("script -qec 'age -d -o own.zip own.age' /dev/null", input: "our own export passphrase\n").status == 0)

    #expect(try s.vaultRun(["export", c, "--out", "plain.zip", "--identity-verified", "in office"]).status == 2, "protection must be chosen")
    try s.ok(["export", c, "--out", "plain.zip", "--unencrypted", "--identity-verified", "in office"])
    #expect(try s.shell("unzip -tq plain.zip").status == 0)
  }

  @Test("refused without identity verification, bad recipients and bad outputs; nothing is written")
  func refusals() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.exportableClient()
    try s.write("exists\n", to: "exists.age")
    let before = try s.vaultFiles().filter { !$0.key.hasPrefix("log/") }
    let cases: [([String], Int32, String)] = [
      (["--out", "a.age", "--unencrypted"], 1, "identity is verified (HIPAA 164.514(h))"),
      (["--out", "a.age", "--unencrypted", "--no-identity-check"], 2, "needs --reason"),
      (["--out", "a.age", "--recipient", "ssh-ed25519 AAAA", "--identity-verified", "x"], 1, "is not an age recipient"),
      (["--out", "a.age", "--recipient", "age1qqqq", "--identity-verified", "x"], 1, "is not an age recipient"),
      (["--out", "exists.age", "--unencrypted", "--identity-verified", "x"], 1, "already exists"),
      (["--out", s.root.path, "--unencrypted", "--identity-verified", "x"], 1, "is a directory"),
      (["--out", "a.age", "--passphrase", "--unencrypted", "--identity-verified", "x"], 2, "choose how to protect the file"),
    ]
    for (args, status, message) in cases {
      let r = try s.vaultRun(["export", c] + args)
      #expect(r.status == status && r.stderr.contains(message), "\(args): \(r.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: s.root.appendingPathComponent("a.age").path))
    #expect(try s.vaultFiles().filter { !$0.key.hasPrefix("log/") } == before, "no disclosure was recorded")
    try s.ok(["export", c, "--out", "flagged.zip", "--unencrypted", "--no-identity-check", "--reason", "court-ordered copy"])
    #expect(try s.ok(["log", "show", "--action", "export"]).contains("FLAGGED: identity not verified"))
  }

  @Test("requests are tracked until an export fulfils them; a client with no notes exports too")
  func requests() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Zoë Ångström"])
    try s.ok(["export", "request", c, "--date", s.day(-25), "--note", "by e-mail"])
    let pending = try #require(try s.json(["export", "pending"]) as? [[String: Any]])
    #expect(pending.count == 1 && pending[0]["daysLeft"] as? Int == 5 && pending[0]["due"] as? String == s.day(5))
    try s.ok(["export", c, "--out", "z.zip", "--unencrypted", "--identity-verified", "video call, known client"])
    #expect((try s.json(["export", "pending"]) as? [Any])?.isEmpty == true)
    #expect(try s.shell("unzip -q z.zip -d z && grep -c 'None.' z/index.html").out.trimmingCharacters(in: .whitespacesAndNewlines) != "0")
    let accounting = try #require(try s.json(["disclosures", c]) as? [[String: Any]])
    #expect(accounting.count == 1 && accounting[0]["recipient"] as? String == "Zoë Ångström")
  }

  // Review (issue 16): index.html links each document by its raw ZIP path; a name with '#', '%'
  // or '?'-free but URL-significant characters ("Consent #2.pdf", "100% signed.pdf") makes a
  // link a browser resolves to another file (the text after '#' is a fragment; '%2' is an escape).
  @Test("every document link of index.html resolves, as a browser resolves it, to the document in the ZIP")
  func documentLinksResolve() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ann Lee"])
    for name in ["Consent #2.pdf", "100% signed.pdf", "a%41b.pdf"] {
      let doc = try s.write("%PDF-1.7\n", to: name)
      try s.ok(["consent", "add", c, "--kind", "other", "--file", doc])
    }
    try s.ok(["export", c, "--out", "l.zip", "--unencrypted", "--identity-verified", "in person"])
    #expect(try s.shell("unzip -q l.zip -d l").status == 0)
    let folder = s.root.appendingPathComponent("l/")
    let html = try String(contentsOf: folder.appendingPathComponent("index.html"), encoding: .utf8)
    let hrefs = html.components(separatedBy: "<a href=\"").dropFirst().map { String($0.prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&") }
    #expect(hrefs.count == 3)
    for href in hrefs {
      // As a browser (WHATWG URL) resolves a relative link to a file: the part before '#' or '?',
      // then each valid %XX escape decoded.
      let path = String(href.prefix { $0 != "#" && $0 != "?" })
      var bytes: [UInt8] = []
      var u = Array(path.utf8)[...]
      while let b = u.first {
        if b == UInt8(ascii: "%"), u.count >= 3, let v = UInt8(String(decoding: u.dropFirst().prefix(2), as: UTF8.self), radix: 16) {
          bytes.append(v)
          u = u.dropFirst(3)
        } else {
          bytes.append(b)
          u = u.dropFirst()
        }
      }
      let target = folder.appendingPathComponent(String(decoding: bytes, as: UTF8.self)).path
      #expect(FileManager.default.fileExists(atPath: target), "the link \(href) opens \(target), which is not in the ZIP")
    }
  }

  @Test("hostile content stays inert and excluded notes leave no trace; requests are answered oldest first")
  func hostileContent() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    // U+0600 is a "prepend" character: by grapheme cluster it would fuse with the "<".
    try s.ok(["add-note", c, "--sign"], input: Data("x \u{600}<img src=x onerror=alert(2)>\n".utf8))
    try s.ok(["add-note", c, "--kind", "psychotherapy"], input: Data("hidden\n".utf8))
    try s.ok(["note", "show", c + ".2", "--reason", "supervision review"])
    let longName = String(repeating: "記録", count: 41) + ".pdf"  // 250 bytes: near the file-system limit
    let doc = try s.write("%PDF-1.7\n", to: longName)
    try s.ok(["consent", "add", c, "--kind", "other", "--file", doc])
    try s.ok(["export", "request", c, "--date", s.day(-3)])
    try s.ok(["export", "request", c, "--date", s.day(-20)])
    try s.ok(["export", c, "--out", "x.zip", "--unencrypted", "--identity-verified", "in person"])
    #expect(try s.shell("unzip -q x.zip -d x && cd x && sha256sum -c --quiet manifest.sha256").status == 0, "a long name still extracts")
    let html = try String(contentsOf: s.root.appendingPathComponent("x/index.html"), encoding: .utf8)
    #expect(!html.contains("<img"), "markup after a prepend character is escaped")
    let json = try String(contentsOf: s.root.appendingPathComponent("x/record.json"), encoding: .utf8)
    #expect(!json.contains(c + ".2") && !json.contains("supervision review") && !html.contains(c + ".2"), "excluded notes leave no trace")
    let pending = try #require(try s.json(["export", "pending"]) as? [[String: Any]])
    #expect(pending.map { $0["requested"] as? String } == [s.day(-3)], "the older request was answered")
    let wrong = try s.vaultRun(["export", c, "--out", "y.zip", "--unencrypted", "--identity-verified", "x", "--requested", s.day(-7)])
    #expect(wrong.status == 1 && wrong.stderr.contains("no open request was received on \(s.day(-7))"))
    let bad = try s.vaultRun(["export", c, "--out", "z.zip", "--unencrypted", "--identity-verified", "photo\u{1B}[31m\nforged"])
    #expect(bad.status == 2 && bad.stderr.contains("control characters"))
  }

  @Test("an export killed half way leaves no file under its name")
  func interrupted() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    let big = s.root.appendingPathComponent("big.pdf").path
    try Data(repeating: 0x25, count: 400 << 20).write(to: URL(fileURLWithPath: big))
    try s.ok(["consent", "add", c, "--kind", "other", "--file", big])
    let p = Process()
    p.executableURL = CLISandbox.binary
    p.arguments = ["export", c, "--out", s.root.appendingPathComponent("half.zip").path, "--unencrypted", "--identity-verified", "x",
      "--vault", s.vault, "--passphrase-file", s.passphraseFile]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    // The export writes into an unnamed file in the target's directory; wait until it is being written.
    let fdDir = "/proc/\(p.processIdentifier)/fd"
    #expect(waitUntil(seconds: 60) {
      ((try? FileManager.default.contentsOfDirectory(atPath: fdDir)) ?? []).contains {
        ((try? FileManager.default.destinationOfSymbolicLink(atPath: "\(fdDir)/\($0)")) ?? "").hasPrefix(s.root.path + "/#")
      }
    })
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    #expect(!FileManager.default.fileExists(atPath: s.root.appendingPathComponent("half.zip").path))
    #expect(contents(s.root.path).allSatisfy { !$0.hasPrefix(".half") })
  }
}
