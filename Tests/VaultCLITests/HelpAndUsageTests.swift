import Foundation
import Testing

@Suite("help, version and usage errors")
struct HelpAndUsageTests {
  @Test("vault --help lists the commands and the exit statuses")
  func rootHelp() throws {
    let s = try CLISandbox()
    let r = try s.run(["--help"])
    #expect(r.status == 0)
    for word in ["init", "passwd", "info", "verify", "EXIT STATUS", "VAULT_PASSPHRASE_FILE", "10  integrity failure"] {
      #expect(r.stdout.contains(word), "help lacks \(word)")
    }
  }

  @Test("vault init --help teaches the command: passphrase rules, recovery key, examples")
  func initHelp() throws {
    let r = try CLISandbox().run(["init", "--help"])
    #expect(r.status == 0)
    for word in ["at least 12 characters", "recovery key", "EXAMPLES", "--kdf", "EXIT STATUS", "--recovery-key-out"] {
      #expect(r.stdout.contains(word), "init help lacks \(word)")
    }
  }

  @Test("--version prints the release and the format version")
  func version() throws {
    let r = try CLISandbox().run(["--version"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("format 1"))
  }

  @Test("an unknown option is a usage error: exit 2, message on stderr, nothing on stdout")
  func unknownOption() throws {
    let r = try CLISandbox().run(["info", "--no-such-option"])
    #expect(r.status == 2)
    #expect(r.stderr.contains("Unknown option '--no-such-option'"))
    #expect(r.stdout.isEmpty)
  }

  @Test("an invalid option value is a usage error (exit 2)")
  func badValue() throws {
    let s = try CLISandbox()
    #expect(try s.run(["init", "--kdf", "extreme", "--vault", s.vault]).status == 2)
    #expect(try s.run(["info", "--wait", "-1", "--vault", s.vault]).status == 2)
    #expect(!FileManager.default.fileExists(atPath: s.vault))
  }

  @Test("with --json, errors are one JSON object on stderr carrying the exit code")
  func jsonError() throws {
    let s = try CLISandbox()
    let r = try s.run(["info", "--vault", s.vault, "--json"])
    #expect(r.status == 1)
    let obj = try JSONSerialization.jsonObject(with: Data(r.stderr.utf8)) as? [String: [String: Any]]
    #expect(obj?["error"]?["code"] as? Int == 1)
    #expect(obj?["error"]?["kind"] as? String == "vaultNotFound")
  }

  @Test("a missing vault is a clear exit 1 that says how to create one")
  func missingVault() throws {
    let s = try CLISandbox()
    let r = try s.run(["verify", "--vault", s.vault])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("vault: error: no vault at"))
    #expect(r.stderr.contains("vault init"))
  }
}
