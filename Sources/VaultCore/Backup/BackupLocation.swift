import Foundation

/// Where a backup repository is, as the user writes it: a local directory, or an S3-compatible
/// bucket `s3:https://HOST/BUCKET/PREFIX` (FORMAT.md §16, OPERATIONS.md).
public enum BackupLocation {
  /// The store for `location`, not yet checked for a repository.
  public static func store(for location: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any BlobStore {
    var r = location
    while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
    return LocalBlobStore(root: r, temporaryDirectory: "\(r)/tmp")
  }

  /// The repository at `location`, not yet checked.
  static func repository(_ location: String) throws -> BackupRepository {
    BackupRepository(store: try store(for: location))
  }
}

