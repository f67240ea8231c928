import Foundation
import Testing

/// `vault client add` asking on a real terminal: a pseudo-terminal made by `script` (util-linux),
/// fed the answers as typed.
@Suite("client add prompts: a refused answer is asked again, nothing typed is lost")
struct ClientPromptTests {
  /// Runs `vault client add` (no options but the vault's) on a pseudo-terminal with `typed` as the keyboard.
  func addOnTerminal(_ s: CLISandbox, typed: String) throws -> CLISandbox.Result {
    let command = "'\(CLISandbox.binary.path)' client add --vault '\(s.vault)' --passphrase-file '\(s.passphraseFile)'"
    return try s.run(["-qec", command, "/dev/null"], input: Data(typed.utf8), executable: "/usr/bin/script")
  }

  @Test("04/01/1990, then a future date, then 1990-04-01 at the date of birth: asked again with the reason and the form; the client has the good date and every other answer")
  func badDateThenGood() throws {
    let s = try CLISandbox()
    try s.initVault()
    let typed = ["Maria Garcia", "Mia", "04/01/1990", "2999-01-01", "1990-04-01", "555-0100", "", "", "", "2026-13-01", "2020-02-03"]
    let r = try addOnTerminal(s, typed: typed.joined(separator: "\n") + "\n")
    #expect(r.status == 0, "\(r.stdout)")
    #expect(r.stdout.contains("invalid date '04/01/1990': write dates as YYYY-MM-DD"), "\(r.stdout)")
    #expect(r.stdout.contains("invalid date '2999-01-01': the date of birth is in the future"), "\(r.stdout)")
    #expect(r.stdout.contains("invalid date '2026-13-01': there is no such day"), "\(r.stdout)")
    #expect(r.stdout.components(separatedBy: "Date of birth, YYYY-MM-DD (optional): ").count == 4, "asked three times")
    #expect(r.stdout.contains("please try again"))
    let list = try #require(try JSONSerialization.jsonObject(with: Data(s.vaultRun(["client", "list", "--json"]).stdout.utf8)) as? [[String: Any]])
    #expect(list.count == 1)
    let code = try #require(list.first?["code"] as? String)
    let shown = try #require(try JSONSerialization.jsonObject(with: Data(s.vaultRun(["client", "show", code, "--json"]).stdout.utf8)) as? [String: Any])
    let record = try #require(shown["record"] as? [String: Any], "\(shown)")
    #expect(record["dateOfBirth"] as? String == "1990-04-01", "\(record)")
    #expect(record["legalName"] as? String == "Maria Garcia")
    #expect(record["preferredName"] as? String == "Mia")
    #expect(record["phone"] as? String == "555-0100")
    #expect(record["startDate"] as? String == "2020-02-03")
  }

  @Test("an empty legal name is asked again; a start date before the date of birth is refused with the reason")
  func requiredAndOrder() throws {
    let s = try CLISandbox()
    try s.initVault()
    let typed = ["", "Ann Lee", "", "2000-05-05", "", "", "", "", "1999-01-01", ""]
    let r = try addOnTerminal(s, typed: typed.joined(separator: "\n") + "\n")
    #expect(r.status == 0, "\(r.stdout)")
    #expect(r.stdout.contains("the legal name is required"), "\(r.stdout)")
    #expect(r.stdout.contains("the start date is before the date of birth 2000-05-05"), "\(r.stdout)")
    #expect(r.stdout.contains("Added client"))
  }

  @Test("end of input (Ctrl-D) cancels cleanly: exit 1, nothing added, nothing logged")
  func endOfInputCancels() throws {
    let s = try CLISandbox()
    try s.initVault()
    let before = try s.vaultFiles()
    let r = try addOnTerminal(s, typed: "Maria Garcia\n04/01/1990\n")
    #expect(r.status == 1, "\(r.stdout)")
    #expect(r.stdout.contains("cancelled: no client was added"), "\(r.stdout)")
    #expect(try s.vaultFiles() == before, "the vault was not even opened")
  }
}
