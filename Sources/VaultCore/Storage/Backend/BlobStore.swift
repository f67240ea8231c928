#if canImport(Glibc)
  import Glibc
#endif

/// A keyless store of named blobs: the seam between what the vault and its backups keep and
/// where the bytes live (a local directory, memory for tests, later a remote object store).
///
/// Every blob is immutable once visible and appears whole under its name or not at all: a put
/// that fails or is interrupted (SIGKILL, power loss) leaves no blob and no partial one. Blobs
/// hold ciphertext or bytes that readers check against their name; the store never sees a key
/// and never decrypts. Names are checked `BlobName`s. Folders are the `/`-separated prefixes of
/// names: they exist while a blob lies in them (a local store may keep an empty one).
///
/// Errors: `BlobStoreError` for a refused request, `StorageError` (with an errno: ENOENT,
/// EFBIG, EINVAL, ENOSPC, EIO, ...) for a failure of the medium, `VaultLock.Failure.busy` for a
/// lock held elsewhere.
public protocol BlobStore: Sendable {
  /// Where the store is, for messages: a directory path, or `memory:` and an id.
  var location: String { get }

  /// What messages and findings call `name` (a local store: its path), or the store's own
  /// location for nil.
  func path(of name: BlobName?) -> String

  /// Stores `bytes` as `name`, atomically (see `PutMode` for an existing blob). `durable`: on
  /// stable storage before returning; otherwise only once `sync` returns.
  func put(_ name: BlobName, bytes: [UInt8], mode: PutMode, durable: Bool) throws

  /// A writer for a blob of any size, streamed: its name is given only when it is committed,
  /// so a content-addressed name can be the hash of what was written.
  func makeWriter() throws -> any BlobWriter

  /// The whole blob, refused (EFBIG) when larger than `limit` bytes; ENOENT when missing.
  func get(_ name: BlobName, limit: Int) throws -> [UInt8]

  /// Opens a blob for streamed reading (ENOENT when missing): memory stays bounded by the
  /// caller's buffer, whatever the size.
  func open(_ name: BlobName) throws -> any BlobReader

  /// The blobs and folders directly in `folder` (the top level for nil), sorted by name; empty
  /// when the folder does not exist. Entries need not be valid `BlobName` components (a
  /// damaged or tampered store): callers check each before use.
  func list(_ folder: BlobName?) throws -> [BlobEntry]

  /// Removes a blob; a missing one is not an error. `durable`: the removal survives a crash
  /// once this returns.
  func delete(_ name: BlobName, durable: Bool) throws

  /// True if a blob (or anything else) has this name.
  func exists(_ name: BlobName) -> Bool

  /// The size of a blob in bytes.
  func size(_ name: BlobName) throws -> Int

  /// Makes `folder` exist where folders are real (a local directory, mode 0700); no-op elsewhere.
  func makeFolder(_ folder: BlobName) throws

  /// Takes a lock named `name` (a local store: an flock on that file), waiting up to `wait`
  /// seconds; released when the returned object is released.
  /// - Throws: `VaultLock.Failure.busy` when still held elsewhere after the wait.
  func lock(_ name: BlobName, _ mode: VaultLock.Mode, wait: Double) throws -> any BlobLock

  /// Makes every put and delete made with `durable: false` durable.
  func sync() throws
}

extension BlobStore {
  /// `put` replacing any existing blob, durably.
  public func put(_ name: BlobName, bytes: [UInt8]) throws { try put(name, bytes: bytes, mode: .replace, durable: true) }
  /// `delete`, not waiting for durability.
  public func delete(_ name: BlobName) throws { try delete(name, durable: false) }
  /// `lock` without waiting.
  public func lock(_ name: BlobName, _ mode: VaultLock.Mode) throws -> any BlobLock { try lock(name, mode, wait: 0) }

  /// Stores the local file at `source` (a path outside the store; a final symlink is refused)
  /// as `name`, streamed in 1 MiB blocks; returns its size.
  @discardableResult
  public func put(_ name: BlobName, copying source: String, mode: PutMode = .replace, durable: Bool = true) throws -> Int {
    let fd = try FileSystem.open(source, O_RDONLY | O_NONBLOCK)
    defer { close(fd) }
    let writer = try makeWriter()
    do {
      var total = 0
      var buffer = [UInt8](repeating: 0, count: 1 << 20)
      while true {
        let n = try buffer.withUnsafeMutableBytes { try FileSystem.readFull(fd, into: $0, path: source) }
        if n == 0 { break }
        try buffer.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0.prefix(n))) }
        total += n
      }
      try writer.commit(as: name, mode: mode, durable: durable)
      return total
    } catch {
      writer.abandon()
      throw error
    }
  }
}

/// What a put does when a blob already has the name.
public enum PutMode: Sendable, Equatable {
  /// The new blob replaces it, atomically: readers see the old bytes or the new, never a mix.
  case replace
  /// The name is derived from the content (a hash), so an existing blob holds these very
  /// bytes: either copy may stay. Lets a local store link the new file without renaming over.
  case contentAddressed
}

/// An entry of a folder listing.
public struct BlobEntry: Hashable, Sendable {
  /// The entry's own name (one component).
  public let name: String
  /// True for a folder, false for a blob (or anything else that is not a folder).
  public let isFolder: Bool

  public init(name: String, isFolder: Bool) {
    self.name = name
    self.isFolder = isFolder
  }
}

/// Streams a new blob into a store. Nothing is visible until `commit`; a writer released or
/// abandoned before it, or a process killed while writing, leaves nothing under any name.
public protocol BlobWriter: AnyObject {
  /// Appends bytes.
  func write(_ bytes: UnsafeRawBufferPointer) throws
  /// Makes what was written visible, whole, as `name`. The writer is finished either way.
  func commit(as name: BlobName, mode: PutMode, durable: Bool) throws
  /// Discards what was written.
  func abandon()
}

/// Reads a blob in order, with memory bounded by the caller's buffer.
public protocol BlobReader: AnyObject {
  /// The blob's size when it was opened.
  var size: Int { get }
  /// Fills `buffer` unless the blob ends first; returns how many bytes were read (0 at the end).
  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A held lock; released when the object is released.
public protocol BlobLock: AnyObject {
  /// The mode it was taken in.
  var mode: VaultLock.Mode { get }
}

extension VaultLock: BlobLock {}
