#if canImport(Glibc)
  import Glibc
#endif
import Synchronization

/// A `BlobStore` in memory, for tests: the same contract as the local store (atomic puts,
/// folders, limits, locks excluding each other within the process), nothing on disk.
///
/// `capacity` bounds the bytes it holds, counting puts in progress, so a test can make a put
/// fail part way (ENOSPC) and check that it left nothing.
public final class MemoryBlobStore: BlobStore {
  private struct State {
    var blobs: [BlobName: [UInt8]] = [:]
    var pending = 0
    var shared: [BlobName: Int] = [:]
    var exclusive: Set<BlobName> = []
  }

  private let state = Mutex(State())
  public let location: String
  /// The most bytes it holds (blobs and puts in progress); nil for no bound.
  public let capacity: Int?

  /// An empty store.
  public init(location: String = "memory:", capacity: Int? = nil) {
    self.location = location
    self.capacity = capacity
  }

  public func path(of name: BlobName?) -> String {
    guard let name else { return location }
    return "\(location)/\(name.rawValue)"
  }

  /// Every blob's name, sorted (for tests).
  public var names: [BlobName] { state.withLock { $0.blobs.keys.sorted() } }

  public func put(_ name: BlobName, bytes: [UInt8], mode: PutMode, durable: Bool) throws {
    let w = try makeWriter()
    try bytes.withUnsafeBytes { try w.write($0) }
    try w.commit(as: name, mode: mode, durable: durable)
  }

  public func makeWriter() throws -> any BlobWriter { MemoryBlobWriter(store: self) }

  public func get(_ name: BlobName, limit: Int) throws -> [UInt8] {
    let bytes = try blob(name)
    guard bytes.count <= limit else { throw StorageError(path: path(of: name), operation: "read (file too large)", code: EFBIG) }
    return bytes
  }

  public func open(_ name: BlobName) throws -> any BlobReader { MemoryBlobReader(try blob(name)) }

  public func list(_ folder: BlobName?) throws -> [BlobEntry] {
    let prefix = folder.map { $0.rawValue + "/" } ?? ""
    var entries: [String: Bool] = [:]
    state.withLock { s in
      for name in s.blobs.keys where name.rawValue.hasPrefix(prefix) {
        let rest = name.rawValue.dropFirst(prefix.count)
        if let slash = rest.firstIndex(of: "/") { entries[String(rest[..<slash])] = true } else { entries[String(rest)] = entries[String(rest)] ?? false }
      }
    }
    return entries.keys.sorted().map { BlobEntry(name: $0, isFolder: entries[$0]!) }
  }

  public func delete(_ name: BlobName, durable: Bool) throws {
    try state.withLock { s in
      if s.blobs.removeValue(forKey: name) == nil && Self.isFolder(name, in: s) {
        throw StorageError(path: path(of: name), operation: "remove", code: EISDIR)
      }
    }
  }

  public func exists(_ name: BlobName) -> Bool {
    state.withLock { $0.blobs[name] != nil || Self.isFolder(name, in: $0) }
  }

  public func size(_ name: BlobName) throws -> Int { try blob(name).count }

  /// Folders exist while a blob lies in them: nothing to make.
  public func makeFolder(_ folder: BlobName) throws {}

  public func lock(_ name: BlobName, _ mode: VaultLock.Mode, wait seconds: Double) throws -> any BlobLock {
    let deadline = Self.now() + max(0, seconds)
    while true {
      let taken = state.withLock { s -> Bool in
        guard !s.exclusive.contains(name) else { return false }
        switch mode {
        case .shared: s.shared[name, default: 0] += 1
        case .exclusive:
          guard s.shared[name, default: 0] == 0 else { return false }
          s.exclusive.insert(name)
        }
        return true
      }
      if taken { return MemoryBlobLock(store: self, name: name, mode: mode) }
      if Self.now() >= deadline { throw VaultLock.Failure.busy(pid: nil) }
      usleep(5_000)
    }
  }

  public func sync() throws {}

  fileprivate func unlock(_ name: BlobName, _ mode: VaultLock.Mode) {
    state.withLock { s in
      switch mode {
      case .shared:
        s.shared[name, default: 1] -= 1
        if s.shared[name] == 0 { s.shared[name] = nil }
      case .exclusive: s.exclusive.remove(name)
      }
    }
  }

  /// Counts `count` more bytes of a put in progress; ENOSPC past `capacity`.
  fileprivate func reserve(_ count: Int) throws {
    try state.withLock { s in
      if let capacity, s.pending + s.blobs.values.reduce(0, { $0 + $1.count }) + count > capacity {
        throw StorageError(path: location, operation: "write", code: ENOSPC)
      }
      s.pending += count
    }
  }

  fileprivate func release(_ count: Int) { state.withLock { $0.pending -= count } }

  fileprivate func commit(_ bytes: [UInt8], as name: BlobName, mode: PutMode) throws {
    try state.withLock { s in
      // As on a disk: a blob cannot lie beneath a blob, nor take a folder's name.
      var folder = name.folder
      while let f = folder {
        if s.blobs[f] != nil { throw StorageError(path: path(of: name), operation: "link into place", code: ENOTDIR) }
        folder = f.folder
      }
      if Self.isFolder(name, in: s) { throw StorageError(path: path(of: name), operation: "rename into place", code: EISDIR) }
      if mode == .contentAddressed && s.blobs[name] != nil { return }
      s.blobs[name] = bytes
    }
  }

  private func blob(_ name: BlobName) throws -> [UInt8] {
    try state.withLock { s in
      if let bytes = s.blobs[name] { return bytes }
      let folder = Self.isFolder(name, in: s)
      throw StorageError(path: path(of: name), operation: folder ? "read (not a regular file)" : "open", code: folder ? EINVAL : ENOENT)
    }
  }

  private static func isFolder(_ name: BlobName, in s: State) -> Bool {
    let prefix = name.rawValue + "/"
    return s.blobs.keys.contains { $0.rawValue.hasPrefix(prefix) }
  }

  private static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }
}

/// A put in progress: the bytes are the writer's alone until `commit`.
final class MemoryBlobWriter: BlobWriter {
  private let store: MemoryBlobStore
  private var bytes: [UInt8] = []
  private var finished = false

  init(store: MemoryBlobStore) { self.store = store }

  deinit { abandon() }

  func write(_ chunk: UnsafeRawBufferPointer) throws {
    precondition(!finished, "write after commit")
    try store.reserve(chunk.count)
    bytes.append(contentsOf: chunk)
  }

  func commit(as name: BlobName, mode: PutMode, durable: Bool) throws {
    precondition(!finished, "commit called twice")
    defer { abandon() }
    try store.commit(bytes, as: name, mode: mode)
  }

  func abandon() {
    guard !finished else { return }
    finished = true
    store.release(bytes.count)
    bytes = []
  }
}

final class MemoryBlobReader: BlobReader {
  private let bytes: [UInt8]
  private var offset = 0
  let size: Int

  init(_ bytes: [UInt8]) {
    self.bytes = bytes
    size = bytes.count
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let n = min(buffer.count, bytes.count - offset)
    if n > 0 {
      bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
      offset += n
    }
    return n
  }
}

final class MemoryBlobLock: BlobLock {
  private let store: MemoryBlobStore
  private let name: BlobName
  let mode: VaultLock.Mode

  init(store: MemoryBlobStore, name: BlobName, mode: VaultLock.Mode) {
    self.store = store
    self.name = name
    self.mode = mode
  }

  deinit { store.unlock(name, mode) }
}
