import Foundation
import Testing

/// OPERATIONS.md §8a's weekly job, run as documented: exit 5 (consents need attention) and
/// any other failure (the check could not run) give different mails, each with what vault said.
@Suite("the weekly consent-check job tells 'needs attention' from 'could not run'")
struct ConsentCronTests {
  /// The job script as OPERATIONS.md prints it.
  static func documentedScript() throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let ops = try String(contentsOf: root.appendingPathComponent("docs/OPERATIONS.md"), encoding: .utf8)
    let start = try #require(ops.range(of: "```sh\n#!/bin/sh\n# Weekly consent check"))
    let end = try #require(ops.range(of: "\n```", range: start.upperBound..<ops.endIndex))
    return String(ops[ops.index(start.lowerBound, offsetBy: 6)..<end.lowerBound]) + "\n"
  }

  /// Runs the documented job with `vault` and a `mail` that appends "SUBJECT: …" and the body to
  /// the sandbox's mailbox; returns the mailbox (empty: no mail).
  func runJob(_ s: CLISandbox, passphraseCommand: String) throws -> String {
    let bin = s.root.appendingPathComponent("bin").path
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    let mail = try s.write("#!/bin/sh\n{ echo \"SUBJECT: $2\"; cat; } >> \"$HOME/mailbox\"\n", to: "bin/mail")
    chmod(mail, 0o755)
    let link = bin + "/vault"
    if !FileManager.default.fileExists(atPath: link) { try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: CLISandbox.binary.path) }
    let job = try s.write(Self.documentedScript(), to: "job.sh")
    try? FileManager.default.removeItem(atPath: s.root.appendingPathComponent("mailbox").path)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
    p.arguments = ["-w", "/bin/sh", job]
    p.environment = [
      "HOME": s.root.path, "PATH": "\(bin):/usr/bin:/bin", "LANG": "C.UTF-8", "VAULT_DIR": s.vault,
      "VAULT_PASSPHRASE_COMMAND": passphraseCommand,
    ]
    p.standardInput = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
    return (try? String(contentsOfFile: s.root.appendingPathComponent("mailbox").path, encoding: .utf8)) ?? ""
  }

  @Test("exit 5 and the list for missing consents; exit 3 and the reason for a wrong passphrase or a locked passphrase helper; the job mails each differently")
  func attentionOrFailure() throws {
    let s = try CLISandbox()
    try s.initVault()
    let good = "cat \(s.passphraseFile)"
    #expect(try runJob(s, passphraseCommand: good).isEmpty, "nothing required yet: no mail")

    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    try s.ok(["form", "add", "--kind", "informed-consent", "--version", "v1", "--file", s.write("blank form\n", to: "form.pdf")])
    let attention = try s.vaultRun(["consent", "check"])
    #expect(attention.status == 5)
    #expect(attention.stdout.contains(c) && attention.stdout.contains("informed-consent"), "\(attention.stdout)")
    let listed = try runJob(s, passphraseCommand: good)
    #expect(listed.hasPrefix("SUBJECT: consents need attention\n"), "\(listed)")
    #expect(listed.contains(c))

    let wrong = try s.run(["consent", "check", "--vault", s.vault, "--passphrase-file", s.write("not the passphrase\n", to: "wrong")])
    #expect(wrong.status == 3)
    #expect(wrong.stderr.contains("vault: error:") && wrong.stdout.isEmpty, "\(wrong.stderr)")
    let locked = try s.run(["consent", "check", "--vault", s.vault], env: ["VAULT_PASSPHRASE_COMMAND": "echo 'the password store is locked' >&2; exit 1"])
    #expect(locked.status == 3)
    #expect(locked.stderr.contains("VAULT_PASSPHRASE_COMMAND exited with status 1"), "\(locked.stderr)")

    let failed = try runJob(s, passphraseCommand: "exit 1")
    #expect(failed.hasPrefix("SUBJECT: consent check FAILED: nothing was checked\n"), "\(failed)")
    #expect(failed.contains("could not run (exit 3)") && failed.contains("VAULT_PASSPHRASE_COMMAND exited with status 1"), "\(failed)")
    #expect(!failed.contains("need attention"))
    let refused = try runJob(s, passphraseCommand: "echo not-the-passphrase")
    #expect(refused.contains("could not run (exit 3)") && refused.contains("vault: error:"), "\(refused)")
  }
}
