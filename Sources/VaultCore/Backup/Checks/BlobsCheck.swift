/// files/: every copy of the vault's small files hashes to its name.
struct BlobsCheck: BackupCheck {
  let name = "file blobs"

  func check(_ context: BackupCheckContext, _ findings: inout [Finding]) throws {
    for hex in try context.repo.blobs() {
      if (try? context.repo.checkBlob(hex)) != nil { context.goodBlobs.insert(hex) } else {
        findings.append(Finding(.error, "files/\(hex.prefix(2))/\(hex)", "blob does not match its name (damaged or modified)"))
      }
    }
  }
}
