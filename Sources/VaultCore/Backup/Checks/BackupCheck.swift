import Foundation

// Backup/Checks/ holds `vault backup verify`'s checks, one file per concern, run in the order of
// `BackupVerifier.standardChecks`. To add one: a file with a struct conforming to `BackupCheck`,
// appended to the list; what several checks need goes into `BackupCheckContext`.

/// One concern of `vault backup verify`: looks at the repository and appends what is wrong.
protocol BackupCheck: Sendable {
  /// What it checks, in a few words.
  var name: String { get }
  /// Appends the problems found; throws only when the repository cannot be read at all.
  func check(_ context: BackupCheckContext, _ findings: inout [Finding]) throws
}

/// What the checks of one run share: the repository, and what earlier checks established.
final class BackupCheckContext {
  let repo: BackupRepository
  /// Set for `--full`: how to unlock the restored latest snapshot.
  let credential: (() throws -> Credential)?
  let progress: (Int, Int) -> Void
  /// Where every entry is (set by `IndexCheck`).
  var index = RepositoryIndex()
  /// Entries whose bytes match their ids (set by `PacksCheck`).
  var goodEntries = Set<ObjectID>()

  init(repo: BackupRepository, credential: (() throws -> Credential)?, progress: @escaping (Int, Int) -> Void) {
    self.repo = repo
    self.credential = credential
    self.progress = progress
  }
}

/// Checks a backup repository: every copy against its name, every snapshot complete, and with
/// a credential, the latest snapshot restored and verified with its keys (FORMAT.md §16).
struct BackupVerifier {
  /// The checks, in the order their findings are listed.
  static var standardChecks: [any BackupCheck] {
    [
      IndexFilesCheck(),  // index/: every index file hashes to its name (sets `index`)
      PacksCheck(),  // packs/: every entry of every pack hashes to its id (sets `goodEntries`)
      SnapshotsCheck(),  // snapshots/: every manifest reads, and all it names is present and intact
      LeftoversCheck(),  // tmp/: what an interrupted backup left
      RestoredSnapshotCheck(),  // with a credential: the latest snapshot restores and verifies, keyed
    ]
  }

  let repo: BackupRepository
  var checks: [any BackupCheck] = standardChecks

  /// Runs every check.
  func run(credential: (() throws -> Credential)? = nil, progress: @escaping (Int, Int) -> Void = { _, _ in }) throws -> [Finding] {
    let context = BackupCheckContext(repo: repo, credential: credential, progress: progress)
    var findings: [Finding] = []
    for check in checks { try check.check(context, &findings) }
    return findings
  }
}
