/// Which packs a prune deletes (nothing in them is needed) and which it repacks (mostly
/// unneeded: the needed entries are copied into new packs first), and what that drops.
struct PrunePlan {
  private(set) var delete: [ObjectID] = []
  private(set) var repack: [ObjectID] = []
  private(set) var entriesDropped = 0
  let needed: Set<ObjectID>

  /// A pack is repacked when at least a quarter of its bytes are unneeded; below that, the
  /// unneeded entries stay (rewriting a pack to save a few bytes costs more than it saves).
  init(index: RepositoryIndex, needed: Set<ObjectID>) {
    self.needed = needed
    for (id, trailer) in index.packs.sorted(by: { $0.key < $1.key }) {
      let unneeded = trailer.entries.filter { !needed.contains($0.id) }
      guard !unneeded.isEmpty else { continue }
      if unneeded.count == trailer.entries.count {
        delete.append(id)
        entriesDropped += unneeded.count
      } else if unneeded.reduce(0, { $0 + $1.length }) * 4 >= trailer.contentLength {
        repack.append(id)
        entriesDropped += unneeded.count
      }
    }
  }

  /// Writes the repacked entries' new packs, then one index of every surviving pack, then
  /// deletes the old index files and packs: killed at any point, every needed entry is in a
  /// pack some index names (old packs no index names are removed by the next run).
  func apply(to repo: BackupRepository, index: RepositoryIndex) throws {
    guard !delete.isEmpty || !repack.isEmpty else { return }
    let run = PackRun(store: repo.store)
    for pack in repack {
      guard let trailer = index.packs[pack] else { continue }
      try PackReader(store: repo.store, id: pack, trailer: trailer).walk(wanted: { needed.contains($0.id) && !run.contains($0.id) }) { entry, reader in
        try run.add(entry.kind, entry.id, from: reader)
      }
    }
    let gone = Set(delete + repack)
    var surviving = index.packs.filter { !gone.contains($0.key) }.map { (id: $0.key, trailer: $0.value) }
    surviving += try run.finish()
    try repo.store.sync()
    let fresh = try repo.writeIndex(surviving.sorted { $0.id < $1.id })
    for name in index.files where name != fresh { try repo.store.delete(name, durable: true) }
    for pack in gone { try repo.store.delete(BackupRepository.packName(pack)) }
    try repo.store.sync()
  }
}
