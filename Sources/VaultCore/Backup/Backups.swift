import Foundation

/// What `backup` did (docs/JSON.md, "backup").
public struct BackupSummary: Encodable, Sendable {
  public let snapshot: String
  public let objectsCopied: Int
  public let objectsPresent: Int
  public let bytesCopied: UInt64
  public let packsWritten: Int
  public let seconds: Double
  /// Files an interrupted backup or prune had left, removed first (not in JSON).
  public let leftoversReclaimed: Int

  enum CodingKeys: String, CodingKey { case snapshot, objectsCopied, objectsPresent, bytesCopied, packsWritten, seconds }
}

/// A snapshot as `backup list` shows it (docs/JSON.md, "snapshot").
public struct SnapshotSummary: Encodable, Sendable, Equatable {
  public let id: String
  public let time: String
  public let objects: Int
  public let logEntries: UInt64
}

/// What `backup prune` kept and removed (docs/JSON.md, "prune").
public struct PruneSummary: Encodable, Sendable {
  /// The snapshots kept, newest rule first.
  public let kept: [String]
  public let removed: [String]
  public let objectsRemoved: Int
  public let packsRemoved: Int
  public let packsRepacked: Int
  public let dryRun: Bool
  /// Why each kept snapshot is kept ("daily", "monthly"…), in the order of `kept` (not in JSON).
  public let reasons: [[String]]

  enum CodingKeys: String, CodingKey { case kept, removed, objectsRemoved, packsRemoved, packsRepacked, dryRun }
}

/// What `restore` wrote (docs/JSON.md, "restore").
public struct RestoreSummary: Encodable, Sendable {
  public let snapshot: String
  public let time: String
  public let to: String
  public let objects: Int
}

/// Backups of a vault: keyless copies into a backup repository, their checks, pruning and restore.
///
/// A backup is recorded in the vault's access log (as "system", sealed without the key) before it
/// counts: a snapshot whose entry cannot be written is taken back.
public enum Backups {
  /// Copies the vault at `vaultPath` into the repository at `directory` (created if new).
  public static func create(
    vault vaultPath: String, to directory: String, wait: Double = 0, reason: String? = nil, progress: @escaping (Int, Int) -> Void = { _, _ in }
  ) throws -> BackupSummary {
    let started = Date()
    let vault = try Vault.open(at: vaultPath)
    let repo = try BackupRepository.openOrCreate(try BackupLocation.store(for: directory), for: vault.config.vaultID)
    let held = try repo.lock(.exclusive, wait: wait)
    defer { withExtendedLifetime(held) {} }
    let result = try BackupEngine.backup(vault, to: repo, wait: wait, progress: progress) { snapshot, copied, bytes in
      let practice = try Practice(vault, unlocked: nil, mode: .keyless, wait: wait, reason: reason)
      try practice.authorize(.backup, client: nil)
      try practice.record(.backup, detail: "snapshot \(snapshot.id) to \(directory): \(copied) object(s) copied, \(bytes) bytes")
    }
    let seconds = Date().timeIntervalSince(started)
    return BackupSummary(
      snapshot: result.snapshot.id, objectsCopied: result.objectsCopied, objectsPresent: result.objectsPresent,
      bytesCopied: result.bytesCopied, packsWritten: result.packsWritten, seconds: (seconds * 1000).rounded() / 1000, leftoversReclaimed: result.leftoversReclaimed)
  }

  /// The snapshots in a repository, and the names of those that cannot be read.
  public static func list(_ directory: String) throws -> (snapshots: [SnapshotSummary], damaged: [String]) {
    let (snapshots, damaged) = try withRepository(directory, .shared) { try $0.snapshots() }
    return (snapshots.map { SnapshotSummary(id: $0.id, time: $0.time, objects: $0.count, logEntries: $0.logCount) }, damaged)
  }

  /// Checks every copy against its name and every snapshot for completeness (keyless). With
  /// `credential`, also restores the latest snapshot into the repository's scratch space and runs
  /// the keyed vault check on it: every object decrypts and the log's chain holds.
  public static func verify(_ directory: String, credential: (() throws -> Credential)? = nil, progress: @escaping (Int, Int) -> Void = { _, _ in })
    throws -> VerifyReport
  {
    let findings = try withRepository(directory, credential == nil ? .shared : .exclusive) {
      try BackupVerifier(repo: $0).run(credential: credential, progress: progress)
    }
    return VerifyReport(keyed: credential != nil, findings: findings)
  }

  /// Removes the snapshots `policy` does not keep, and the copies only they needed.
  public static func prune(_ directory: String, policy: RetentionPolicy, dryRun: Bool) throws -> PruneSummary {
    let result = try withRepository(directory, .exclusive) { try BackupEngine.prune($0, policy: policy, dryRun: dryRun) }
    return PruneSummary(
      kept: result.kept.map(\.id), removed: result.removed, objectsRemoved: result.objectsRemoved, packsRemoved: result.packsRemoved,
      packsRepacked: result.packsRepacked, dryRun: dryRun,
      reasons: result.kept.map(\.reasons))
  }

  /// Recreates a vault at `target` from a snapshot (the latest unless `snapshot` names one).
  public static func restore(from directory: String, snapshot id: String?, to target: String, progress: @escaping (Int, Int) -> Void = { _, _ in })
    throws -> RestoreSummary
  {
    let chosen = try withRepository(directory, .shared) { repo in
      let chosen = try id.map { try repo.snapshot($0) } ?? repo.latestSnapshot()
      guard let chosen else { throw BackupError.noSnapshots }
      try BackupEngine.restore(chosen, from: repo, to: target, progress: progress)
      return chosen
    }
    return RestoreSummary(snapshot: chosen.id, time: chosen.time, to: target, objects: chosen.count)
  }

  /// Runs `body` on the repository at `directory`, holding its lock in `mode` meanwhile.
  private static func withRepository<T>(_ directory: String, _ mode: VaultLock.Mode, _ body: (BackupRepository) throws -> T) throws -> T {
    let (repo, _) = try BackupRepository.open(try BackupLocation.repository(directory))
    let held = try repo.lock(mode)
    return try withExtendedLifetime(held) { try body(repo) }
  }
}
