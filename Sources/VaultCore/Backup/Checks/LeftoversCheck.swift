/// tmp/: what an interrupted backup left (the next backup removes it).
struct LeftoversCheck: BackupCheck {
  let name = "leftovers"

  func check(_ context: BackupCheckContext, _ findings: inout [Finding]) throws {
    for entry in (try? context.repo.store.list(BackupRepository.tmpFolder)) ?? [] {
      findings.append(Finding(.warning, "tmp/\(entry.name)", "leftover of an interrupted backup; the next backup removes it"))
    }
  }
}
