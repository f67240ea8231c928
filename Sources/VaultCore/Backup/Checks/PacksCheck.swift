import Foundation

/// packs/: every pack an index names is present and whole, and every entry in it hashes to its
/// id (sets `goodEntries`); each pack is read once, on every core. Packs no index names are
/// leftovers of an interrupted backup. In the first layout, each loose copy is checked instead.
struct PacksCheck: BackupCheck {
  let name = "packs"

  func check(_ context: BackupCheckContext, _ findings: inout [Finding]) throws {
    let repo = context.repo
    let index = context.index
    let collected = Collected(progress: context.progress)
    if repo.revision == 0 {
      let loose = index.locations.sorted { $0.key < $1.key }
      for (n, (id, location)) in loose.enumerated() {
        let where_ = location.kind == .object ? "objects/\(id.hex.prefix(2))/\(id.hex)" : "files/\(id.hex.prefix(2))/\(id.hex)"
        if let reader = try? repo.open(id, at: location, index: index), (try? EntryReader(reader, length: UInt64(reader.size)).matches(location.kind, id)) == true {
          collected.good([id])
        } else {
          findings.append(Finding(.error, where_, "copy does not match its name (damaged or modified)"))
        }
        context.progress(n + 1, loose.count)
      }
      context.goodEntries = collected.entries
      return
    }
    let (present, strays) = try repo.listPacks()
    findings += strays.map { Finding(.warning, "packs/\($0)", "unexpected file in packs/") }
    let presentSet = Set(present)
    for id in present where index.packs[id] == nil {
      findings.append(Finding(.warning, "packs/\(id.hex)", "no index names this pack (an interrupted backup, or a lost index file): the next backup indexes it again if it is whole, or removes it"))
    }
    let packs = index.packs.sorted { $0.key < $1.key }
    for (id, _) in packs where !presentSet.contains(id) { findings.append(Finding(.error, "packs/\(id.hex)", "pack is missing")) }
    let checkable = packs.filter { presentSet.contains($0.key) }
    let workers = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      for i in stride(from: w, to: checkable.count, by: workers) {
        let (id, trailer) = checkable[i]
        var good: [ObjectID] = []
        var bad: [String] = []
        do {
          try PackReader(store: repo.store, id: id, trailer: trailer).walk(wanted: { _ in true }) { entry, reader in
            if try reader.matches(entry.kind, entry.id) { good.append(entry.id) } else { bad.append("entry \(entry.id.hex.prefix(12))… does not match its name (damaged or modified); delete this pack and run a backup: the vault's own copies replace what it held") }
          }
        } catch {
          good = []
          bad.append(VaultVerifier.describe(error))
        }
        collected.good(good)
        collected.fail(bad.map { Finding(.error, "packs/\(id.hex)", $0) })
        collected.done(of: checkable.count)
      }
    }
    findings += collected.findings.sorted { ($0.path, $0.message) < ($1.path, $1.message) }
    context.goodEntries = collected.entries
  }

  /// What the workers found, shared under a lock (which also keeps progress reports in order).
  private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private let progress: (Int, Int) -> Void
    init(progress: @escaping (Int, Int) -> Void) { self.progress = progress }
    private(set) var entries = Set<ObjectID>()
    private(set) var findings: [Finding] = []
    private var count = 0
    func good(_ ids: [ObjectID]) { lock.withLock { entries.formUnion(ids) } }
    func fail(_ f: [Finding]) { lock.withLock { findings += f } }
    func done(of total: Int) {
      lock.withLock {
        count += 1
        progress(count, total)
      }
    }
  }
}
