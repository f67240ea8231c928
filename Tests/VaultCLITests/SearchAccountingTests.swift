import Foundation
import Testing

@Suite("vault search is accounted to each client whose notes it showed")
struct SearchAccountingTests {
  /// `log show --json` with `args`.
  func entries(_ s: CLISandbox, _ args: [String]) throws -> [[String: Any]] {
    let r = try s.vaultRun(["log", "show", "--json"] + args)
    #expect(r.status == 0, "\(r.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
  }

  @Test("a search over every client: one entry per client with matching notes (note ids, objects, no search text), none for the others; log show --client and the export show it; psychotherapy notes in an entry of their own")
  func perClient() throws {
    let s = try CLISandbox()
    try s.initVault()
    let ann = try s.addClient(["--legal-name", "Ann Lee"])
    let bob = try s.addClient(["--legal-name", "Bob Roe"])
    let cy = try s.addClient(["--legal-name", "Cy Poe"])
    try s.ok(["add-note", ann], input: Data("Slept badly after the move.\n".utf8))
    try s.ok(["add-note", ann], input: Data("Nothing of note.\n".utf8))
    try s.ok(["add-note", ann, "--kind", "psychotherapy"], input: Data("Slept with the light on; private process note.\n".utf8))
    try s.ok(["add-note", bob], input: Data("He slept well.\n".utf8))
    try s.ok(["add-note", cy], input: Data("Talked about work.\n".utf8))

    let found = try #require(try s.json(["search", "SLEPT", "--psychotherapy"]) as? [[String: Any]])
    #expect(found.count == 3, "\(found)")

    let annSearches = try entries(s, ["--client", ann, "--action", "search"])
    #expect(annSearches.count == 2, "record notes and the psychotherapy note apart: \(annSearches)")
    let details = annSearches.compactMap { $0["detail"] as? String }
    #expect(details.contains { $0.hasPrefix("shown by a search: \(ann).1 (1 note(s);") }, "\(details)")
    #expect(details.contains { $0.hasPrefix("shown by a search: \(ann).3 (1 note(s);") }, "\(details)")
    #expect(!details.contains { $0.contains("\(ann).2") }, "a note that did not match was not shown")
    #expect(annSearches.allSatisfy { ($0["objects"] as? [String])?.count == 1 })
    let bobSearches = try entries(s, ["--client", bob, "--action", "search"])
    #expect(bobSearches.count == 1 && (bobSearches[0]["detail"] as? String)?.hasPrefix("shown by a search: \(bob).1") == true)
    #expect(try entries(s, ["--client", cy, "--action", "search"]).isEmpty, "decrypted, did not match, nothing of Cy's record was shown")

    let all = try entries(s, ["--action", "search"])
    #expect(all.count == 4, "three client entries and the search's own")
    let own = try #require(all.last)
    #expect(own["client"] == nil)
    #expect((own["detail"] as? String)?.hasPrefix("3 matching note(s) in 2 of 3 client(s) searched") == true, "\(own)")
    let log = try String(decoding: s.vaultRun(["log", "show", "--json"]).stdout.utf8, as: UTF8.self)
    #expect(!log.lowercased().contains("slept"), "the search text is not recorded")

    // The export's access history holds the search of the record notes, not the withheld note's.
    try s.ok(["export", ann, "--out", "a.zip", "--unencrypted", "--identity-verified", "in person"])
    #expect(try s.shell("unzip -q a.zip -d a").status == 0)
    let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: s.root.appendingPathComponent("a/record.json"))) as? [String: Any])
    let history = try #require(record["accessHistory"] as? [[String: Any]])
    let searchRows = history.filter { $0["action"] as? String == "search" }
    #expect(searchRows.count == 1, "\(searchRows)")
    #expect((searchRows.first?["detail"] as? String)?.contains("\(ann).1") == true)
    #expect(!history.contains { ($0["detail"] as? String ?? "").contains("\(ann).3") })
  }

  @Test("a search of one client that matches nothing still names the client in its own entry")
  func oneClientNoMatch() throws {
    let s = try CLISandbox()
    try s.initVault()
    let ann = try s.addClient(["--legal-name", "Ann Lee"])
    try s.ok(["add-note", ann], input: Data("Nothing of note.\n".utf8))
    #expect(try s.vaultRun(["search", "panic", "--client", ann]).stdout.contains("No notes match."))
    let searches = try entries(s, ["--client", "ann", "--action", "search"])
    #expect(searches.count == 1)
    #expect((searches.first?["detail"] as? String)?.hasPrefix("0 matching note(s) in 0 of 1 client(s) searched") == true)
  }

  @Test("a clinician, who does not read the log, searches: each client entry is sealed with its own checkpoint, and the log verifies")
  func clinicianSearch() throws {
    let s = try CLISandbox()
    try s.initVault()
    let ann = try s.addClient(["--legal-name", "Ann Lee"])
    let bob = try s.addClient(["--legal-name", "Bob Roe"])
    try s.ok(["add-note", ann], input: Data("Slept badly.\n".utf8))
    try s.ok(["add-note", bob], input: Data("Slept well.\n".utf8))
    let dana = try s.write("dana's own passphrase\n", to: "dana")
    try s.ok(["practitioner", "add", "dana", "--role", "clinician", "--kdf", "test", "--new-passphrase-file", dana])
    try s.ok(["client", "assign", ann, "--to", "dana"])
    try s.ok(["client", "assign", bob, "--to", "dana"])
    let r = try s.run(["search", "slept", "--as", "dana", "--vault", s.vault, "--passphrase-file", dana])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try entries(s, ["--client", ann, "--action", "search"]).first?["actor"] as? String == "dana")
    #expect(try entries(s, ["--client", bob, "--action", "search"]).count == 1)
    let verified = try s.vaultRun(["log", "verify"])
    #expect(verified.status == 0, "\(verified.stdout)")
    #expect(!verified.stdout.contains("forged"))
  }
}
