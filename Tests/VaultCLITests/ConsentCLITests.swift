import Foundation
import Testing

extension CLISandbox {
  /// The day `offset` days from today, as YYYY-MM-DD (local time, as vault reads "today").
  func day(_ offset: Int) -> String {
    let f = DateFormatter()
    f.dateFormat = "yyyy-MM-dd"
    f.timeZone = .current
    return f.string(from: Date().addingTimeInterval(Double(offset) * 86_400))
  }

  /// Runs a command that must succeed and returns its stdout.
  @discardableResult
  func ok(_ args: [String], input: Data? = nil) throws -> String {
    let r = try vaultRun(args, input: input)
    #expect(r.status == 0, "\(args): \(r.stderr)")
    return r.stdout
  }

  /// Parses a command's JSON output.
  func json(_ args: [String]) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(try ok(args + ["--json"]).utf8))
  }
}

extension CLISandbox {
  /// Runs vault through `vault-bench measure` and returns its exit status and its own peak RSS
  /// in KiB. Measuring directly would not work: a child spawned by this large test process
  /// inherits its high-water mark, and RUSAGE_CHILDREN mixes in other tests' processes.
  func measured(_ args: [String]) throws -> (status: Int32, peakKiB: Int) {
    let bench = Self.binary.deletingLastPathComponent().appendingPathComponent("vault-bench").path
    let r = try run(["--"] + [Self.binary.path] + args, executable: bench, extraArgs: ["measure"])
    // The command's own output comes first; the report is the last line.
    let last = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], "\(r.stdout) \(r.stderr)")
    return (Int32(obj["status"] as? Int ?? -1), obj["peak_rss_kib"] as? Int ?? .max)
  }
}

@Suite("consent documents, forms and disclosures through the binary")
struct ConsentCLITests {
  @Test("every kind of consent is stored, listed, shown and extracted byte for byte; outputs are never overwritten by surprise")
  func storeAndExtract() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    let pdf = try s.write("%PDF-1.7 signed consent\n", to: "scan.pdf")
    for kind in ["informed-consent", "privacy-notice-acknowledgement", "telehealth-consent", "financial", "other"] {
      try s.ok(["consent", "add", c, "--kind", kind, "--file", pdf, "--signed", "2026-01-05"])
    }
    try s.ok([
      "consent", "add", c, "--kind", "release-of-information", "--file", pdf, "--signed", "2026-01-05", "--expires", s.day(100),
      "--recipient", "Dr. Lee", "--information", "dates of service", "--purpose", "coordination",
    ])
    let list = try #require(try s.json(["consent", "list", c]) as? [[String: Any]])
    #expect(list.count == 6)
    #expect(list.allSatisfy { $0["mediaType"] as? String == "application/pdf" && $0["fileName"] as? String == "scan.pdf" })
    #expect(try s.ok(["consent", "show", c + ".C6"]).contains("May disclose:       dates of service"))
    #expect(try s.ok(["client", "show", c]).contains("Consents:          6"))

    let out = s.root.appendingPathComponent("out.pdf").path
    try s.ok(["consent", "get", c + ".C1", "--out", out])
    #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(contentsOf: URL(fileURLWithPath: pdf)))
    #expect(try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int == 0o600)
    let again = try s.vaultRun(["consent", "get", c + ".C1", "--out", out])
    #expect(again.status == 1 && again.stderr.contains("already exists") && again.stderr.contains("--force"))
    try Data("old".utf8).write(to: URL(fileURLWithPath: out))
    try s.ok(["consent", "get", c + ".C2", "--out", out, "--force"])
    #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(contentsOf: URL(fileURLWithPath: pdf)))
    let link = s.root.appendingPathComponent("link.pdf").path
    let victim = try s.write("do not touch\n", to: "victim.txt")
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
    let viaLink = try s.vaultRun(["consent", "get", c + ".C1", "--out", link, "--force"])
    #expect(viaLink.status == 1 && viaLink.stderr.contains("symbolic link"))
    #expect(try String(contentsOfFile: victim, encoding: .utf8) == "do not touch\n")
    #expect(try s.vaultRun(["consent", "get", c + ".C1", "--out", s.root.path]).stderr.contains("is a directory"))
    #expect(try s.ok(["consent", "get", c + ".C1", "--out", "-"]) == "%PDF-1.7 signed consent\n")
    #expect(contents(s.root.path).allSatisfy { !$0.contains(".vault-") }, "no temporary output left")
    #expect(try s.ok(["verify"]).contains("ok: no problems found"))
  }

  @Test("a tampered document is refused and no partial output file is left")
  func tamperedDocument() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    let big = s.root.appendingPathComponent("big.bin").path
    try Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: URL(fileURLWithPath: big))
    let before = Set(try s.files(in: "objects").flatMap { try s.files(in: "objects/" + URL(fileURLWithPath: $0).lastPathComponent) })
    try s.ok(["consent", "add", c, "--kind", "other", "--file", big])
    let after = Set(try s.files(in: "objects").flatMap { try s.files(in: "objects/" + URL(fileURLWithPath: $0).lastPathComponent) })
    // The largest new object is the document.
    let doc = try #require(after.subtracting(before).max { (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int ?? 0) ?? 0 < (try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int ?? 0) ?? 0 })
    try s.flipBit(doc, at: 200_000)
    let out = s.root.appendingPathComponent("got.bin").path
    let r = try s.vaultRun(["consent", "get", c + ".C1", "--out", out])
    #expect(r.status == 10)
    #expect(!FileManager.default.fileExists(atPath: out))
    #expect(contents(s.root.path).allSatisfy { !$0.contains(".vault-") })
  }

  @Test("bad files and dates are refused with a clear message and change nothing")
  func badInput() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    let pdf = try s.write("%PDF-1.7\n", to: "scan.pdf")
    let fifo = s.root.appendingPathComponent("fifo").path
    mkfifo(fifo, 0o600)
    let before = try s.vaultFiles().filter { !$0.key.hasPrefix("log/") }
    let cases: [(args: [String], status: Int32, message: String)] = [
      (["--file", s.root.appendingPathComponent("missing.pdf").path], 1, "no such file"),
      (["--file", s.root.path], 1, "it is a directory"),
      (["--file", fifo], 1, "not a regular file"),
      // /proc files report size 0 but have content: exactly what a file changing while read looks like.
      (["--file", "/proc/self/status"], 1, "it changed while it was being read"),
      (["--file", pdf, "--signed", "2026-13-01"], 2, "there is no such day"),
      (["--file", pdf, "--signed", "01/05/2026"], 2, "YYYY-MM-DD"),
      (["--file", pdf, "--signed", s.day(3)], 1, "in the future"),
      (["--file", pdf, "--signed", "2026-01-05", "--expires", "2026-01-01"], 1, "before it was signed"),
      (["--file", pdf, "--kind", "release-of-information", "--expires", s.day(30)], 1, "needs --recipient"),
      (["--file", pdf, "--kind", "release-of-information", "--recipient", "X", "--information", "Y", "--purpose", "Z"], 1, "needs an expiry date"),
      (["--file", pdf, "--recipient", "X"], 1, "belong to a release-of-information"),
    ]
    for t in cases {
      let kind = t.args.contains("--kind") ? [] : ["--kind", "informed-consent"]
      let r = try s.vaultRun(["consent", "add", c] + kind + t.args)
      #expect(r.status == t.status, "\(t.args): \(r.stderr)")
      #expect(r.stderr.contains(t.message), "\(t.args): \(r.stderr)")
    }
    if getuid() != 0 {  // root reads any file, so unreadability can be tested only as a user
      let locked = try s.write("secret\n", to: "locked.pdf")
      chmod(locked, 0)
      let r = try s.vaultRun(["consent", "add", c, "--kind", "other", "--file", locked])
      #expect(r.status == 1 && r.stderr.contains("permission denied"))
    }
    #expect(try s.vaultFiles().filter { !$0.key.hasPrefix("log/") } == before)
    #expect(contents(s.vault + "/tmp").isEmpty)
    #expect(try s.vaultRun(["consent", "show", c + ".C9"]).stderr.contains("there is no consent \(c).C9"))
    #expect(try s.vaultRun(["consent", "show", c + ".9"]).stderr.contains("ids look like K7F3-2Q.C1"))
  }

  @Test("a file written to while it is being added is refused, and nothing of it is kept")
  func fileChangesWhileAdded() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    let path = s.root.appendingPathComponent("growing.bin").path
    try Data(repeating: 0x5A, count: 256 << 20).write(to: URL(fileURLWithPath: path))
    let before = try s.vaultFiles().filter { !$0.key.hasPrefix("log/") }
    let p = Process()
    p.executableURL = CLISandbox.binary
    p.arguments = ["consent", "add", c, "--kind", "other", "--file", path, "--vault", s.vault, "--passphrase-file", s.passphraseFile]
    let err = Pipe()
    p.standardOutput = FileHandle.nullDevice
    p.standardError = err
    try p.run()
    // Once vault has the file open, another program appends to it (a scanner still writing).
    let opened = waitUntil(seconds: 60) {
      let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(p.processIdentifier)/fd")) ?? []
      return fds.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(p.processIdentifier)/fd/\($0)")) == path }
    }
    #expect(opened)
    let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try h.seekToEnd()
    h.write(Data("more".utf8))
    try h.close()
    let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    #expect(p.terminationStatus == 1 && message.contains("it changed while it was being read"), "\(message)")
    #expect(try s.vaultFiles().filter { !$0.key.hasPrefix("log/") } == before)
    #expect(contents(s.vault + "/tmp").isEmpty)
  }

  @Test("fields are held to the bounds their readers enforce; releases need a signing date; revocations cannot be backdated")
  func boundsAndDates() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    let pdf = try s.write("%PDF-1.7\n", to: "scan.pdf")
    let long = String(repeating: "a", count: 201)
    let before = try s.vaultFiles().filter { !$0.key.hasPrefix("log/") }
    let refused: [([String], String)] = [
      (["consent", "add", c, "--kind", "financial", "--file", pdf, "--form-version", long], "form version is longer than 200 bytes"),
      (["consent", "add", c, "--kind", "financial", "--file", pdf, "--media-type", "a/" + long], "media type is longer than 200 bytes"),
      (["consent", "add", c, "--kind", "financial", "--file", pdf, "--media-type", "pdf"], "not of the form type/subtype"),
      (["consent", "add", c, "--kind", "financial", "--file", pdf, "--media-type", "text/\u{1B}[2J"], "control characters"),
      (["form", "add", "--kind", "financial", "--version", long, "--file", pdf], "form version is longer than 200 bytes"),
      (["consent", "add", c, "--kind", "release-of-information", "--file", pdf, "--expires", s.day(30), "--recipient", "X",
        "--information", "Y", "--purpose", "Z"], "needs the day it was signed"),
    ]
    for (args, message) in refused {
      let r = try s.vaultRun(args)
      #expect(r.status == 1 && r.stderr.contains(message), "\(args): \(r.stderr)")
    }
    #expect(try s.vaultFiles().filter { !$0.key.hasPrefix("log/") } == before)
    try s.ok(["consent", "add", c, "--kind", "financial", "--file", pdf, "--form-version", String(repeating: "b", count: 200)])
    #expect(try s.ok(["consent", "list", c]).contains(c + ".C1"), "a value at the bound stays readable")

    try s.ok([
      "consent", "add", c, "--kind", "release-of-information", "--file", pdf, "--signed", s.day(-20), "--expires", s.day(100),
      "--recipient", "Dr. Lee", "--recipient-address", "1 Main St", "--information", "dates", "--purpose", "care",
    ])
    try s.ok(["disclose", c, "--to", "Dr. Lee", "--what", "dates", "--purpose", "care", "--basis", "authorization",
      "--authorization", c + ".C2", "--date", s.day(-5)])
    let d = try #require((try s.json(["disclosures", c]) as? [[String: Any]])?.first)
    #expect(d["address"] as? String == "1 Main St", "the release's address is carried into the accounting")
    let early = try s.vaultRun(["consent", "revoke", c + ".C2", "--date", s.day(-30), "--reason", "x"])
    #expect(early.status == 1 && early.stderr.contains("was signed on \(s.day(-20))"), "\(early.stderr)")
    let beforeUse = try s.vaultRun(["consent", "revoke", c + ".C2", "--date", s.day(-10), "--reason", "x"])
    #expect(beforeUse.status == 1 && beforeUse.stderr.contains("\(c).D1 relied on \(c).C2 on \(s.day(-5))"), "\(beforeUse.stderr)")
    try s.ok(["consent", "revoke", c + ".C2", "--date", s.day(-5), "--reason", "withdrew"])
  }

  @Test("consent check judges the consent signed last, not the one entered last")
  func checkUsesLatestSigned() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    let pdf = try s.write("%PDF-1.7\n", to: "scan.pdf")
    try s.ok(["form", "add", "--kind", "informed-consent", "--version", "v2", "--file", pdf])
    try s.ok(["consent", "add", c, "--kind", "informed-consent", "--file", pdf, "--signed", s.day(-10), "--form-version", "v2"])
    // Old paperwork scanned in afterwards: expired and on an old form, but superseded.
    try s.ok(["consent", "add", c, "--kind", "informed-consent", "--file", pdf, "--signed", "2019-06-01", "--expires", "2020-06-01",
      "--form-version", "v1"])
    let r = try s.vaultRun(["consent", "check"])
    #expect(r.status == 0, "\(r.stdout)")
  }

  @Test("consent check finds missing, expired, expiring, revoked and outdated consents at the day boundaries")
  func check() throws {
    let s = try CLISandbox()
    try s.initVault()
    let form = try s.write("blank form\n", to: "form.pdf")
    let pdf = try s.write("%PDF-1.7\n", to: "scan.pdf")
    #expect(try s.vaultRun(["consent", "check"]).status == 0, "nothing is required before forms are registered")
    try s.ok(["form", "add", "--kind", "informed-consent", "--version", "v1", "--file", form])
    try s.ok(["form", "add", "--kind", "informed-consent", "--version", "v2", "--file", form])
    func client(_ name: String, expires: Int?, version: String = "v2", revoke: Bool = false) throws -> String {
      let code = try s.addClient(["--legal-name", name])
      try s.ok(["consent", "add", code, "--kind", "informed-consent", "--file", pdf, "--signed", s.day(-200), "--form-version", version]
        + (expires.map { ["--expires", s.day($0)] } ?? []))
      if revoke { try s.ok(["consent", "revoke", code + ".C1", "--reason", "withdrew"]) }
      return code
    }
    let missing = try s.addClient(["--legal-name", "Missing Person"])
    let fine = try client("Fine Later", expires: 31)
    let edge = try client("Edge Thirty", expires: 30)
    let today = try client("Ends Today", expires: 0)
    let expired = try client("Ended Yesterday", expires: -1)
    let revoked = try client("Revoked One", expires: nil, revoke: true)
    let outdated = try client("Old Form", expires: nil, version: "v1")
    let gone = try s.addClient(["--legal-name", "Discharged Person"])
    try s.ok(["client", "discharge", gone])
    let roi = try client("Release Soon", expires: nil)
    try s.ok([
      "consent", "add", roi, "--kind", "release-of-information", "--file", pdf, "--signed", s.day(-10), "--expires", s.day(5),
      "--recipient", "Dr. Lee", "--information", "dates", "--purpose", "care",
    ])

    let r = try s.vaultRun(["consent", "check", "--json"])
    #expect(r.status == 5)
    let found = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: String]])
    let got = Set(found.map { "\($0["client"]!) \($0["status"]!) \($0["kind"]!)" })
    #expect(got == [
      "\(missing) missing informed-consent", "\(edge) expiring informed-consent", "\(today) expiring informed-consent",
      "\(expired) expired informed-consent", "\(revoked) revoked informed-consent", "\(outdated) outdated informed-consent",
      "\(roi) expiring release-of-information",
    ])
    #expect(!got.contains { $0.hasPrefix(fine) || $0.hasPrefix(gone) })
    let wider = try #require(try JSONSerialization.jsonObject(with: Data(try s.vaultRun(["consent", "check", "--json", "--within", "5w"]).stdout.utf8)) as? [[String: String]])
    #expect(wider.contains { $0["client"] == fine && $0["status"] == "expiring" })
    let narrow = try #require(try JSONSerialization.jsonObject(with: Data(try s.vaultRun(["consent", "check", "--json", "--within", "0"]).stdout.utf8)) as? [[String: String]])
    #expect(!narrow.contains { $0["client"] == edge } && narrow.contains { $0["client"] == today })
    #expect(try s.vaultRun(["consent", "check", "--within", "soon"]).status == 2)
  }

  @Test("disclosures are checked against their release, and the accounting lists exactly what was disclosed")
  func disclosures() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    let pdf = try s.write("%PDF-1.7\n", to: "roi.pdf")
    func release(signed: Int, expires: Int, to recipient: String) throws {
      try s.ok([
        "consent", "add", c, "--kind", "release-of-information", "--file", pdf, "--signed", s.day(signed), "--expires", s.day(expires),
        "--recipient", recipient, "--information", "dates of service", "--purpose", "coordination",
      ])
    }
    try release(signed: -400, expires: -1, to: "Dr. Lee")  // C1: expired yesterday
    try release(signed: -30, expires: 300, to: "Dr. Lee")  // C2: valid, then revoked
    try release(signed: -30, expires: 300, to: "City Clinic")  // C3: valid
    func disclose(_ to: String, basis: String, extra: [String] = []) throws -> CLISandbox.Result {
      try s.vaultRun(["disclose", c, "--to", to, "--what", "dates of service", "--purpose", "coordination", "--basis", basis] + extra)
    }
    let before = try s.vaultFiles().filter { !$0.key.hasPrefix("log/") }
    let refusals: [(CLISandbox.Result, String)] = [
      (try disclose("Dr. Lee", basis: "authorization", extra: ["--authorization", c + ".C1"]), "expired on \(s.day(-1))"),
      (try disclose("Dr. Lee", basis: "authorization"), "needs --authorization"),
      (try disclose("Dr. Smith", basis: "authorization", extra: ["--authorization", c + ".C2"]), "not to 'Dr. Smith'"),
      (try disclose("County CPS", basis: "mandated-report"), "needs --reason"),
      (try disclose("Dr. Lee", basis: "treatment", extra: ["--authorization", c + ".C2"]), "applies only to basis 'authorization'"),
      (try disclose("Dr. Lee", basis: "treatment", extra: ["--date", s.day(2)]), "in the future"),
    ]
    for (r, message) in refusals {
      #expect(r.status == 1 && r.stderr.contains(message), "\(r.stderr)")
    }
    #expect(try s.vaultFiles().filter { !$0.key.hasPrefix("log/") } == before)

    #expect(try disclose("dr.  LEE", basis: "authorization", extra: ["--authorization", c + ".C2", "--date", s.day(-3)]).status == 0)
    try s.ok(["consent", "revoke", c + ".C2", "--reason", "client withdrew"])
    let afterRevoke = try disclose("Dr. Lee", basis: "authorization", extra: ["--authorization", c + ".C2"])
    #expect(afterRevoke.status == 1 && afterRevoke.stderr.contains("was revoked on \(s.day(0))"))
    #expect(try disclose("City Clinic", basis: "authorization", extra: ["--authorization", c + ".C3", "--address", "1 Main St <b>"]).status == 0)
    #expect(try disclose("County CPS", basis: "mandated-report", extra: ["--reason", "suspected abuse"]).status == 0)
    #expect(try disclose("County CPS", basis: "mandated-report", extra: ["--reason", "wrong date", "--corrects", c + ".D2", "--date", s.day(-1)]).status == 0)

    let all = try #require(try s.json(["disclosures", c]) as? [[String: Any]])
    #expect(all.map { $0["id"] as? String } == [c + ".D1", c + ".D4", c + ".D2", c + ".D3"], "in date order")
    #expect(all.map { $0["recipient"] as? String } == ["dr.  LEE", "County CPS", "City Clinic", "County CPS"])
    #expect(all.map { $0["flagged"] as? Bool } == [false, true, false, true])
    #expect(all.first { $0["id"] as? String == c + ".D4" }?["corrects"] as? String == c + ".D2")
    #expect(all.first { $0["id"] as? String == c + ".D1" }?["authorization"] as? String == c + ".C2")
    #expect((try s.json(["disclosures", c, "--since", s.day(0)]) as? [Any])?.count == 2)
    let html = try s.ok(["disclosures", c, "--format", "html"])
    #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("1 Main St &lt;b&gt;") && !html.contains("<script") && !html.contains("http"))
    #expect(try s.ok(["disclosures", c]).contains("[FLAGGED: limits of confidentiality]"))
    #expect(try s.ok(["verify"]).contains("ok: no problems found"))
  }

  @Test("a 1 GiB document streams in and out with flat memory and identical bytes",
    .enabled(if: ProcessInfo.processInfo.environment["VAULT_SKIP_BIG"] == nil))
  func bigDocument() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    let mib = Int(ProcessInfo.processInfo.environment["VAULT_TEST_BIG_MIB"] ?? "1024") ?? 1024
    // Not sparse: a repeating pattern with a counter, so every chunk differs.
    let big = s.root.appendingPathComponent("big.bin").path
    _ = FileManager.default.createFile(atPath: big, contents: nil)
    let h = try FileHandle(forWritingTo: URL(fileURLWithPath: big))
    var block = [UInt8](repeating: 0, count: 1 << 20)
    for i in 0..<mib {
      for j in stride(from: 0, to: block.count, by: 4096) { block[j] = UInt8(truncatingIfNeeded: i); block[j + 1] = UInt8(truncatingIfNeeded: i >> 8) }
      h.write(Data(block))
    }
    try h.close()
    let out = s.root.appendingPathComponent("out.bin").path
    for args in [["consent", "add", c, "--kind", "other", "--file", big], ["consent", "get", c + ".C1", "--out", out]] {
      let (status, peakKiB) = try s.measured(args + ["--vault", s.vault, "--passphrase-file", s.passphraseFile])
      #expect(status == 0, "\(args)")
      #expect(peakKiB < 64 * 1024, "\(args[1]): peak RSS \(peakKiB) KiB for \(mib) MiB")
    }
    // Killed half way through an extraction: the decrypted bytes had no name yet, so nothing remains.
    let half = s.root.appendingPathComponent("half.bin").path
    let log = s.vault + "/log/entries"
    let logSize = { (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0 }
    let before = logSize()
    let p = Process()
    p.executableURL = CLISandbox.binary
    p.arguments = ["consent", "get", c + ".C1", "--out", half, "--vault", s.vault, "--passphrase-file", s.passphraseFile]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    // Its log entry is written before the first byte is decrypted.
    #expect(waitUntil(seconds: 60) { logSize() > before })
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    #expect(!FileManager.default.fileExists(atPath: half))
    #expect(contents(s.root.path).allSatisfy { !$0.hasPrefix(".half.bin") }, "\(contents(s.root.path))")

    let cmp = Process()
    cmp.executableURL = URL(fileURLWithPath: "/usr/bin/cmp")
    cmp.arguments = [big, out]
    try cmp.run()
    cmp.waitUntilExit()
    #expect(cmp.terminationStatus == 0, "the extracted file differs from the original")
  }
}
