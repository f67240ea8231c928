/// snapshots/: every manifest reads, and its object list, every object and every file it names
/// is in the repository, intact. One manifest is in memory at a time.
struct SnapshotsCheck: BackupCheck {
  let name = "snapshots"

  func check(_ context: BackupCheckContext, _ findings: inout [Finding]) throws {
    let repo = context.repo
    var count = 0
    let damaged = try repo.forEachSnapshot { s in
      count += 1
      let ids: [ObjectID]
      do { ids = try repo.objectIDs(of: s, index: context.index) } catch {
        findings.append(Finding(.error, "snapshots/\(s.id)", "the list of this snapshot's objects cannot be read: \(VaultVerifier.describe(error))"))
        return
      }
      let missing = ids.filter { !context.goodEntries.contains($0) }
      if !missing.isEmpty {
        findings.append(Finding(.error, "snapshots/\(s.id)", "\(missing.count) object(s) of this snapshot are missing or damaged, e.g. \(missing[0].hex.prefix(12))…"))
      }
      for f in s.files where !(ObjectID(hex: f.blob).map(context.goodEntries.contains) ?? false) {
        findings.append(Finding(.error, "snapshots/\(s.id)", "the copy of \(f.path) is missing or damaged"))
      }
    }
    findings += damaged.map { Finding(.error, "snapshots/\($0)", "snapshot manifest is damaged or modified") }
    if count == 0 && damaged.isEmpty { findings.append(Finding(.warning, "snapshots", "the backup holds no snapshot yet")) }
  }
}
