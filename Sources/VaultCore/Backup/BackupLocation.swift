import Foundation

/// Where a backup repository is, as the user writes it: a local directory, or an S3-compatible
/// bucket `s3:https://HOST/BUCKET/PREFIX` (FORMAT.md §16, OPERATIONS.md).
public enum BackupLocation {
  /// The store for `location`, not yet checked for a repository.
  public static func store(for location: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any BlobStore {
    if isRemote(location) {
      let store = try S3BlobStore(url: location, environment: environment)
      // The bucket and the credentials, checked before anything else: one clear error.
      try store.checkAccess()
      return store
    }
    var r = location
    while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
    return LocalBlobStore(root: r, temporaryDirectory: "\(r)/tmp")
  }

  /// True for a location in an object store (`s3:…`), false for a local directory.
  public static func isRemote(_ location: String) -> Bool { location.hasPrefix("s3:") }

  /// `location` as the core wants it: a remote location as given, a relative directory made
  /// absolute against `currentDirectory`.
  public static func normalized(_ location: String, currentDirectory: String = FileManager.default.currentDirectoryPath) -> String {
    isRemote(location) || location.hasPrefix("/") ? location : currentDirectory + "/" + location
  }

  /// The repository at `location`, not yet checked.
  static func repository(_ location: String) throws -> BackupRepository {
    BackupRepository(store: try store(for: location))
  }
}

