import Dispatch
import Foundation
import Testing
@testable import VaultCore
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

/// A store under test, with what only its kind can show (leftovers on disk).
final class BlobStoreUnderTest: @unchecked Sendable {
  let store: any BlobStore
  private let dir: ScratchDirectory?

  init(_ kind: BlobStoreKind) throws {
    switch kind {
    case .s3:
      dir = nil
      store = try S3TestServer.get().store()
    case .local, .localNamedTemporaries:
      let dir = try ScratchDirectory()
      let root = try dir.makeSubdirectory("store")
      self.dir = dir
      store = LocalBlobStore(root: root, temporaryDirectory: try dir.makeSubdirectory("store/tmp"), unnamedTemporaries: kind == .local)
    case .memory:
      dir = nil
      store = MemoryBlobStore()
    }
  }

  /// Every name on disk beneath a local store's root except its (possibly empty) temporary
  /// directory, and what the temporary directory holds; a memory store's blob names.
  func leftovers() throws -> [String] {
    if let s3 = store as? S3BlobStore {
      let prefix = s3.keyPrefix(nil)
      return try s3.allKeys().map { String($0.dropFirst(prefix.count)) }
    }
    guard let dir else { return (store as? MemoryBlobStore)?.names.map(\.rawValue) ?? [] }
    let root = dir.file("store")
    var out: [String] = []
    let e = FileManager.default.enumerator(atPath: root)
    while let p = e?.nextObject() as? String {
      if p != "tmp" { out.append(p) }
    }
    return out.sorted()
  }

  func remove() {
    dir?.remove()
    if let s3 = store as? S3BlobStore { emptyStore(s3) }
  }
}

enum BlobStoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
  /// A directory; puts stream into unnamed (O_TMPFILE) files.
  case local
  /// A directory as on a file system without O_TMPFILE: puts stream into named `.tmp-` files.
  case localNamedTemporaries
  case memory
  /// An S3 bucket on a SeaweedFS server the tests start (scripts/s3-server.py).
  case s3
  /// The kinds the tests run: S3 unless VAULT_SKIP_S3=1.
  static var tested: [BlobStoreKind] { allCases.filter { $0 != .s3 || !S3TestServer.skipped } }
  var testDescription: String { rawValue }
}

func name(_ s: String) throws -> BlobName { try BlobName(s) }

/// The contract every `BlobStore` keeps, run against each implementation.
@Suite("blob store conformance")
struct BlobStoreConformanceTests {
  @Test("put, get, size, exists and delete round-trip; delete of a missing blob is not an error", arguments: BlobStoreKind.tested)
  func roundTrip(kind: BlobStoreKind) throws {
    let t = try BlobStoreUnderTest(kind)
    defer { t.remove() }
    let s = t.store
    let n = try name("snapshots/20261126T021500.123Z-1a2b3c4d")
    #expect(!s.exists(n))
    try s.put(n, bytes: Array("hello".utf8))
    #expect(s.exists(n))
    #expect(try s.get(n, limit: 100) == Array("hello".utf8))
    #expect(try s.size(n) == 5)
    try s.put(n, bytes: [])
    #expect(try s.get(n, limit: 0) == [])
    try s.delete(n, durable: true)
    #expect(!s.exists(n))
    try s.delete(n)
    let error = #expect(throws: StorageError.self) { try s.get(n, limit: 100) }
    #expect(error?.isNotFound == true)
    #expect(throws: StorageError.self) { try s.open(n) }
  }

  @Test("replace puts a new blob over an old one; a content-addressed put keeps the blob already there", arguments: BlobStoreKind.tested)
  func modes(kind: BlobStoreKind) throws {
    let t = try BlobStoreUnderTest(kind)
    defer { t.remove() }
    let s = t.store
    let n = try name("vault-backup")
    try s.put(n, bytes: [1, 2, 3], mode: .replace, durable: true)
    try s.put(n, bytes: [4, 5], mode: .replace, durable: false)
    try s.sync()
    #expect(try s.get(n, limit: 10) == [4, 5])
    // The caller promises equal bytes; a store may keep either, and these keep the first.
    let c = try name("objects/ab/ab00")
    try s.put(c, bytes: [9, 9], mode: .contentAddressed, durable: true)
    try s.put(c, bytes: [9, 9], mode: .contentAddressed, durable: false)
    #expect(try s.get(c, limit: 10) == [9, 9])
    #expect(try t.leftovers().filter { $0.hasPrefix("tmp/") } == [])
  }

  @Test("large blobs stream in and out in pieces, memory bounded by the caller's buffer", arguments: BlobStoreKind.tested)
  func streaming(kind: BlobStoreKind) throws {
    let t = try BlobStoreUnderTest(kind)
    defer { t.remove() }
    let s = t.store
    let piece = (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    let w = try s.makeWriter()
    for _ in 0..<48 { try piece.withUnsafeBytes { try w.write($0) } }  // 3 MiB
    try w.commit(as: try name("files/aa/big"), mode: .replace, durable: true)
    let r = try s.open(try name("files/aa/big"))
    #expect(r.size == 48 * 65_536)
    var buffer = [UInt8](repeating: 0, count: 10_000)
    var total = 0
    var same = true
    while true {
      let n = try buffer.withUnsafeMutableBytes { try r.read(into: $0) }
      if n == 0 { break }
      for i in 0..<n where buffer[i] != piece[(total + i) % piece.count] { same = false }
      total += n
      if n < buffer.count { #expect(try buffer.withUnsafeMutableBytes { try r.read(into: $0) } == 0) }
    }
    #expect(total == 48 * 65_536)
    #expect(same)
  }

  @Test("a local file is put by streaming it, and a missing source leaves nothing", arguments: BlobStoreKind.tested)
  func putFromFile(kind: BlobStoreKind) throws {
    let t = try BlobStoreUnderTest(kind)
    defer { t.remove() }
    let source = try ScratchDirectory()
    defer { source.remove() }
    let bytes = (0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 7) }
    try Data(bytes).write(to: URL(fileURLWithPath: source.file("log")))
    let n = try name("files/ab/log")
    #expect(try t.store.put(n, copying: source.file("log")) == bytes.count)
    #expect(try t.store.get(n, limit: 4 << 20) == bytes)
    let before = try t.leftovers()
    #expect(throws: StorageError.self) { try t.store.put(try name("files/ab/none"), copying: source.file("missing")) }
    #expect(try t.leftovers() == before)
  }

  @Test("get refuses a blob over the limit (EFBIG) and a folder (EINVAL)", arguments: BlobStoreKind.tested)
  func limits(kind: BlobStoreKind) throws {
    let t = try BlobStoreUnderTest(kind)
    defer { t.remove() }
    let s = t.store
    let n = try name("files/ab/x")
    try s.put(n, bytes: [UInt8](repeating: 7, count: 4096))
    #expect(try s.get(n, limit: 4096).count == 4096)
    let big = #expect(throws: StorageError.self) { try s.get(n, limit: 4095) }
    #expect(big?.code == EFBIG)
    let folder = #expect(throws: StorageError.self) { try s.get(try name("files/ab"), limit: 1 << 20) }
    #expect(folder?.code == EINVAL)
    #expect(throws: StorageError.self) { try s.open(try name("files")) }
  }

  @Test("list gives a folder's blobs and folders, sorted; a missing folder is empty", arguments: BlobStoreKind.tested)
  func listing(kind: BlobStoreKind) throws {
    let t = try BlobStoreUnderTest(kind)
    defer { t.remove() }
    let s = t.store
    for n in ["objects/cd/cd01", "objects/ab/ab02", "objects/ab/ab01", "snapshots/b", "snapshots/a", "vault-backup"] {
      try s.put(try name(n), bytes: Array(n.utf8))
    }
    let top = try s.list(nil).filter { $0.name != "tmp" }  // a local store's temporary directory lives here
    #expect(top == [BlobEntry(name: "objects", isFolder: true), BlobEntry(name: "snapshots", isFolder: true), BlobEntry(name: "vault-backup", isFolder: false)])
    #expect(try s.list(try name("objects")) == [BlobEntry(name: "ab", isFolder: true), BlobEntry(name: "cd", isFolder: true)])
    #expect(try s.list(try name("objects/ab")).map(\.name) == ["ab01", "ab02"])
    #expect(try s.list(try name("snapshots")).map(\.name) == ["a", "b"])
    #expect(try s.list(try name("nothing")) == [])
    #expect(try s.list(try name("nothing/deeper")) == [])
    try s.delete(try name("objects/ab/ab01"))
    #expect(try s.list(try name("objects/ab")).map(\.name) == ["ab02"])
  }

  @Test("a put written but never committed is visible under no name, and releasing its writer leaves nothing", arguments: BlobStoreKind.tested)
  func uncommittedLeavesNothing(kind: BlobStoreKind) throws {
    let t = try BlobStoreUnderTest(kind)
    defer { t.remove() }
    let s = t.store
    try s.put(try name("objects/ab/old"), bytes: [1])
    let before = try t.leftovers()
    do {
      let w = try s.makeWriter()
      try [UInt8](repeating: 5, count: 200_000).withUnsafeBytes { try w.write($0) }
      // At this instant (where a SIGKILL could land) no blob has appeared (without O_TMPFILE a
      // named temporary file exists in tmp/, which the next run's sweep removes).
      #expect(try t.leftovers().filter { !$0.hasPrefix("tmp/") } == before)
      #expect(try t.leftovers().filter { $0.hasPrefix("tmp/") }.count == (kind == .localNamedTemporaries ? 1 : 0))
      #expect(try s.list(try name("objects/ab")).map(\.name) == ["old"])
    }
    let w = try s.makeWriter()
    try [UInt8](repeating: 6, count: 10).withUnsafeBytes { try w.write($0) }
    w.abandon()
    #expect(try t.leftovers() == before)
  }

  @Test("a put whose commit fails leaves no blob and no partial one", arguments: BlobStoreKind.tested)
  func failedCommitLeavesNothing(kind: BlobStoreKind) throws {
    let t = try BlobStoreUnderTest(kind)
    defer { t.remove() }
    let s = t.store
    try s.put(try name("a"), bytes: [1, 2])
    let before = try t.leftovers()
    // "a" is a blob, so nothing can be put beneath it.
    for mode in [PutMode.replace, .contentAddressed] {
      let w = try s.makeWriter()
      try [UInt8](repeating: 5, count: 1000).withUnsafeBytes { try w.write($0) }
      #expect(throws: StorageError.self) { try w.commit(as: try name("a/b"), mode: mode, durable: true) }
      #expect(throws: StorageError.self) { try s.put(try name("a/c"), bytes: [3], mode: mode, durable: true) }
    }
    #expect(try t.leftovers() == before)
    #expect(try s.get(try name("a"), limit: 10) == [1, 2])
  }

  @Test("a blob replaced while a reader has it open is read whole, old bytes or new, never a mix", arguments: BlobStoreKind.tested)
  func replaceUnderReader(kind: BlobStoreKind) throws {
    let t = try BlobStoreUnderTest(kind)
    defer { t.remove() }
    let s = t.store
    let n = try name("snapshots/x")
    try s.put(n, bytes: [UInt8](repeating: 1, count: 5000))
    let r = try s.open(n)
    var first = [UInt8](repeating: 0, count: 100)
    _ = try first.withUnsafeMutableBytes { try r.read(into: $0) }
    try s.put(n, bytes: [UInt8](repeating: 2, count: 3000))
    var rest = [UInt8](repeating: 0, count: 10_000)
    let got = try rest.withUnsafeMutableBytes { try r.read(into: $0) }
    #expect(got == 4900 && rest.prefix(got).allSatisfy { $0 == 1 })
    #expect(try s.get(n, limit: 10_000) == [UInt8](repeating: 2, count: 3000))
  }

  @Test("hostile names are refused with a closed error before the store sees them")
  func hostileNames() throws {
    let cases: [(String, BlobName.Problem)] = [
      ("", .empty), ("/etc/passwd", .absolute), ("../outside", .dotComponent), ("objects/../../x", .dotComponent),
      ("./config", .dotComponent), ("objects//ab", .emptyComponent), ("snapshots/", .emptyComponent),
      ("a\u{0}b", .controlCharacter), ("line\nbreak", .controlCharacter), ("x\u{7F}", .controlCharacter),
      ("raw\u{FFFF}C3", .rawByte), (String(repeating: "a", count: 1025), .tooLong),
    ]
    for (raw, problem) in cases {
      #expect(throws: BlobStoreError.invalidName(raw, problem), "\(raw.debugDescription)") { try BlobName(raw) }
      #expect(BlobName.problem(raw) == problem)
    }
    for ok in ["vault-backup", "objects/ab/\(String(repeating: "ab", count: 32))", "snapshots/20261126T021500.123Z-1a2b3c4d", "tmp/.tmp-00aa", "a..b/c.d", "é"] {
      #expect(throws: Never.self) { try BlobName(ok) }
    }
    let n = try name("objects/ab/abcd")
    #expect(n.folder == (try name("objects/ab")))
    #expect(n.folder?.folder == (try name("objects")))
    #expect(n.folder?.folder?.folder == nil)
    #expect(n.lastComponent == "abcd")
    #expect(throws: BlobStoreError.self) { try n.appending("..") }
    #expect(VaultError.from(BlobStoreError.invalidName("../x", .dotComponent)).kind == "integrity")
  }

  @Test("a local store never follows a symlink planted beneath its root")
  func localRefusesSymlinks() throws {
    let dir = try ScratchDirectory()
    defer { dir.remove() }
    let outside = try dir.makeSubdirectory("outside")
    let root = try dir.makeSubdirectory("store")
    let s = LocalBlobStore(root: root, temporaryDirectory: try dir.makeSubdirectory("store/tmp"))
    try FileManager.default.createSymbolicLink(atPath: "\(root)/objects", withDestinationPath: outside)
    try "secret".write(toFile: "\(outside)/x", atomically: false, encoding: .utf8)
    for mode in [PutMode.replace, .contentAddressed] {
      #expect(throws: StorageError.self) { try s.put(try name("objects/y"), bytes: [1], mode: mode, durable: true) }
    }
    #expect(throws: StorageError.self) { try s.get(try name("objects/x"), limit: 100) }
    #expect(throws: StorageError.self) { try s.open(try name("objects/x")) }
    #expect(try dir.contents(of: "outside") == ["x"])
  }

  @Test("a FIFO planted at a blob's or an object's name is refused at once, never waited on", .timeLimit(.minutes(1)))
  func fifoRefused() throws {
    let dir = try ScratchDirectory()
    defer { dir.remove() }
    let store = ObjectStore(directory: try dir.makeSubdirectory("objects"), temporaryDirectory: try dir.makeSubdirectory("tmp"))
    let id = try #require(ObjectID(hex: String(repeating: "ab", count: 32)))
    try FileManager.default.createDirectory(atPath: SystemPath.parent(store.path(for: id)), withIntermediateDirectories: true)
    #expect(mkfifo(store.path(for: id), 0o600) == 0)
    // Opening a FIFO for reading blocks until a writer comes: a reader must not open it so.
    let notBlob = #expect(throws: StorageError.self) { try store.backend.open(store.name(for: id)) }
    #expect(notBlob?.code == EINVAL)
    #expect(throws: StorageError.self) { try store.backend.get(store.name(for: id), limit: 100) }
    #expect(throws: StorageError.self) { try store.checkHash(id) }
    #expect(throws: StorageError.self) { try store.get(id, binding: ObjectBinding(type: .note, client: .none), key: .random(), vault: .generate()) }
  }

  @Test("an exclusive lock excludes every other; shared locks exclude only an exclusive one", arguments: BlobStoreKind.tested)
  func lockExclusion(kind: BlobStoreKind) throws {
    let t = try BlobStoreUnderTest(kind)
    defer { t.remove() }
    let s = t.store
    let n = try name("lock")
    func busy(_ mode: VaultLock.Mode) -> Bool {
      do {
        _ = try s.lock(n, mode, wait: 0)
        return false
      } catch VaultLock.Failure.busy { return true } catch { return false }
    }
    var exclusive: (any BlobLock)? = try s.lock(n, .exclusive)
    #expect(exclusive?.mode == .exclusive)
    #expect(busy(.exclusive))
    #expect(busy(.shared))
    exclusive = nil
    let a = try s.lock(n, .shared)
    let b = try s.lock(n, .shared)
    #expect(busy(.exclusive))
    #expect(!busy(.shared))
    withExtendedLifetime((a, b)) {}
  }

  /// Hands a lock to another thread so that it can release it.
  final class Holder: @unchecked Sendable {
    private var lock: (any BlobLock)?
    init(_ lock: any BlobLock) { self.lock = lock }
    func release() { lock = nil }
  }

  @Test("a lock taken with a wait is granted once the holder lets go", arguments: BlobStoreKind.tested)
  func lockWait(kind: BlobStoreKind) throws {
    let t = try BlobStoreUnderTest(kind)
    defer { t.remove() }
    let s = t.store
    let n = try name("lock")
    let holder = Holder(try s.lock(n, .exclusive))
    let released = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
      usleep(100_000)
      holder.release()
      released.signal()
    }
    // Generous: the release comes after 0.1 s; the wait is only there to absorb a loaded machine.
    let second = try s.lock(n, .exclusive, wait: 30)
    released.wait()
    #expect(second.mode == .exclusive)
  }

  @Test("a memory store that runs out of room fails the put part way and keeps nothing of it")
  func memoryCapacity() throws {
    let s = MemoryBlobStore(capacity: 1000)
    try s.put(try name("a"), bytes: [UInt8](repeating: 1, count: 600))
    let w = try s.makeWriter()
    try [UInt8](repeating: 2, count: 300).withUnsafeBytes { try w.write($0) }
    let full = #expect(throws: StorageError.self) { try [UInt8](repeating: 2, count: 300).withUnsafeBytes { try w.write($0) } }
    #expect(full?.isNoSpace == true)
    w.abandon()
    #expect(s.names == [try name("a")])
    // The room the failed put held is free again.
    try s.put(try name("b"), bytes: [UInt8](repeating: 3, count: 400))
    #expect(s.names == [try name("a"), try name("b")])
  }
}
