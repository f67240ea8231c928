import Foundation
import Testing
@testable import VaultCore
import VaultCrypto

/// What the v1 fixture holds beyond an empty vault, so that every layer of format 1 is pinned by
/// committed bytes: a client (key file, record, client index), a signed note with an addendum,
/// and a vault-level object of two chunks.
enum FixtureContent {
  static let record: ClientRecord = {
    var r = ClientRecord(legalName: "Fixture Client", startDate: Day(year: 2026, month: 1, day: 5)!)
    r.preferredName = "Fix"
    r.dateOfBirth = Day(year: 1980, month: 2, day: 29)
    r.fields = ["insurance": "none"]
    return r
  }()
  static let noteText = "Fixture session note.\nSecond line, with ü and 🙂.\n"
  static let addendumText = "Fixture addendum.\n"
  static let consentBytes = Array("%PDF-1.7 fixture signed consent\n".utf8)
  static let formBytes = Array("%PDF-1.7 fixture blank form\n".utf8)
  static let release = Release(recipient: "Dr. Fixture", address: "1 Fixture Way", information: "dates of service", purpose: "coordination")
  static let time: Int64 = 1_790_000_000
  /// 70,000 bytes: one full 64 KiB chunk and a padded final chunk.
  static func document() -> [UInt8] { (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } }
}

/// Adds the fixture's records to a vault made by `vault init`; runs only from `make fixture`,
/// which sets VAULT_MAKE_FIXTURE to the fixture directory.
@Suite("fixture maker")
struct FixtureMaker {
  @Test("write the records of a new format fixture", .enabled(if: ProcessInfo.processInfo.environment["VAULT_MAKE_FIXTURE"] != nil))
  func make() throws {
    let dir = try #require(ProcessInfo.processInfo.environment["VAULT_MAKE_FIXTURE"])
    let vault = try Vault.open(at: dir + "/vault")
    let pass = try String(contentsOfFile: dir + "/passphrase.txt", encoding: .utf8).trimmingCharacters(in: .newlines)
    let unlocked = try vault.unlock(.passphrase(secret(pass)))
    let records = Records(unlocked)
    let t = FixtureContent.time
    var client = try records.addClient(FixtureContent.record, author: "fixture", now: t)
    (client, _) = try records.addNote(
      to: client, text: FixtureContent.noteText, kind: .progress, date: Day(year: 2026, month: 1, day: 12)!, minutes: 50, sign: true,
      author: "fixture", now: t + 60)
    (client, _) = try records.amendNote(1, of: client, text: FixtureContent.addendumText, reason: "fixture addendum", author: "fixture", now: t + 120)
    let scratch = try TemporaryDirectory()
    let files = scratch.path
    try Data(FixtureContent.consentBytes).write(to: URL(fileURLWithPath: files + "/consent.pdf"))
    try Data(FixtureContent.formBytes).write(to: URL(fileURLWithPath: files + "/form.pdf"))
    _ = try records.addForm(kind: .informedConsent, version: "v1", FileSource(path: files + "/form.pdf"), author: "fixture", now: t + 180)
    (client, _) = try records.addConsent(
      to: client, FileSource(path: files + "/consent.pdf"), kind: .informedConsent, signed: Day(year: 2026, month: 1, day: 5),
      expires: nil, formVersion: "v1", note: "", release: nil, author: "fixture", now: t + 240)
    (client, _) = try records.addConsent(
      to: client, FileSource(path: files + "/consent.pdf"), kind: .releaseOfInformation, signed: Day(year: 2026, month: 1, day: 5),
      expires: Day(year: 2027, month: 1, day: 5), formVersion: "", note: "", release: FixtureContent.release, author: "fixture", now: t + 300)
    (client, _) = try records.disclose(
      client, date: Day(year: 2026, month: 1, day: 20)!, basis: .authorization, recipient: "Dr. Fixture", address: "", what: "dates of service",
      purpose: "coordination", reason: nil, authorization: client.consentID(2), corrects: nil, author: "fixture", now: t + 360)
    let store = vault.layout.objectStore
    let document = try store.put(
      FixtureContent.document(), binding: ObjectBinding(type: .document, client: .none), key: unlocked.keys.vaultObjects,
      vault: vault.config.vaultID)
    let manifest = ["client": client.id.hex, "code": client.code.description, "clientIndexObject": client.indexObject.hex, "documentObject": document.hex]
    let data = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: dir + "/manifest.json"))
  }
}
