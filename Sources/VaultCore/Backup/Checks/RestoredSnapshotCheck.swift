import Foundation

/// With a credential (`backup verify --full`): the latest snapshot is restored into the
/// repository's scratch space and checked with the keyed vault checks: every object decrypts and
/// the log's chain holds. Findings name the snapshot; the scratch copy is removed afterwards.
/// The credential is read first, so a prompt comes before the restore, not after it.
struct RestoredSnapshotCheck: BackupCheck {
  let name = "restored snapshot"

  func check(_ context: BackupCheckContext, _ findings: inout [Finding]) throws {
    guard let credential = try context.credential?() else { return }
    guard let latest = try context.repo.latestSnapshot() else { throw BackupError.noSnapshots }
    // Ciphertext only; beside the repository when it is a local directory, else in the system's.
    let base = context.repo.isLocal ? "\(context.repo.root)/tmp" : NSTemporaryDirectory()
    let scratch = "\(base.hasSuffix("/") ? String(base.dropLast()) : base)/vault-verify-\(UUID().uuidString)"
    defer { Directories.removeTree(scratch) }
    try BackupEngine.restore(latest, from: context.repo, to: scratch, durable: false)
    let restored = try Vault.open(at: scratch)
    let unlocked = try restored.unlock(credential)
    findings += try VaultVerifier(vault: restored).run(unlocked: unlocked).map { Finding($0.severity, "snapshot \(latest.id): \($0.path)", $0.message) }
  }
}
