/// index/: every index file hashes to its name and lists packs whose trailers match their ids
/// (sets `index`). In a repository of the first layout, the loose copies stand in for it.
struct IndexFilesCheck: BackupCheck {
  let name = "index"

  func check(_ context: BackupCheckContext, _ findings: inout [Finding]) throws {
    let (index, damaged) = try context.repo.loadIndex()
    context.index = index
    findings += damaged.map { Finding(.error, "index/\($0)", "index file is damaged or modified; delete it and run a backup: the packs it named are indexed again from their own trailers") }
  }
}
