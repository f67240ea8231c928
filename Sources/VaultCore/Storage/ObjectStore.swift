#if canImport(Glibc)
  import Glibc
#endif
import VaultCrypto

/// Immutable, content-addressed encrypted objects under `objects/xx/<64 hex>` (FORMAT.md §6).
///
/// An object is written once and never changed: the writer seals chunks into a new blob while
/// hashing the ciphertext (ObjectDigest), and the hash becomes the name. Readers check the name against the content, so a file copied over another's
/// name is caught even when it decrypts.
///
/// The store encrypts and decrypts here, above its `BlobStore`: keys are taken by these methods
/// and handed only to VaultCrypto; the backend sees names and ciphertext, never a key.
public struct ObjectStore: Sendable {
  /// Where the ciphertext lives.
  public let backend: any BlobStore
  /// The folder of the backend that holds the objects (`objects`), or nil for its top level.
  public let folder: BlobName?

  /// The store in `folder` of `backend`.
  public init(backend: any BlobStore, folder: BlobName?) {
    self.backend = backend
    self.folder = folder
  }

  /// A store in the local directory `directory` (whose parent is confined: nothing beneath it
  /// is reached through a symlink), making temporary files in `temporaryDirectory`, which must
  /// be on the same file system.
  public init(directory: String, temporaryDirectory: String) {
    var d = directory
    while d.count > 1 && d.hasSuffix("/") { d.removeLast() }
    let folder = SystemPath.lastComponent(d)
    if let name = try? BlobName(folder) {
      self.init(backend: LocalBlobStore(root: SystemPath.parent(d), temporaryDirectory: temporaryDirectory), folder: name)
    } else {
      // "/" or a name no blob folder can have: the directory itself is the store's root.
      self.init(backend: LocalBlobStore(root: d, temporaryDirectory: temporaryDirectory), folder: nil)
    }
  }

  /// The objects' directory (a local store) or location.
  public var directory: String { backend.path(of: folder) }

  /// Where a local store makes its temporary files (the backend's location for another store).
  public var temporaryDirectory: String {
    (backend as? LocalBlobStore).map { $0.temporaryDirectory ?? $0.root } ?? backend.location
  }

  /// The blob name of an object: `xx/<64 hex>` in the store's folder.
  public func name(for id: ObjectID) -> BlobName {
    let hex = id.hex
    // Hex digits and one slash beneath a checked folder: always a valid name.
    let relative = "\(hex.prefix(2))/\(hex)"
    return BlobName(unchecked: folder.map { "\($0.rawValue)/\(relative)" } ?? relative)
  }

  /// The path of an object's file (its location in a store that is not local), for messages.
  public func path(for id: ObjectID) -> String { backend.path(of: name(for: id)) }

  /// True if the object exists.
  public func exists(_ id: ObjectID) -> Bool { backend.exists(name(for: id)) }

  /// The size of an object's ciphertext in bytes.
  public func size(_ id: ObjectID) throws -> Int { try backend.size(name(for: id)) }

  /// Every well-named object, plus the relative paths of entries that are not.
  public func list() throws -> (objects: [ObjectID], strays: [String]) {
    var ids: [ObjectID] = []
    var strays: [String] = []
    for sub in try backend.list(folder) {
      guard sub.name.utf8.count == 2, Hex.decode(sub.name) != nil, sub.name == sub.name.lowercased(), sub.isFolder,
        let subFolder = try? folder.map({ try $0.appending(sub.name) }) ?? BlobName(sub.name)
      else {
        strays.append(sub.name)
        continue
      }
      for entry in try backend.list(subFolder) {
        let name = entry.name
        if let id = ObjectID(hex: name), name.hasPrefix(sub.name) { ids.append(id) } else { strays.append("\(sub.name)/\(name)") }
      }
    }
    return (ids, strays)
  }

  /// Deletes an object (used only by purge and garbage collection, under the exclusive lock).
  public func remove(_ id: ObjectID) throws { try backend.delete(name(for: id)) }

  /// Starts a new object that will hold `binding.type` for `binding.client`.
  public func writer(
    _ binding: ObjectBinding, key: SecretKey, vault: RandomID, header: ObjectHeader = ObjectHeader()
  ) throws -> ObjectWriter {
    try ObjectWriter(store: self, header: header, binding: binding, key: key, vault: vault)
  }

  /// Opens an object for reading; `binding` is what the index says it holds.
  public func reader(_ id: ObjectID, binding: ObjectBinding, key: SecretKey, vault: RandomID, scratch: ReadScratch? = nil) throws -> ObjectReader {
    try ObjectReader(store: self, id: id, binding: binding, keys: [key], vault: vault, scratch: scratch)
  }

  /// Opens an object encrypted under one of `keys` (a client's epochs, newest first).
  func reader(_ id: ObjectID, binding: ObjectBinding, keys: [SecretKey], vault: RandomID, scratch: ReadScratch? = nil) throws -> ObjectReader {
    try ObjectReader(store: self, id: id, binding: binding, keys: keys, vault: vault, scratch: scratch)
  }

  /// Encrypts `bytes` as one object and returns its id.
  public func put(
    _ bytes: [UInt8], binding: ObjectBinding, key: SecretKey, vault: RandomID, header: ObjectHeader = ObjectHeader()
  ) throws -> ObjectID {
    let w = try writer(binding, key: key, vault: vault, header: header)
    try bytes.withUnsafeBytes { try w.write($0) }
    return try w.finish()
  }

  /// Decrypts a whole object of at most `limit` plaintext bytes into memory (`scratch`: see `ReadScratch`).
  public func get(
    _ id: ObjectID, binding: ObjectBinding, key: SecretKey, vault: RandomID, limit: Int = 1 << 30, scratch: ReadScratch? = nil
  ) throws -> [UInt8] {
    try get(id, binding: binding, keys: [key], vault: vault, limit: limit, scratch: scratch)
  }

  /// `get` with a client's keys, newest epoch first.
  func get(_ id: ObjectID, binding: ObjectBinding, keys: [SecretKey], vault: RandomID, limit: Int = 1 << 30, scratch: ReadScratch? = nil) throws -> [UInt8] {
    let r = try reader(id, binding: binding, keys: keys, vault: vault, scratch: scratch)
    var out: [UInt8] = []
    // Sized from the file so appending never reallocates and leaves copies of the plaintext behind.
    out.reserveCapacity(min(limit, r.ciphertextSize))
    try r.readAll { chunk in
      guard out.count + chunk.count <= limit else { throw ObjectError.tooLarge(id, limit: limit) }
      out += chunk
    }
    return out
  }

  /// Opens an object's ciphertext; `ObjectError.missing` when there is none.
  func openBlob(_ id: ObjectID) throws -> any BlobReader {
    do { return try backend.open(name(for: id)) } catch let e as StorageError where e.isNotFound { throw ObjectError.missing(id) }
  }

  /// Keyless check: the file parses as an object and its content hashes to its name.
  public func checkHash(_ id: ObjectID) throws {
    let blob = try openBlob(id)
    var head = [UInt8](repeating: 0, count: ObjectHeader.size)
    let n = try head.withUnsafeMutableBytes { try blob.read(into: $0) }
    let header: ObjectHeader
    do { header = try ObjectHeader.decode(Array(head.prefix(n))) } catch { throw ObjectError.corrupted(id, error.description) }
    let hasher = try ObjectDigest()
    head.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0.prefix(n))) }
    var total = n
    var buf = [UInt8](repeating: 0, count: max(1, min(1 << 20, blob.size - n)))
    while true {
      let got = try buf.withUnsafeMutableBytes { try blob.read(into: $0) }
      if got == 0 { break }
      total += got
      buf.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0.prefix(got))) }
    }
    guard hasher.finalize() == id.bytes else { throw ObjectError.corrupted(id, "content does not match its name (hash mismatch)") }
    guard total >= header.minimumObjectSize else { throw ObjectError.corrupted(id, "file is truncated") }
  }
}

/// Why an object could not be read.
public enum ObjectError: Error, Equatable, Sendable {
  /// No file with that name.
  case missing(ObjectID)
  /// The file is damaged, truncated, modified or not what the index says.
  case corrupted(ObjectID, String)
  /// Larger than the caller is willing to hold in memory.
  case tooLarge(ObjectID, limit: Int)

  /// The object this error is about.
  public var id: ObjectID {
    switch self {
    case .missing(let id), .corrupted(let id, _), .tooLarge(let id, _): id
    }
  }

  /// The error as a verification finding, naming the object's file.
  public var finding: Finding {
    let hex = id.hex
    let why: String
    switch self {
    case .missing: why = "object is missing"
    case .corrupted(_, let reason): why = reason
    case .tooLarge(_, let limit): why = "object holds more than the \(limit) bytes its kind can have (damaged or replaced)"
    }
    return Finding(.error, "objects/\(hex.prefix(2))/\(hex)", why)
  }
}
