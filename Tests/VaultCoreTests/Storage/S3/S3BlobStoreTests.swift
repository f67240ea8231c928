import Dispatch
import Foundation
import Testing
@testable import VaultCore

#if canImport(Glibc)
  import Glibc
#endif

/// What only S3 shows, against a real SeaweedFS server: multipart, pagination, refusals,
/// a server killed mid-write, lock objects between stores.
@Suite("S3 blob store on SeaweedFS", .enabled(if: !S3TestServer.skipped))
struct S3BlobStoreTests {
  static func pattern(_ count: Int, seed: UInt8) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    var x: UInt32 = 2_463_534_242 &+ UInt32(seed)
    for i in 0..<count {
      x ^= x << 13
      x ^= x >> 17
      x ^= x << 5
      out[i] = UInt8(truncatingIfNeeded: x)
    }
    return out
  }

  @Test("a blob larger than a part goes up in parts and comes back byte for byte")
  func multipart() throws {
    var options = S3BlobStore.Options()
    options.partSize = 5 << 20
    options.singlePutLimit = 0
    let s = try S3TestServer.get().store(options: options)
    defer { emptyStore(s) }
    let bytes = Self.pattern((12 << 20) + 12_345, seed: 1)  // two full parts and a short one
    let w = try s.makeWriter() as! S3BlobWriter
    var parts: [Int] = []
    w.afterPart = { parts.append($0) }
    for chunk in stride(from: 0, to: bytes.count, by: 1_000_000) {
      try bytes[chunk..<min(chunk + 1_000_000, bytes.count)].withUnsafeBytes { try w.write($0) }
    }
    let n = try BlobName("data/ab/pack")
    try w.commit(as: n, mode: .contentAddressed, durable: true)
    #expect(parts == [1, 2, 3])
    #expect(try s.size(n) == bytes.count)
    #expect(try s.get(n, limit: bytes.count) == bytes)
    let big = #expect(throws: StorageError.self) { try s.get(n, limit: bytes.count - 1) }
    #expect(big?.code == EFBIG)
    // Streamed back in ranged parts, with an odd buffer size.
    let r = try s.open(n)
    var back: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 777_777)
    while true {
      let got = try buffer.withUnsafeMutableBytes { try r.read(into: $0) }
      if got == 0 { break }
      back += buffer[0..<got]
    }
    #expect(back == bytes)
    // A content-addressed commit of the same name keeps what is there and uploads nothing.
    let again = try s.makeWriter() as! S3BlobWriter
    var uploaded = 0
    again.afterPart = { _ in uploaded += 1 }
    try bytes.withUnsafeBytes { try again.write($0) }
    try again.commit(as: n, mode: .contentAddressed, durable: true)
    #expect(uploaded == 0)
    #expect(try s.allKeys() == [s.key(n)])

    // Under `singlePutLimit`, what was spooled goes up in one PUT streamed from the spool file.
    options.singlePutLimit = 64 << 20
    let single = try S3TestServer.get().store(options: options)
    defer { emptyStore(single) }
    let w2 = try single.makeWriter() as! S3BlobWriter
    var parts2 = 0
    w2.afterPart = { _ in parts2 += 1 }
    try bytes.withUnsafeBytes { try w2.write($0) }
    try w2.commit(as: n, mode: .replace, durable: true)
    #expect(parts2 == 0)
    #expect(try single.get(n, limit: bytes.count) == bytes)
  }

  @Test("a listing longer than a page is read page by page")
  func pagination() throws {
    var options = S3BlobStore.Options()
    options.pageSize = 7
    let s = try S3TestServer.get().store(options: options)
    defer { emptyStore(s) }
    let names = (0..<23).map { String(format: "index/%03d", $0) }
    for n in names { try s.put(try BlobName(n), bytes: [1]) }
    for f in 0..<9 { try s.put(try BlobName("data/\(f)0/x"), bytes: [2]) }
    #expect(try s.list(try BlobName("index")).map(\.name) == names.map { String($0.dropFirst(6)) })
    #expect(try s.list(try BlobName("data")) == (0..<9).map { BlobEntry(name: "\($0)0", isFolder: true) })
    #expect(try s.list(nil) == [BlobEntry(name: "data", isFolder: true), BlobEntry(name: "index", isFolder: true)])
    #expect(try s.allKeys().count == 32)
  }

  @Test("wrong credentials are refused with EACCES, naming the fix, never the secret, and not retried")
  func wrongCredentials() throws {
    let server = try S3TestServer.get()
    let right = try S3Credentials.from(environment: server.environment)
    let wrongSecret = "wrong-secret-\(UUID().uuidString)"
    for c in [S3Credentials(accessKeyID: right.accessKeyID, secretAccessKey: wrongSecret), S3Credentials(accessKeyID: "AKIDNOSUCHKEY", secretAccessKey: wrongSecret)] {
      var options = S3BlobStore.Options()
      options.retryBase = 5  // a retry would take seconds: the time limit below catches one
      let s = try server.store(options: options, credentials: c)
      let start = Date()
      let e = #expect(throws: StorageError.self) { try s.put(try BlobName("x"), bytes: [1]) }
      #expect(Date().timeIntervalSince(start) < 2)
      #expect(e?.code == EACCES)
      #expect(e?.description.contains("AWS_SECRET_ACCESS_KEY") == true)
      #expect(e?.description.contains(wrongSecret) == false)
      #expect(e?.description.contains(right.secretAccessKey) == false)
      #expect(throws: StorageError.self) { try s.checkAccess() }
      #expect(throws: StorageError.self) { try s.get(try BlobName("x"), limit: 10) }
    }
  }

  @Test("a missing bucket is its own error, telling to create it")
  func missingBucket() throws {
    let s = try S3TestServer.get().store(bucket: "no-such-bucket-\(getpid())")
    #expect(throws: S3Error.noSuchBucket(bucket: "no-such-bucket-\(getpid())", endpoint: s.s3Location.endpoint)) { try s.checkAccess() }
    let e = #expect(throws: S3Error.self) { try s.put(try BlobName("x"), bytes: [1]) }
    #expect(e?.description.contains("create it") == true)
  }

  @Test("an exclusive lock object excludes another store's locks; shared ones share; stale ones are ignored")
  func lockObjects() throws {
    let server = try S3TestServer.get()
    let prefix = "locks-\(UUID().uuidString.lowercased().prefix(8))"
    let a = try server.store(prefix: prefix), b = try server.store(prefix: prefix)
    defer { emptyStore(a) }
    let n = try BlobName("lock")
    func busy(_ s: S3BlobStore, _ mode: VaultLock.Mode) -> Bool {
      do {
        _ = try s.lock(n, mode, wait: 0)
        return false
      } catch VaultLock.Failure.busy { return true } catch { return false }
    }
    var held: (any BlobLock)? = try a.lock(n, .exclusive)
    #expect(try a.allKeys().count == 1)
    #expect(busy(b, .exclusive))
    #expect(busy(b, .shared))
    // A store that counts every lock as stale (its holder long dead) takes it anyway.
    var staleOptions = S3BlobStore.Options()
    staleOptions.lockStaleAfter = -1
    #expect(!busy(try server.store(prefix: prefix, options: staleOptions), .exclusive))
    held = nil
    #expect(try a.allKeys() == [])  // released: the lock object is gone
    let s1 = try a.lock(n, .shared), s2 = try b.lock(n, .shared)
    #expect(busy(a, .exclusive))
    #expect(busy(b, .exclusive))
    withExtendedLifetime((s1, s2, held)) {}
  }

  @Test("a held lock's object is refreshed while held", .timeLimit(.minutes(1)))
  func lockRefresh() throws {
    var options = S3BlobStore.Options()
    options.lockRefresh = 0.3
    let s = try S3TestServer.get().store(options: options)
    defer { emptyStore(s) }
    let held = try s.lock(try BlobName("lock"), .exclusive)
    func modified() throws -> String? {
      var out: String?
      try s.listPages(prefix: s.keyPrefix(nil), delimiter: nil, where: "") { out = S3XML.elements("LastModified", in: $0).first.map(String.init) }
      return out
    }
    let first = try modified()
    // LastModified has one-second resolution: poll (bounded) until a refresh shows.
    var changed = false
    for _ in 0..<100 where !changed {
      usleep(100_000)
      changed = try modified() != first
    }
    #expect(changed)
    withExtendedLifetime(held) {}
  }

  @Test("a server killed during a multipart write fails the commit promptly and leaves no blob; the next write completes", .timeLimit(.minutes(2)))
  func serverKilledMidWrite() throws {
    guard !S3TestServer.skipped else { return }
    let server = try S3TestServer()
    defer { server.stop() }
    var options = S3BlobStore.Options()
    options.partSize = 5 << 20
    options.singlePutLimit = 0
    options.maxAttempts = 3
    options.timeout = 5
    let s = try server.store(prefix: "killed", options: options)
    let bytes = Self.pattern(16 << 20, seed: 2)
    let w = try s.makeWriter() as! S3BlobWriter
    w.afterPart = { part in if part == 1 { try? server.kill() } }
    try bytes.withUnsafeBytes { try w.write($0) }
    let start = Date()
    let e = #expect(throws: StorageError.self) { try w.commit(as: try BlobName("data/cd/pack"), mode: .contentAddressed, durable: true) }
    #expect(Date().timeIntervalSince(start) < 20)
    #expect(e?.code == EIO)
    #expect(e?.description.contains("check that the S3 server") == true)
    try server.restart()
    #expect(!s.exists(try BlobName("data/cd/pack")))
    #expect(try s.allKeys() == [])
    let source = try Self.writeTemporary(bytes)
    defer { try? FileManager.default.removeItem(atPath: source) }
    try s.put(try BlobName("data/cd/pack"), copying: source)
    #expect(try s.get(try BlobName("data/cd/pack"), limit: bytes.count) == bytes)
  }

  @Test("a server out of space fails the put after bounded retries and shows no part of it", .timeLimit(.minutes(2)))
  func serverFull() throws {
    guard !S3TestServer.skipped else { return }
    // One volume of 1 MB: the first small blob fits, then the server has no writable volume.
    let server = try S3TestServer(weedArguments: "-master.volumeSizeLimitMB=1 -volume.max=1")
    defer { server.stop() }
    let s = try server.store(prefix: "full")
    try s.put(try BlobName("config"), bytes: [1, 2, 3])
    // The server notices a full volume on its next heartbeat: fill until a put fails (bounded).
    var failure: StorageError?
    var stored = ["config"]
    for i in 0..<64 where failure == nil {
      let n = try BlobName("data/aa/pack\(i)")
      let start = Date()
      do {
        try s.put(n, bytes: Self.pattern(1 << 20, seed: UInt8(i)))
        stored.append(n.rawValue)
      } catch let e as StorageError {
        failure = e
        #expect(Date().timeIntervalSince(start) < 30)
        #expect(!s.exists(n))
      }
    }
    let e = try #require(failure)
    // SeaweedFS says only "500 InternalError" when it has no room: nothing tells it from another
    // server fault, so it is EIO after the retries, with the server's words.
    #expect(e.code == EIO && e.description.contains("500 InternalError") && e.description.contains("after 5 tries"), "\(e)")
    #expect(try s.allKeys().map { String($0.dropFirst(s.keyPrefix(nil).count)) } == stored.sorted())
  }

  /// The process's peak resident memory so far, KiB (VmHWM).
  static func peakRSS() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
  }

  static func writeTemporary(_ bytes: [UInt8]) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("vault-s3-src-\(UUID().uuidString)").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test("put and get of a 64 MiB blob: throughput (VAULT_S3_BENCH=1)", .enabled(if: ProcessInfo.processInfo.environment["VAULT_S3_BENCH"] == "1"))
  func throughput() throws {
    let s = try S3TestServer.get().store()
    defer { emptyStore(s) }
    let n = try BlobName("data/ef/pack")
    // The writer first, before any 64 MiB array exists: its peak memory shows in VmHWM.
    let chunk = Self.pattern(1 << 20, seed: 3)
    // A fresh server makes its volumes at the first writes: not what is measured here.
    for i in 0..<4 { try s.put(try BlobName("warm/\(i)"), bytes: chunk) }
    let hwmBefore = Self.peakRSS()
    var t = Date()
    let w = try s.makeWriter()
    for _ in 0..<64 { try chunk.withUnsafeBytes { try w.write($0) } }
    let spooled = Date().timeIntervalSince(t)
    try w.commit(as: n, mode: .replace, durable: true)
    let put = Date().timeIntervalSince(t)
    let writerPeak = Self.peakRSS() - hwmBefore
    let bytes = (0..<64).flatMap { _ in chunk }
    t = Date()
    try s.put(try BlobName("data/ef/single"), bytes: bytes, mode: .replace, durable: true)
    let single = Date().timeIntervalSince(t)
    t = Date()
    let r = try s.open(n)
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var total = 0
    while true {
      let got = try buffer.withUnsafeMutableBytes { try r.read(into: $0) }
      if got == 0 { break }
      total += got
    }
    let get = Date().timeIntervalSince(t)
    t = Date()
    let whole = try s.get(n, limit: 64 << 20)
    let getWhole = Date().timeIntervalSince(t)
    #expect(total == bytes.count && whole == bytes)
    print(String(format: "S3 64 MiB: writer peak memory growth %.1f MiB", Double(writerPeak) / 1024))
    print(String(format: "S3 64 MiB: single PUT %.2f s (%.0f MiB/s), writer %.2f s of which spooling %.2f s (%.0f MiB/s), open+read %.2f s (%.0f MiB/s), get %.2f s (%.0f MiB/s)", single, 64 / single, put, spooled, 64 / put, get, 64 / get, getWhole, 64 / getWhole))
  }
}
