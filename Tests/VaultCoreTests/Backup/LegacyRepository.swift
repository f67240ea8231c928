@testable import VaultCore

/// Writes what a repository of the first layout (revision 0, loose copies) held, as releases
/// before pack files wrote it (FORMAT.md §16.5), so tests can check it is still read and converted.
enum LegacyRepository {
  /// A manifest of revision 0 (its `objects` list in the JSON).
  static func write(_ snapshot: Snapshot, to store: any BlobStore) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    let body = Array(try e.encode(snapshot))
    try store.put(try BackupRepository.snapshotsFolder.appending(snapshot.id), bytes: try ChecksummedFile.encode(.backupSnapshot, body: body))
  }
}

import Foundation
