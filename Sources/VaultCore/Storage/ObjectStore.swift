#if canImport(Glibc)
  import Glibc
#endif
import VaultCrypto

/// Immutable, content-addressed encrypted objects under `objects/xx/<64 hex>` (FORMAT.md §6).
///
/// An object is written once and never changed: the writer streams chunks through
/// secretstream into a temporary file while hashing the ciphertext, and the hash becomes
/// the name. Readers check the name against the content, so a file copied over another's
/// name is caught even when it decrypts.
public struct ObjectStore: Sendable {
  /// The `objects` directory.
  public let directory: String
  /// Where temporary files are made (the vault's `tmp`, on the same file system).
  public let temporaryDirectory: String

  /// A store rooted at `directory`.
  public init(directory: String, temporaryDirectory: String) {
    self.directory = directory
    self.temporaryDirectory = temporaryDirectory
  }

  /// The path of an object's file.
  public func path(for id: ObjectID) -> String {
    let hex = id.hex
    return "\(directory)/\(hex.prefix(2))/\(hex)"
  }

  /// True if the object exists.
  public func exists(_ id: ObjectID) -> Bool { FileSystem.exists(path(for: id)) }

  /// Every well-named object, plus the relative paths of entries that are not.
  public func list() throws -> (objects: [ObjectID], strays: [String]) {
    var ids: [ObjectID] = []
    var strays: [String] = []
    for sub in try FileSystem.list(directory) {
      let subPath = "\(directory)/\(sub)"
      guard sub.utf8.count == 2, Hex.decode(sub) != nil, sub == sub.lowercased(), FileSystem.isDirectory(subPath) else {
        strays.append(sub)
        continue
      }
      for name in try FileSystem.list(subPath) {
        if let id = ObjectID(hex: name), name.hasPrefix(sub) { ids.append(id) } else { strays.append("\(sub)/\(name)") }
      }
    }
    return (ids, strays)
  }

  /// Deletes an object (used only by purge and garbage collection, under the exclusive lock).
  public func remove(_ id: ObjectID) throws { try FileSystem.remove(path(for: id)) }

  /// Starts a new object that will hold `binding.type` for `binding.client`.
  public func writer(
    _ binding: ObjectBinding, key: SecretKey, vault: RandomID, header: ObjectHeader = ObjectHeader()
  ) throws -> ObjectWriter {
    try ObjectWriter(store: self, header: header, binding: binding, key: key, vault: vault)
  }

  /// Opens an object for reading; `binding` is what the index says it holds.
  public func reader(_ id: ObjectID, binding: ObjectBinding, key: SecretKey, vault: RandomID, scratch: ReadScratch? = nil) throws -> ObjectReader {
    try ObjectReader(store: self, id: id, binding: binding, key: key, vault: vault, scratch: scratch)
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
    let r = try reader(id, binding: binding, key: key, vault: vault, scratch: scratch)
    var out: [UInt8] = []
    // Sized from the file so appending never reallocates and leaves copies of the plaintext behind.
    out.reserveCapacity(min(limit, (try? FileSystem.size(path(for: id))) ?? 0))
    try r.readAll { chunk in
      guard out.count + chunk.count <= limit else { throw ObjectError.tooLarge(id, limit: limit) }
      out += chunk
    }
    return out
  }

  /// Keyless check: the file parses as an object and its content hashes to its name.
  public func checkHash(_ id: ObjectID) throws {
    let p = path(for: id)
    let fd: Int32
    do { fd = try FileSystem.open(p, O_RDONLY) } catch let e as StorageError where e.isNotFound { throw ObjectError.missing(id) }
    defer { close(fd) }
    var head = [UInt8](repeating: 0, count: ObjectHeader.size)
    let n = try head.withUnsafeMutableBytes { try FileSystem.readFull(fd, into: $0, path: p) }
    do { _ = try ObjectHeader.decode(Array(head.prefix(n))) } catch { throw ObjectError.corrupted(id, error.description) }
    let hasher = try Hasher()
    hasher.update(Array(head.prefix(n)))
    var total = n
    var buf = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let got = try buf.withUnsafeMutableBytes { try FileSystem.readFull(fd, into: $0, path: p) }
      if got == 0 { break }
      total += got
      buf.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0.prefix(got))) }
    }
    guard hasher.finalize() == id.bytes else { throw ObjectError.corrupted(id, "content does not match its name (hash mismatch)") }
    guard total >= ObjectHeader.minimumFileSize else { throw ObjectError.corrupted(id, "file is truncated") }
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
