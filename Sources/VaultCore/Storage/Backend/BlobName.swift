// Storage/Backend/ is the keyless seam under everything the vault and its backups keep: named
// blobs of ciphertext (or of bytes already checked by hash), put atomically, read back, listed,
// deleted and locked. It never sees a key: encryption happens above it (ObjectStore).

/// The name of a blob in a `BlobStore`: a relative key such as `objects/ab/abcdef…`,
/// `snapshots/20261126T021500.123Z-1a2b3c4d` or `vault-backup`.
///
/// Names become file paths (the local store) or object keys (a remote store), so anything that
/// could escape the store or mean two things is refused when the name is made: an empty name,
/// a leading `/`, an empty, `.` or `..` component, NUL and other control characters, the byte
/// escape of `SystemPath` (U+FFFF), and more than 1,024 bytes (the longest key S3 accepts).
public struct BlobName: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The name as given: components separated by `/`.
  public let rawValue: String

  /// The longest name, in UTF-8 bytes.
  public static let maximumLength = 1024

  /// Why a name was refused.
  public enum Problem: String, Sendable, Equatable {
    case empty = "the name is empty"
    case absolute = "the name starts with '/'"
    case emptyComponent = "the name has an empty component ('//' or a trailing '/')"
    case dotComponent = "the name has a '.' or '..' component"
    case controlCharacter = "the name holds NUL or another control character"
    case rawByte = "the name holds bytes that are not UTF-8"
    case tooLong = "the name is longer than 1024 bytes"
  }

  /// A checked name.
  /// - Throws: `BlobStoreError.invalidName` for a name that could escape the store or is ambiguous.
  public init(_ rawValue: String) throws {
    if let problem = Self.problem(rawValue) { throw BlobStoreError.invalidName(rawValue, problem) }
    self.rawValue = rawValue
  }

  /// What is wrong with `name`, or nil if it is a valid blob name.
  public static func problem(_ name: String) -> Problem? {
    if name.isEmpty { return .empty }
    if name.utf8.count > maximumLength { return .tooLong }
    if name.hasPrefix("/") { return .absolute }
    for scalar in name.unicodeScalars {
      if scalar.value < 0x20 || scalar.value == 0x7F { return .controlCharacter }
      if scalar == SystemPath.rawByteMarker { return .rawByte }
    }
    for component in name.split(separator: "/", omittingEmptySubsequences: false) {
      if component.isEmpty { return .emptyComponent }
      if component == "." || component == ".." { return .dotComponent }
    }
    return nil
  }

  /// `self/child`, checked.
  public func appending(_ child: String) throws -> BlobName { try BlobName("\(rawValue)/\(child)") }

  /// The components, in order.
  public var components: [Substring] { rawValue.split(separator: "/") }

  /// The last component.
  public var lastComponent: String { String(rawValue.split(separator: "/").last ?? "") }

  /// The folder the name lies in, or nil at the top level.
  public var folder: BlobName? {
    guard let slash = rawValue.lastIndex(of: "/") else { return nil }
    return BlobName(unchecked: String(rawValue[..<slash]))
  }

  /// A name known to be valid (a prefix of a valid name; hex digits in a checked folder).
  init(unchecked: String) { rawValue = unchecked }

  public var description: String { rawValue }
  public static func < (a: BlobName, b: BlobName) -> Bool { a.rawValue < b.rawValue }
}

/// Why a blob store refused a request that no disk or network failure explains.
///
/// Failures of the medium itself are `StorageError`s naming the blob's location (its path in a
/// local store) with the errno that says what happened, whatever the backend: ENOENT for a
/// missing blob, EFBIG for one over the caller's limit, EINVAL for something at the name that is
/// not a blob (a folder, a FIFO), ENOSPC/EDQUOT for a full medium, EIO. `VaultError.from` maps
/// those the same way for every backend. Lock conflicts are `VaultLock.Failure.busy`.
public enum BlobStoreError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A name that could escape the store or mean two things (see `BlobName`).
  case invalidName(String, BlobName.Problem)

  public var description: String {
    switch self {
    case .invalidName(let name, let problem):
      "refused the storage name '\(TerminalText.escape(name))': \(problem.rawValue)"
    }
  }
}
