import Foundation
import Testing
import VaultCrypto

@testable import VaultCore

/// Records every call a store receives, to show what crosses the seam: names and ciphertext.
final class RecordingBlobStore: BlobStore, @unchecked Sendable {
  let inner = MemoryBlobStore()
  private let lock = NSLock()
  private var _written: [UInt8] = []
  private var _calls: [String] = []
  var written: [UInt8] { lock.withLock { _written } }
  var calls: [String] { lock.withLock { _calls } }
  func note(_ call: String, _ bytes: [UInt8] = []) { lock.withLock { _calls.append(call); _written += bytes } }

  var location: String { inner.location }
  func path(of name: BlobName?) -> String { inner.path(of: name) }
  func put(_ name: BlobName, bytes: [UInt8], mode: PutMode, durable: Bool) throws {
    note("put \(name)", bytes)
    try inner.put(name, bytes: bytes, mode: mode, durable: durable)
  }
  func makeWriter() throws -> any BlobWriter { Writer(self, try inner.makeWriter()) }
  func get(_ name: BlobName, limit: Int) throws -> [UInt8] { note("get \(name)"); return try inner.get(name, limit: limit) }
  func open(_ name: BlobName) throws -> any BlobReader { note("open \(name)"); return try inner.open(name) }
  func list(_ folder: BlobName?) throws -> [BlobEntry] { note("list \(folder?.rawValue ?? "")"); return try inner.list(folder) }
  func delete(_ name: BlobName, durable: Bool) throws { note("delete \(name)"); try inner.delete(name, durable: durable) }
  func exists(_ name: BlobName) -> Bool { inner.exists(name) }
  func size(_ name: BlobName) throws -> Int { try inner.size(name) }
  func makeFolder(_ folder: BlobName) throws { try inner.makeFolder(folder) }
  func lock(_ name: BlobName, _ mode: VaultLock.Mode, wait: Double) throws -> any BlobLock { try inner.lock(name, mode, wait: wait) }
  func sync() throws { try inner.sync() }

  final class Writer: BlobWriter {
    let owner: RecordingBlobStore
    let inner: any BlobWriter
    init(_ owner: RecordingBlobStore, _ inner: any BlobWriter) {
      self.owner = owner
      self.inner = inner
    }
    func write(_ bytes: UnsafeRawBufferPointer) throws {
      owner.note("write", Array(bytes))
      try inner.write(bytes)
    }
    func commit(as name: BlobName, mode: PutMode, durable: Bool) throws {
      owner.note("commit \(name)")
      try inner.commit(as: name, mode: mode, durable: durable)
    }
    func abandon() { inner.abandon() }
  }
}

@Suite("keyless backend under the object store and the backup repository")
struct KeylessBackendTests {
  let key: SecretKey
  let vault: RandomID
  let binding: ObjectBinding

  init() throws {
    key = try SecretKey.random()
    vault = try RandomID.generate()
    binding = ObjectBinding(type: .note, client: try RandomID.generate())
  }

  @Test("objects round-trip through a memory store, which receives only names and ciphertext")
  func objectsOverMemory() throws {
    let backend = RecordingBlobStore()
    let store = ObjectStore(backend: backend, folder: try BlobName("objects"))
    let plain = Array(String(repeating: "Session notes: client reports sleeping better. ", count: 2000).utf8)
    let id = try store.put(plain, binding: binding, key: key, vault: vault, header: ObjectHeader(chunkSize: 1024))
    #expect(backend.inner.names == [try BlobName("objects/\(id.hex.prefix(2))/\(id.hex)")])
    #expect(try store.get(id, binding: binding, key: key, vault: vault) == plain)
    // What the backend was given is ciphertext: the plaintext does not appear in it, nor the key.
    let written = backend.written
    #expect(written.count >= plain.count)
    #expect(!Self.contains(written, Array("client reports".utf8)))
    let keyBytes = key.withUnsafeBytes { Array($0) }
    #expect(!Self.contains(written, keyBytes))
    #expect(backend.calls.allSatisfy { !$0.contains(Hex.encode(keyBytes)) })
    // Keyless checks work on the backend alone.
    try store.checkHash(id)
    #expect(try store.list().objects == [id])
    #expect(try store.size(id) == written.count)
    #expect(store.exists(id))
    // A wrong key or binding is refused above the backend.
    #expect(throws: ObjectError.self) { try store.get(id, binding: binding, key: try SecretKey.random(), vault: vault) }
    try store.remove(id)
    #expect(backend.inner.names == [])
    #expect(throws: ObjectError.missing(id)) { try store.get(id, binding: binding, key: key, vault: vault) }
  }

  @Test("a modified or truncated blob in a memory store is caught as a corrupted object")
  func tamperInMemory() throws {
    let backend = MemoryBlobStore()
    let store = ObjectStore(backend: backend, folder: try BlobName("objects"))
    let id = try store.put(Array(repeating: 42, count: 5000), binding: binding, key: key, vault: vault, header: ObjectHeader(chunkSize: 1024))
    let name = store.name(for: id)
    var bytes = try backend.get(name, limit: 1 << 20)
    bytes[bytes.count / 2] ^= 1
    try backend.put(name, bytes: bytes)
    #expect(throws: ObjectError.self) { try store.checkHash(id) }
    #expect(throws: ObjectError.self) { try store.get(id, binding: binding, key: key, vault: vault) }
    try backend.put(name, bytes: Array(bytes.prefix(40)))
    #expect(throws: ObjectError.self) { try store.get(id, binding: binding, key: key, vault: vault) }
  }

  @Test("an object written in memory reads back from a local directory byte for byte: one layout for every backend")
  func sameLayout() throws {
    let dir = try ScratchDirectory()
    defer { dir.remove() }
    let memory = MemoryBlobStore()
    let inMemory = ObjectStore(backend: memory, folder: try BlobName("objects"))
    let local = ObjectStore(directory: try dir.makeSubdirectory("objects"), temporaryDirectory: try dir.makeSubdirectory("tmp"))
    let plain = Array("a consent form".utf8)
    let id = try inMemory.put(plain, binding: binding, key: key, vault: vault)
    // Keyless copy of the ciphertext, byte for byte.
    try local.backend.put(local.name(for: id), bytes: try memory.get(inMemory.name(for: id), limit: 1 << 20))
    #expect(local.path(for: id) == dir.file("objects/\(id.hex.prefix(2))/\(id.hex)"))
    #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: local.path(for: id)))) == (try memory.get(inMemory.name(for: id), limit: 1 << 20)))
    #expect(try local.get(id, binding: binding, key: key, vault: vault) == plain)
    #expect(try dir.contents(of: "tmp") == [])
  }

  @Test("a repository of the first layout (loose copies) is read over a memory store, and prune converts it to packs")
  func backupRepositoryOverMemory() throws {
    let backend = MemoryBlobStore()
    let repo = BackupRepository(store: backend)
    try backend.put(BackupRepository.markerName, bytes: try ChecksummedFile.encode(.backupRepository, body: vault.bytes))
    let (opened, owner) = try BackupRepository.open(repo)
    #expect(owner == vault)
    let objects = ObjectStore(backend: backend, folder: try BlobName("objects"))
    let id = try objects.put(Array("note".utf8), binding: binding, key: key, vault: vault)
    let file = Array("config bytes".utf8)
    let blob = Hex.encode(try Hasher.blake2b256(file))
    try backend.put(BackupRepository.looseFileName(try #require(ObjectID(hex: blob))), bytes: file, mode: .contentAddressed, durable: true)
    var snapshot = Snapshot(
      id: "20261126T021500.123Z-1a2b3c4d", time: "2026-11-26T02:15:00Z", vault: vault.hex, logCount: 0, logHead: "",
      files: [Snapshot.SnapshotFile(path: "config", blob: blob, size: UInt64(file.count))], objectList: "", objectCount: 0)
    snapshot.objectList = nil
    snapshot.objectCount = nil
    snapshot.objects = [id.hex]
    snapshot.revision = 0
    try LegacyRepository.write(snapshot, to: backend)
    #expect(opened.revision == 0)
    #expect(try opened.snapshot(snapshot.id) == snapshot)
    #expect(try opened.latestSnapshot() == snapshot)
    #expect(try BackupVerifier(repo: opened).run().filter { $0.severity == .error } == [])
    // Hostile snapshot ids never reach the store as names.
    for hostile in ["../x", "a/b", "", ".", "x\u{0}"] {
      #expect(throws: BackupError.unknownSnapshot(hostile)) { try opened.snapshot(hostile) }
    }
    // Damage is found without a key.
    var bytes = try backend.get(objects.name(for: id), limit: 1 << 20)
    bytes[bytes.count - 1] ^= 1
    try backend.put(objects.name(for: id), bytes: bytes)
    #expect(try BackupVerifier(repo: opened).run().contains { $0.severity == .error && $0.path.hasPrefix("objects/") })
    try backend.put(objects.name(for: id), bytes: bytes.dropLast() + [bytes.last! ^ 1])
    // Prune converts the repository to packs and keeps the newest snapshot's objects.
    let result = try BackupEngine.prune(opened, policy: RetentionPolicy(daily: 1), dryRun: false)
    #expect(result.kept.map(\.id) == [snapshot.id])
    let (converted, _) = try BackupRepository.open(repo)
    #expect(converted.revision == 1 && !backend.exists(objects.name(for: id)))
    #expect(try BackupVerifier(repo: converted).run().filter { $0.severity == .error } == [])
    #expect(try converted.objectIDs(of: converted.snapshot(snapshot.id), index: converted.loadIndex().index) == [id])
    // Locks exclude each other in this store too.
    let held = try opened.lock(.exclusive)
    #expect(throws: VaultLock.Failure.busy(pid: nil)) { try opened.lock(.shared) }
    withExtendedLifetime(held) {}
  }

  static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, haystack.count >= needle.count else { return false }
    for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
      if Array(haystack[i..<(i + needle.count)]) == needle { return true }
    }
    return false
  }
}
