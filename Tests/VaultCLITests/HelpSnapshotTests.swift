import Foundation
import Testing

/// Help is the manual most users read: any change to it must be deliberate. Regenerate the
/// snapshots with `VAULT_UPDATE_SNAPSHOTS=1 swift test --filter HelpSnapshot` and review the diff.
@Suite("help snapshots")
struct HelpSnapshotTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

  @Test("help text matches its snapshot", arguments: [[], ["init"], ["passwd"], ["info"], ["verify"], ["log"], ["log", "show"], ["log", "verify"], ["log", "head"], ["client"], ["client", "add"], ["add-note"], ["note"], ["note", "amend"], ["note", "print"], ["client", "summary"], ["practice"], ["practice", "set"], ["search"], ["consent"], ["consent", "add"], ["consent", "check"], ["disclose"], ["disclosures"], ["export"], ["export", "create"], ["export", "open"], ["backup"], ["backup", "create"], ["backup", "prune"], ["restore"], ["recovery", "rotate"], ["practitioner"], ["practitioner", "add"], ["practitioner", "remove"], ["client", "assign"], ["emergency"], ["unlock"], ["lock"], ["status"], ["import"], ["import", "clients"], ["import", "notes"]])
  func help(_ command: [String]) throws {
    let r = try CLISandbox().run(command + ["--help"])
    #expect(r.status == 0)
    let name = (["vault"] + command).joined(separator: "-") + ".txt"
    let file = Self.directory.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["VAULT_UPDATE_SNAPSHOTS"] != nil {
      try Data(r.stdout.utf8).write(to: file)
    }
    let expected = try String(contentsOf: file, encoding: .utf8)
    #expect(r.stdout == expected, "help of '\(name)' changed; if intended, regenerate the snapshots")
  }
}
