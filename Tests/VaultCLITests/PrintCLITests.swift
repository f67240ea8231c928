import Foundation
import Testing

/// The practice profile, printable pages, and the record as a client reads it (issue 16, §1–2).
@Suite("practice profile, printed pages and the readable record")
struct PrintCLITests {
  /// A vault with a profile in America/Chicago and a client with a signed note (holding markup),
  /// a draft, a psychotherapy note and a release of information.
  func practice() throws -> (CLISandbox, String) {
    let s = try CLISandbox()
    try s.initVault(["--label", "Dr. Ames"])
    try s.ok([
      "practice", "set", "--name", "Riverside Counseling", "--address", "12 Main Street", "--address", "Springfield, IL 62701",
      "--contact", "(217) 555-0100", "--time-zone", "America/Chicago",
    ])
    let c = try s.addClient(["--legal-name", "Ann Lee", "--dob", "1990-04-01"])
    try s.ok(["add-note", c, "--sign", "--duration", "50m"], input: Data("Talked about <img src=x onerror=alert(1)> & sleep.\n".utf8))
    try s.ok(["add-note", c], input: Data("An unfinished draft.\n".utf8))
    try s.ok(["add-note", c, "--kind", "psychotherapy"], input: Data("Process note.\n".utf8))
    let doc = try s.write("%PDF-1.7 release\n", to: "release.pdf")
    try s.ok([
      "consent", "add", c, "--kind", "release-of-information", "--file", doc, "--signed", s.day(-2), "--expires", s.day(300), "--recipient", "Dr. Byrne",
      "--information", "attendance", "--purpose", "coordination of care",
    ])
    return (s, c)
  }

  @Test("practice set and show: lines in order, fields cleared, JSON, refusals that say what to do")
  func profile() throws {
    let s = try CLISandbox()
    try s.initVault()
    #expect(try s.ok(["practice"]).contains("No practice profile yet"))
    try s.ok(["practice", "set", "--name", "Riverside Counseling", "--address", "12 Main Street", "--address", "Springfield", "--time-zone", "Europe/Berlin"])
    let shown = try #require(try s.json(["practice", "show"]) as? [String: String])
    #expect(shown == ["name": "Riverside Counseling", "address": "12 Main Street\nSpringfield", "timeZone": "Europe/Berlin"])
    try s.ok(["practice", "set", "--time-zone", ""])
    #expect((try s.json(["practice", "show"]) as? [String: String])?["timeZone"] == nil)
    for (args, status, message) in [
      (["practice", "set"], Int32(2), "give at least one of --name"),
      (["practice", "set", "--time-zone", "Mars/Olympus"], 1, "not a time zone this system knows"),
      (["practice", "set", "--name", "Riverside Counseling"], 1, "already says that"),
      (["practice", "set", "--name", "Bad\u{1b}[2J"], 1, "control characters"),
      (["practice", "set", "--name", String(repeating: "x", count: 201)], 1, "longer than 200 bytes"),
    ] {
      let r = try s.vaultRun(args)
      #expect(r.status == status && r.stderr.contains(message), "\(args): \(r.status) \(r.stderr)")
    }
    #expect(try s.ok(["log", "show", "--action", "practice-set"]).contains("changed: time zone"))
  }

  @Test("note print: a letterhead page, times in the practice's zone, text escaped, drafts marked, logged; refusals")
  func notePrint() throws {
    let (s, c) = try practice()
    let r = try s.vaultRun(["note", "print", "\(c).1", "--out", "note.html", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let html = try String(contentsOfFile: s.root.appendingPathComponent("note.html").path, encoding: .utf8)
    #expect(html.contains("<div class=\"practice\">Riverside Counseling</div>") && html.contains("12 Main Street<br>Springfield, IL 62701"))
    #expect(html.contains("Talked about &lt;img src=x onerror=alert(1)&gt; &amp; sleep."))
    #expect(html.contains("1 Apr 1990") && html.contains("50 minutes") && html.contains("Signed by Dr. Ames"))
    #expect(html.contains(" CST") || html.contains(" CDT"), "times are in the practice's zone")
    #expect(!html.contains("<script") && html.contains("default-src 'none'"))
    let mode = try FileManager.default.attributesOfItem(atPath: s.root.appendingPathComponent("note.html").path)[.posixPermissions] as? Int
    #expect(mode == 0o600)
    let draft = try s.ok(["note", "print", "\(c).2", "--out", "-"])
    #expect(draft.contains("UNSIGNED DRAFT"))
    #expect(try s.ok(["note", "print", "\(c).3", "--out", "-"]).contains("Psychotherapy note (HIPAA 45 CFR 164.501)"))
    let log = try s.ok(["log", "show", "--action", "note-print"])
    #expect(log.contains("note \(c).1 version 1 printed to a file") && log.contains("\(c).2 version 1 printed to standard output"))
    for (args, message) in [
      (["note", "print", "\(c).1", "--out", "note.html"], "exists"),
      (["note", "print", "\(c).9", "--out", "x.html"], "\(c).9"),
      (["note", "print", "\(c).1", "--version", "5", "--out", "x.html"], "version"),
    ] {
      let r = try s.vaultRun(args)
      #expect(r.status != 0 && r.stderr.contains(message), "\(args): \(r.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: s.root.appendingPathComponent("x.html").path))
    #expect(try s.vaultRun(["note", "print", "\(c).1", "--out", "-", "--json"]).status == 2)
  }

  @Test("client summary: details, care, notes by kind without their text, documents in plain words; psychotherapy notes not listed")
  func summary() throws {
    let (s, c) = try practice()
    try s.ok(["client", "summary", "ann", "--out", "summary.html"])
    let html = try String(contentsOfFile: s.root.appendingPathComponent("summary.html").path, encoding: .utf8)
    #expect(html.contains("Client summary: Ann Lee") && html.contains("Riverside Counseling"))
    #expect(html.contains("Progress note") && html.contains("1 signed note, 50 minutes in all") && html.contains("Unsigned drafts"))
    #expect(html.contains("Release of information") && html.contains("In effect"))
    #expect(!html.contains("Talked about") && !html.contains("<td>Psychotherapy note") && !html.contains("release-of-information"))
    #expect(try s.ok(["log", "show", "--action", "client-summary"]).contains(c))
  }

  @Test("an auditor may not print notes or summaries (exit 6), and learns nothing")
  func roles() throws {
    let (s, c) = try practice()
    let audit = try s.write("audit passphrase 1\n", to: "audit.pass")
    #expect(try s.vaultRun(["practitioner", "add", "audit", "--role", "auditor", "--kdf", "test", "--new-passphrase-file", audit]).status == 0)
    for args in [["note", "print", "\(c).1", "--out", "a.html"], ["client", "summary", c, "--out", "a.html"], ["practice", "set", "--name", "X"]] {
      let r = try s.vaultRun(args + ["--as", "audit", "--passphrase-file", audit])
      #expect(r.status == 6, "\(args): \(r.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: s.root.appendingPathComponent("a.html").path))
    #expect(try s.vaultRun(["practice", "show", "--as", "audit", "--passphrase-file", audit]).status == 0)
  }

  @Test("the exported record reads as a client reads it: letterhead, local times, plain words, links, drafts left out and said so")
  func readableExport() throws {
    let (s, c) = try practice()
    let r = try s.vaultRun(["export", c, "--out", "rec.zip", "--unencrypted", "--identity-verified", "photo ID", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let result = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    #expect(result["draftsLeftOut"] as? Int == 1 && result["psychotherapyNotesLeftOut"] as? Int == 1 && result["notes"] as? Int == 1)
    #expect(try s.shell("unzip -q rec.zip -d out").status == 0)
    let html = try String(contentsOfFile: s.root.appendingPathComponent("out/index.html").path, encoding: .utf8)
    #expect(html.contains("Riverside Counseling") && html.contains("Times are shown in America/Chicago"))
    #expect(html.contains("Release of information") && !html.contains("release-of-information"))
    #expect(html.contains("Viewed the accounting of disclosures") || html.contains("Stored a signed document"))
    #expect(!html.contains(">disclosures-read<") && !html.contains(">consent-add<"))
    #expect(html.contains("<a href=\"documents/\(c).C1_release.pdf\">"))
    #expect(html.contains("Not included: 1 psychotherapy note") && html.contains("1 unsigned draft note (a draft becomes part of the record"))
    #expect(!html.contains("An unfinished draft") && !html.contains("Process note."))
    #expect(!html.contains("Z</td>"), "no raw UTC times")
    let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: s.root.appendingPathComponent("out/record.json"))) as? [String: Any])
    #expect((record["practice"] as? [String: String])?["name"] == "Riverside Counseling" && record["draftsLeftOut"] as? Int == 1)

    try s.ok(["export", c, "--out", "all.zip", "--unencrypted", "--identity-verified", "photo ID", "--include-drafts", "--include-psychotherapy-notes"])
    #expect(try s.shell("unzip -p all.zip index.html").out.contains("Nothing in the record was withheld."))
    #expect(try s.shell("unzip -p all.zip index.html").out.contains("An unfinished draft"))
  }
}
