import Foundation
import Testing
@testable import VaultCore
import VaultCrypto

/// `backup verify` is its list of checks: each finds its own damage, and the finding goes when
/// that check is left out of the list.
@Suite("backup verify's checks")
struct BackupChecksTests {
  struct Sentinel: Error {}

  /// A repository in memory with one object copy, one file blob and one snapshot naming both.
  func repository() throws -> (BackupRepository, MemoryBlobStore, ObjectStore, ObjectID, String) {
    let vault = try RandomID.generate()
    let backend = MemoryBlobStore()
    try backend.put(BackupRepository.markerName, bytes: try ChecksummedFile.encode(.backupRepository, body: vault.bytes))
    let (repo, _) = try BackupRepository.open(BackupRepository(store: backend))
    let objects = ObjectStore(backend: backend, folder: try BlobName("objects"))
    let id = try objects.put(Array("note".utf8), binding: ObjectBinding(type: .note, client: try RandomID.generate()), key: try SecretKey.random(), vault: vault)
    let file = Array("config bytes".utf8)
    let blob = Hex.encode(try Hasher.blake2b256(file))
    try backend.put(try repo.blobName(blob), bytes: file, mode: .contentAddressed, durable: true)
    try repo.write(Snapshot(
      id: "20261126T021500.123Z-1a2b3c4d", time: "2026-11-26T02:15:00Z", vault: vault.hex, logCount: 0, logHead: "",
      files: [Snapshot.SnapshotFile(path: "config", blob: blob, size: UInt64(file.count))], objects: [id.hex]))
    return (repo, backend, objects, id, blob)
  }

  /// Findings with every standard check, and with the one named left out.
  func findings(_ repo: BackupRepository, without name: String) throws -> (all: [Finding], rest: [Finding]) {
    let all = try BackupVerifier(repo: repo).run()
    let rest = try BackupVerifier(repo: repo, checks: BackupVerifier.standardChecks.filter { $0.name != name }).run()
    return (all, rest)
  }

  @Test("an intact repository has no finding, and an empty list finds nothing even in a damaged one")
  func listIsWhatRuns() throws {
    let (repo, backend, objects, id, _) = try repository()
    #expect(try BackupVerifier(repo: repo).run() == [])
    try backend.delete(objects.name(for: id))
    #expect(try BackupVerifier(repo: repo, checks: []).run() == [])
    #expect(try !BackupVerifier(repo: repo).run().isEmpty)
  }

  @Test("each check finds its own damage")
  func eachCheckCanFail() throws {
    var (repo, backend, objects, id, blob) = try repository()
    var bytes = try backend.get(objects.name(for: id), limit: 1 << 20)
    bytes[bytes.count - 1] ^= 1
    try backend.put(objects.name(for: id), bytes: bytes)
    var (all, rest) = try findings(repo, without: "object copies")
    #expect(all.contains { $0.path.hasPrefix("objects/") } && !rest.contains { $0.path.hasPrefix("objects/") })

    (repo, backend, objects, id, blob) = try repository()
    try backend.put(try repo.blobName(blob), bytes: Array("other bytes".utf8))
    (all, rest) = try findings(repo, without: "file blobs")
    #expect(all.contains { $0.path.hasPrefix("files/") } && !rest.contains { $0.path.hasPrefix("files/") })

    (repo, backend, objects, id, blob) = try repository()
    try backend.delete(objects.name(for: id))
    (all, rest) = try findings(repo, without: "snapshots")
    #expect(all.contains { $0.message.contains("are missing") } && !rest.contains { $0.path.hasPrefix("snapshots/") })

    (repo, backend, objects, id, blob) = try repository()
    try backend.put(try BackupRepository.tmpFolder.appending("copy-1234"), bytes: [1])
    (all, rest) = try findings(repo, without: "leftovers")
    #expect(all.contains { $0.path == "tmp/copy-1234" } && !rest.contains { $0.path.hasPrefix("tmp/") })
  }

  @Test("the keyed check runs only when given a credential")
  func restoredSnapshotNeedsCredential() throws {
    let (repo, _, _, _, _) = try repository()
    #expect(try BackupVerifier(repo: repo).run() == [])
    #expect(throws: Sentinel.self) { try BackupVerifier(repo: repo).run(credential: { throw Sentinel() }) }
  }
}
