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
  /// Object copies present (set by `ObjectCopiesCheck`).
  var objects = Set<ObjectID>()
  /// File blobs whose content matches their name (set by `BlobsCheck`).
  var goodBlobs = Set<String>()

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
      ObjectCopiesCheck(),  // objects/: every copy hashes to its name (sets `objects`)
      BlobsCheck(),  // files/: every blob hashes to its name (sets `goodBlobs`)
      SnapshotsCheck(),  // snapshots/: every manifest reads, and all it names is present
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
