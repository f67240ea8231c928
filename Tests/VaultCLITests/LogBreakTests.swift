import Foundation
import Testing

@Suite("one deleted log entry: the first break and a count, not an error per later entry")
struct LogBreakTests {
  @Test("deleting entry 4 of 45: log verify and verify name entry 4 and count the 40 entries it cut off; JSON has chainBreak; exit 10")
  func deletedEntry() throws {
    let s = try CLISandbox()
    try s.initVault()
    for _ in 0..<44 { #expect(try s.run(["info", "--vault", s.vault]).status == 0) }
    let (header, records) = try logRecords(s)
    #expect(records.count == 45)
    var cut = records
    cut.remove(at: 3)
    try writeLog(s, header: header, records: cut)

    let text = try s.run(["verify", "--keyless", "--vault", s.vault])
    #expect(text.status == 10)
    let errors = text.stdout.split(separator: "\n").filter { $0.hasPrefix("error:") }
    #expect(errors.count == 2, "\(text.stdout)")
    #expect(errors.first?.contains("entry 4: numbered 5: 1 entry before it is missing (deleted)") == true, "\(text.stdout)")
    #expect(errors.last?.contains("and 40 later entries no longer chain") == true, "\(text.stdout)")

    // Keyed (the keyless check above added an entry after the break: one more cut off): every later entry is opened at its own number, so none is blamed for the break.
    let keyed = try s.vaultRun(["log", "verify", "--json"])
    #expect(keyed.status == 10)
    let report = try #require(try JSONSerialization.jsonObject(with: Data(keyed.stdout.utf8)) as? [String: Any])
    let brk = try #require(report["chainBreak"] as? [String: Any], "\(keyed.stdout)")
    #expect(brk["entry"] as? Int == 4)
    #expect(brk["laterEntries"] as? Int == 41)
    #expect((brk["message"] as? String)?.hasPrefix("entry 4: numbered 5") == true)
    let findings = try #require(report["findings"] as? [[String: Any]])
    #expect(findings.filter { $0["severity"] as? String == "error" }.count == 2, "\(findings)")
    #expect(!keyed.stdout.contains("does not decrypt"))

    let full = try s.vaultRun(["verify"])
    #expect(full.status == 10)
    #expect(full.stdout.split(separator: "\n").filter { $0.hasPrefix("error:") }.count == 2, "\(full.stdout)")
  }

  @Test("a second, independent deletion is still reported on its own; a cut end after a deletion still is too")
  func twoBreaks() throws {
    let s = try CLISandbox()
    try s.initVault()
    for _ in 0..<12 { #expect(try s.vaultRun(["verify"]).status == 0) }
    let (header, records) = try logRecords(s)
    var cut = records
    cut.remove(at: 6)
    cut.remove(at: 2)
    try writeLog(s, header: header, records: Array(cut.dropLast(2)))
    let r = try s.vaultRun(["log", "verify"])
    #expect(r.status == 10)
    let errors = r.stdout.split(separator: "\n").filter { $0.hasPrefix("error:") }
    #expect(errors.first?.contains("entry 3: numbered 4") == true, "\(r.stdout)")
    #expect(errors.contains { $0.contains("entry 6: numbered 8 after an entry numbered 6") }, "\(r.stdout)\n\(r.stderr)")
    #expect(errors.contains { $0.contains("were removed from the end") }, "\(r.stdout)")
  }
}
