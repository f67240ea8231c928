import Foundation
import Testing
@testable import VaultCore
import VaultCrypto

/// `backup verify` is its list of checks: each finds its own damage, and the finding goes when
/// that check is left out of the list.
@Suite("backup verify's checks")
struct BackupChecksTests {
  struct Sentinel: Error {}

  /// A repository of packs in memory: one pack holding an object, a file and the object list,
  /// its index, and one snapshot naming them.
  func repository() throws -> (BackupRepository, MemoryBlobStore, pack: ObjectID, index: BlobName) {
    let vault = try RandomID.generate()
    let backend = MemoryBlobStore()
    try backend.put(BackupRepository.markerName, bytes: try BackupRepository.marker(vault))
    let (repo, _) = try BackupRepository.open(BackupRepository(store: backend))
    let source = MemoryBlobStore()
    let objects = ObjectStore(backend: source, folder: try BlobName("objects"))
    let id = try objects.put(Array("note".utf8), binding: ObjectBinding(type: .note, client: try RandomID.generate()), key: try SecretKey.random(), vault: vault)
    let run = PackRun(store: backend)
    _ = try run.copy([id], from: objects)
    let file = Array("config bytes".utf8)
    try run.add(data: file)
    try run.add(data: id.bytes)
    let packs = try run.finish()
    let index = try #require(try repo.writeIndex(packs))
    try repo.write(Snapshot(
      id: "20261126T021500.123Z-1a2b3c4d", time: "2026-11-26T02:15:00Z", vault: vault.hex, logCount: 0, logHead: "",
      files: [Snapshot.SnapshotFile(path: "config", blob: Hex.encode(try Hasher.blake2b256(file)), size: UInt64(file.count))],
      objectList: Hex.encode(try Hasher.blake2b256(id.bytes)), objectCount: 1))
    let objectPack = try #require(packs.first { $0.trailer.entries.contains { $0.id == id } })
    return (repo, backend, objectPack.id, index)
  }

  /// Findings with every standard check, and with the one named left out.
  func findings(_ repo: BackupRepository, without name: String) throws -> (all: [Finding], rest: [Finding]) {
    let all = try BackupVerifier(repo: repo).run()
    let rest = try BackupVerifier(repo: repo, checks: BackupVerifier.standardChecks.filter { $0.name != name }).run()
    return (all, rest)
  }

  @Test("an intact repository has no finding, and an empty list finds nothing even in a damaged one")
  func listIsWhatRuns() throws {
    let (repo, backend, pack, _) = try repository()
    #expect(try BackupVerifier(repo: repo).run() == [])
    try backend.delete(BackupRepository.packName(pack))
    #expect(try BackupVerifier(repo: repo, checks: []).run() == [])
    #expect(try !BackupVerifier(repo: repo).run().isEmpty)
  }

  @Test("each check finds its own damage")
  func eachCheckCanFail() throws {
    var (repo, backend, pack, index) = try repository()
    var bytes = try backend.get(BackupRepository.packName(pack), limit: 1 << 20)
    bytes[FileHeader.size + 40] ^= 1
    try backend.put(BackupRepository.packName(pack), bytes: bytes)
    var (all, rest) = try findings(repo, without: "packs")
    #expect(all.contains { $0.path.hasPrefix("packs/") && $0.message.contains("does not match") } && !rest.contains { $0.path.hasPrefix("packs/") })

    (repo, backend, pack, index) = try repository()
    var indexBytes = try backend.get(index, limit: 1 << 20)
    indexBytes[indexBytes.count - 1] ^= 1
    try backend.put(index, bytes: indexBytes)
    (all, rest) = try findings(repo, without: "index")
    #expect(all.contains { $0.path.hasPrefix("index/") } && !rest.contains { $0.path.hasPrefix("index/") })

    (repo, backend, pack, index) = try repository()
    try backend.delete(BackupRepository.packName(pack))
    (all, rest) = try findings(repo, without: "snapshots")
    #expect(all.contains { $0.message.contains("missing") && $0.path.hasPrefix("snapshots/") } && !rest.contains { $0.path.hasPrefix("snapshots/") })

    (repo, backend, pack, index) = try repository()
    try backend.put(try BackupRepository.tmpFolder.appending("copy-1234"), bytes: [1])
    (all, rest) = try findings(repo, without: "leftovers")
    #expect(all.contains { $0.path == "tmp/copy-1234" } && !rest.contains { $0.path.hasPrefix("tmp/") })
  }

  @Test("the keyed check runs only when given a credential")
  func restoredSnapshotNeedsCredential() throws {
    let (repo, _, _, _) = try repository()
    #expect(try BackupVerifier(repo: repo).run() == [])
    #expect(throws: Sentinel.self) { try BackupVerifier(repo: repo).run(credential: { throw Sentinel() }) }
  }
}
