import Foundation
import Testing
@testable import VaultCore

/// Writes what a repository of the first layout (revision 0, loose copies) held, as releases
/// before pack files wrote it (FORMAT.md §16.5), so tests can check it is still read and converted.
enum LegacyRepository {
  /// A manifest of revision 0 (its `objects` list in the JSON).
  static func write(_ snapshot: Snapshot, to store: any BlobStore) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    let body = Array(try e.encode(snapshot))
    try store.put(try BackupRepository.snapshotsFolder.appending(snapshot.id), bytes: try ChecksummedFile.encode(.backupSnapshot, body: body))
  }
}


/// Repositories written before pack files (revision 0, `Fixtures/backup-v0`: two snapshots of
/// the v1 fixture vault by the release before) stay readable, and the next backup converts them.
@Suite("backup repositories of the first layout")
struct LegacyRepositoryTests {
  static let fixtures = testsDirectory.appendingPathComponent("Fixtures")

  /// Copies of the v0 repository and of the v1 vault it backs up (tests never write the committed ones).
  static func copyFixtures(into dir: TemporaryDirectory) throws -> (repo: String, vault: String) {
    let repo = dir.path + "/repo", vault = dir.path + "/vault"
    try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("backup-v0").path, toPath: repo)
    try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("v1-vault/vault").path, toPath: vault)
    return (repo, vault)
  }

  @Test("the v0 repository fixture lists, verifies and restores as it is; a backup converts it to packs and every snapshot still restores")
  func fixture() throws {
    let dir = try TemporaryDirectory()
    let (repo, vault) = try Self.copyFixtures(into: dir)
    let pass = try String(contentsOf: Self.fixtures.appendingPathComponent("v1-vault/passphrase.txt"), encoding: .utf8).trimmingCharacters(in: .newlines)
    let credential = { Credential.passphrase(try secret(pass)) }

    let (before, damaged) = try Backups.list(repo)
    #expect(before.count == 2 && damaged.isEmpty && before.allSatisfy { $0.objects == 9 })
    #expect(try BackupRepository.open(repo).0.revision == 0)
    #expect(try Backups.verify(repo).findings.filter { $0.severity == .error } == [])
    _ = try Backups.restore(from: repo, snapshot: before[0].id, to: dir.path + "/old")
    #expect(try VaultVerifier(vault: Vault.open(at: dir.path + "/old")).run().filter { $0.severity == .error } == [])

    let summary = try Backups.create(vault: vault, to: repo)
    #expect(summary.objectsCopied == 0, "every object was in the old copies, now packed")
    #expect(try BackupRepository.open(repo).0.revision == 1)
    let packs = try FileManager.default.contentsOfDirectory(atPath: repo + "/packs")
    let loose = (FileManager.default.enumerator(atPath: repo + "/objects")?.allObjects as? [String] ?? []).filter { $0.count > 3 }
    #expect(loose.isEmpty && !packs.isEmpty, "the loose copies are gone, the packs hold them")
    #expect(try Backups.verify(repo, credential: credential).findings.filter { $0.severity == .error } == [])
    let (after, _) = try Backups.list(repo)
    #expect(after.map(\.id) == before.map(\.id) + [summary.snapshot])
    for (n, s) in after.enumerated() {
      _ = try Backups.restore(from: repo, snapshot: s.id, to: dir.path + "/restored-\(n)")
      let restored = try Vault.open(at: dir.path + "/restored-\(n)")
      #expect(try VaultVerifier(vault: restored).run(unlocked: restored.unlock(credential())).filter { $0.severity == .error } == [])
    }
  }

  @Test("a conversion leaves out a damaged loose copy alone: every intact copy is packed, and only the snapshot that needed the damaged one reports it")
  func damagedCopy() throws {
    let dir = try TemporaryDirectory()
    let (repo, vault) = try Self.copyFixtures(into: dir)
    // The copy whose id sorts last: packed last, after every other copy went into the open pack.
    let files = (FileManager.default.enumerator(atPath: repo + "/files")?.allObjects as? [String] ?? []).filter { $0.count > 3 }.sorted()
    let last = try #require(files.last)
    var bytes = try Data(contentsOf: URL(fileURLWithPath: repo + "/files/" + last))
    bytes[0] ^= 1
    try bytes.write(to: URL(fileURLWithPath: repo + "/files/" + last))
    let summary = try Backups.create(vault: vault, to: repo)
    #expect(summary.objectsCopied == 0, "every object copy was intact and packed")
    let errors = try Backups.verify(repo).findings.filter { $0.severity == .error }
    let (snapshots, _) = try Backups.list(repo)
    #expect(errors.count <= 2 && errors.allSatisfy { $0.path.hasPrefix("snapshots/") }, "\(errors)")
    _ = try Backups.restore(from: repo, snapshot: snapshots.last!.id, to: dir.path + "/restored")
  }
}
