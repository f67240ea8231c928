/// snapshots/: every manifest reads, and every object and file it names is in the repository.
/// One manifest is in memory at a time: a repository of many snapshots costs no more to check.
struct SnapshotsCheck: BackupCheck {
  let name = "snapshots"

  func check(_ context: BackupCheckContext, _ findings: inout [Finding]) throws {
    let repo = context.repo
    var count = 0
    let damaged = try repo.forEachSnapshot { s in
      count += 1
      let missingObjects = s.objects.filter { ObjectID(hex: $0).map { !context.objects.contains($0) } ?? true }
      let missingFiles = s.files.filter { f in
        !context.goodBlobs.contains(f.blob) && !((try? repo.blobName(f.blob)).map(repo.store.exists) ?? false)
      }
      if !missingObjects.isEmpty {
        findings.append(Finding(.error, "snapshots/\(s.id)", "\(missingObjects.count) object(s) of this snapshot are missing, e.g. \(missingObjects[0].prefix(12))…"))
      }
      for f in missingFiles { findings.append(Finding(.error, "snapshots/\(s.id)", "the copy of \(f.path) is missing")) }
    }
    findings += damaged.map { Finding(.error, "snapshots/\($0)", "snapshot manifest is damaged or modified") }
    if count == 0 && damaged.isEmpty { findings.append(Finding(.warning, "snapshots", "the backup holds no snapshot yet")) }
  }
}
