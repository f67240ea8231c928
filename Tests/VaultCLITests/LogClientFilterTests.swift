import Foundation
import Testing

@Suite("log show --client: names and codes, as in every command")
struct LogClientFilterTests {
  /// `log show --json` with `args`, parsed.
  func shown(_ s: CLISandbox, _ args: [String]) throws -> [[String: Any]] {
    let r = try s.vaultRun(["log", "show", "--json"] + args)
    #expect(r.status == 0, "\(r.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
  }

  @Test("a name gives the same entries as the code; an unknown client or an ambiguous name is refused (exit 1), never '0 entries'")
  func nameOrCode() throws {
    let s = try CLISandbox()
    try s.initVault()
    let jo = try s.addClient(["--legal-name", "Jo March", "--dob", "1990-01-01"])
    #expect(try s.vaultRun(["client", "show", jo]).status == 0)
    #expect(try s.vaultRun(["client", "update", jo, "--phone", "555"]).status == 0)
    let byCode = try shown(s, ["--client", jo])
    #expect(byCode.count == 3, "add, show, update: \(byCode)")
    #expect(byCode.allSatisfy { $0["client"] as? String == jo })
    let byName = try shown(s, ["--client", "jo"])
    #expect(byName.map { $0["seq"] as? Int } == byCode.map { $0["seq"] as? Int })
    #expect(try shown(s, ["--client", jo.lowercased().replacingOccurrences(of: "-", with: "")]).count == 3, "a code as typed elsewhere")
    // The read is recorded with the code, never the name typed.
    let reads = try shown(s, ["--action", "log-read"])
    #expect(reads.contains { ($0["detail"] as? String) == "client \(jo)" })
    #expect(!reads.contains { (($0["detail"] as? String) ?? "").contains("client jo") })

    let unknown = try s.vaultRun(["log", "show", "--client", "nobody"])
    #expect(unknown.status == 1)
    #expect(unknown.stderr.contains("no client has the code or a name starting with 'nobody'"), "\(unknown.stderr)")
    #expect(!unknown.stdout.contains("0 entries"))
    let unknownCode = try s.vaultRun(["log", "show", "--client", "ZZZZ-ZZ", "--json"])
    #expect(unknownCode.status == 1)
    #expect(unknownCode.stderr.contains("\"kind\":\"clientNotFound\""), "\(unknownCode.stderr)")
    #expect(unknownCode.stdout.isEmpty)

    _ = try s.addClient(["--legal-name", "Joan Arc"])
    let ambiguous = try s.vaultRun(["log", "show", "--client", "jo", "--json"])
    #expect(ambiguous.status == 1)
    #expect(ambiguous.stderr.contains("\"kind\":\"ambiguousClient\""), "\(ambiguous.stderr)")
    #expect(try shown(s, ["--client", "jo march"]).count == 3, "the whole name still picks one")
  }
}
