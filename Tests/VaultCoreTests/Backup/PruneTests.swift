import Foundation
import Testing
@testable import VaultCore
import VaultCrypto

/// What prune does to packs: deletes those with nothing needed, repacks those mostly unneeded,
/// keeps the rest whole, and leaves every needed entry in a pack some index names.
@Suite("prune of packs")
struct PruneTests {
  /// A repository in memory with four packs of data entries, each pack written on its own.
  func repository() throws -> (BackupRepository, MemoryBlobStore, [String: ObjectID], [String: ObjectID]) {
    let store = MemoryBlobStore()
    try store.put(BackupRepository.markerName, bytes: try BackupRepository.marker(try RandomID.generate()))
    let (repo, _) = try BackupRepository.open(BackupRepository(store: store))
    var ids: [String: ObjectID] = [:]
    var packs: [String: ObjectID] = [:]
    let layout: [(pack: String, entries: [(String, Int)])] = [
      ("mostly unneeded", [("keep-a", 100), ("drop-a", 1000)]),
      ("all unneeded", [("drop-b1", 100), ("drop-b2", 100)]),
      ("all needed", [("keep-c1", 100), ("keep-c2", 100)]),
      ("little unneeded", [("keep-d", 1000), ("drop-d", 10)]),
    ]
    var written: [(id: ObjectID, trailer: PackTrailer)] = []
    for (pack, entries) in layout {
      let writer = PackWriter(store: store)
      for (name, size) in entries { ids[name] = try writer.add(data: Array(name.utf8) + [UInt8](repeating: 7, count: size)) }
      try writer.flush()
      packs[pack] = writer.written[0].id
      written += writer.written
    }
    try repo.writeIndex(written)
    return (repo, store, ids, packs)
  }

  @Test("a pack with nothing needed is deleted, one a quarter or more unneeded is repacked, the others stay whole")
  func plan() throws {
    let (repo, store, ids, packs) = try repository()
    let needed = Set(ids.filter { $0.key.hasPrefix("keep") }.values)
    let (index, _) = try repo.loadIndex()
    let plan = PrunePlan(index: index, needed: needed)
    #expect(plan.delete == [packs["all unneeded"]!])
    #expect(plan.repack == [packs["mostly unneeded"]!])
    #expect(plan.entriesDropped == 3)

    try plan.apply(to: repo, index: index)
    let (after, damaged) = try repo.loadIndex()
    #expect(damaged.isEmpty && after.files.count == 1, "one index file names every pack left")
    #expect(!store.exists(BackupRepository.packName(packs["all unneeded"]!)) && !store.exists(BackupRepository.packName(packs["mostly unneeded"]!)))
    #expect(store.exists(BackupRepository.packName(packs["all needed"]!)) && store.exists(BackupRepository.packName(packs["little unneeded"]!)))
    for id in needed { #expect(try repo.data(id, index: after, limit: 1 << 20).count > 0, "every needed entry is readable") }
    #expect(!after.contains(ids["drop-a"]!) && !after.contains(ids["drop-b1"]!) && after.contains(ids["drop-d"]!))
    #expect(try BackupVerifier(repo: repo).run().filter { $0.severity == .error } == [])
  }

  @Test("killed between the new index and the deletions, or with every index file lost, the next run indexes the whole packs again and loses nothing")
  func interrupted() throws {
    let (repo, store, ids, packs) = try repository()
    let (index, _) = try repo.loadIndex()
    // What apply does up to the new index, without the deletions that follow it.
    let surviving = index.packs.filter { $0.key != packs["all unneeded"]! }.map { (id: $0.key, trailer: $0.value) }
    try repo.writeIndex(surviving)
    for name in index.files { try store.delete(name) }
    #expect(try repo.reclaimLeftovers() == 0)
    #expect(try repo.loadIndex().index.packs.count == 4, "the pack no index named is whole: indexed again, left for prune")

    // Every index file gone (deleted by hand): nothing is deleted, everything is found again.
    for name in try repo.loadIndex().index.files { try store.delete(name) }
    #expect(try repo.reclaimLeftovers() == 0)
    let (after, _) = try repo.loadIndex()
    for id in ids.values { #expect(after.contains(id)) }
    // A pack that is not whole (cut short) and that no index names is what gets deleted.
    let cut = try store.get(BackupRepository.packName(packs["all needed"]!), limit: 1 << 20)
    let partial = try BackupRepository.packName(try ObjectID(bytes: [UInt8](repeating: 7, count: 32)))
    try store.put(partial, bytes: Array(cut.dropLast(3)))
    #expect(try repo.reclaimLeftovers() == 1 && !store.exists(partial))
  }
}
