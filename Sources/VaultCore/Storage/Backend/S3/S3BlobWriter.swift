import CVaultSystem
import Dispatch
import Foundation
import VaultCrypto
#if canImport(Glibc)
  import Glibc
#endif

/// The parts of one upload, filled in by concurrent requests.
private final class PartState: @unchecked Sendable {
  private let lock = NSLock()
  private var tags: [String?]
  private var firstError: (any Error)?

  init(count: Int) { tags = Array(repeating: nil, count: count) }

  var etags: [String?] { lock.withLock { tags } }
  var error: (any Error)? { lock.withLock { firstError } }
  var failed: Bool { error != nil }
  func done(_ index: Int, _ etag: String) { lock.withLock { tags[index] = etag } }
  func fail(_ error: any Error) { lock.withLock { if firstError == nil { firstError = error } } }
}

/// Streams a blob to S3. Up to one part stays in memory; past that the bytes go to an unnamed
/// local file (the object's name is known only at commit, and S3 cannot rename), uploaded at
/// commit in parts. Nothing is visible before CompleteMultipartUpload; a failure aborts the
/// upload; a killed process leaves at most an incomplete upload, which S3 never lists as an
/// object (a bucket lifecycle rule, AbortIncompleteMultipartUpload, reclaims its space).
final class S3BlobWriter: BlobWriter {
  private let store: S3BlobStore
  private var buffer: [UInt8] = []
  private var spool: Int32?
  private var spooled = 0
  /// The SHA-256 of what was spooled, for a single PUT streamed from the spool file.
  private var hash: SHA256.Stream?
  private var finished = false
  /// Called after each uploaded part with its number (tests: a fault at a known point).
  var afterPart: ((Int) -> Void)?

  init(store: S3BlobStore) { self.store = store }

  deinit { abandon() }

  func write(_ bytes: UnsafeRawBufferPointer) throws {
    precondition(!finished, "write after commit")
    if spool == nil && buffer.count + bytes.count <= store.options.partSize {
      buffer.append(contentsOf: bytes)
      return
    }
    let fd = try spoolFile()
    if hash == nil { hash = SHA256.Stream() }
    if !buffer.isEmpty {
      buffer.withUnsafeBytes { hash?.update($0) }
      try buffer.withUnsafeBytes { try FileSystem.writeAll(fd, $0, path: store.options.spoolDirectory) }
      spooled += buffer.count
      buffer = []
    }
    hash?.update(bytes)
    try FileSystem.writeAll(fd, bytes, path: store.options.spoolDirectory)
    spooled += bytes.count
  }

  private func spoolFile() throws -> Int32 {
    if let spool { return spool }
    let dir = store.options.spoolDirectory
    // Read back at commit, so not FileSystem.openUnnamed (write-only).
    var fd: Int32? = FileSystem.openOnce(dir, O_RDWR | vault_O_TMPFILE, FileSystem.fileMode)
    if fd! < 0 {
      guard [EOPNOTSUPP, EISDIR, EINVAL].contains(errno) else { throw StorageError(path: dir, operation: "create a spool file in", code: errno) }
      // No O_TMPFILE here: a named file, unlinked at once, is as private and as short-lived.
      var template = Array("\(dir)/.vault-s3-XXXXXX".utf8CString)
      let named = mkstemp(&template)
      guard named >= 0 else { throw StorageError(path: dir, operation: "create a spool file", code: errno) }
      unlink(template)
      fd = named
    }
    spool = fd
    return fd!
  }

  func commit(as name: BlobName, mode: PutMode, durable: Bool) throws {
    precondition(!finished, "commit called twice")
    defer { abandon() }
    guard let fd = spool else {
      try store.put(name, bytes: buffer, mode: mode, durable: durable)
      return
    }
    guard try store.checkPlacement(name, mode: mode) else { return }
    let key = store.key(name), place = store.path(of: name)
    if spooled <= store.options.singlePutLimit, let hash {
      // One PUT streamed from the spool file (through /proc: it has no name): a request per part
      // costs more than the parts' parallelism gains for packs of tens of MiB.
      // S3 wants the length up front (URLSession would otherwise send a file chunked).
      let client = store.client, length = spooled, payload = S3Signer.hex(hash.finalize())
      let put: @Sendable (Int32) throws -> Void = { fd in
        _ = try client.send("PUT", key: key, headers: ["content-length": "\(length)"], body: .file(URL(fileURLWithPath: "/proc/self/fd/\(fd)")), payloadHash: payload,
                            what: "write", where: place)
      }
      guard !durable else { return try put(fd) }
      // Not durable yet: uploaded in the background, and `sync` waits for it. The caller (a
      // backup packing on every core) goes on while the link carries the previous packs.
      let own = dup(fd)
      guard own >= 0 else { throw StorageError(path: store.options.spoolDirectory, operation: "keep the spool file", code: errno) }
      store.uploads.submit {
        defer { close(own) }
        try put(own)
      }
      return
    }
    let created = try store.client.send("POST", key: key, query: [("uploads", "")], what: "start an upload", where: place)
    guard let uploadID = S3XML.value("UploadId", in: created.text), !uploadID.isEmpty else {
      throw StorageError(path: place, operation: "start an upload (the S3 server gave no upload id)", code: EIO)
    }
    do {
      let etags = try uploadParts(fd: fd, key: key, uploadID: uploadID, place: place)
      let parts = etags.enumerated().map { "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\(S3XML.escape($0.element))</ETag></Part>" }
      let body = Data("<CompleteMultipartUpload>\(parts.joined())</CompleteMultipartUpload>".utf8)
      _ = try store.client.send("POST", key: key, query: [("uploadId", uploadID)], body: body, what: "complete the upload", where: place)
    } catch {
      // Best effort: the upload's parts would otherwise hold space until a lifecycle rule runs.
      _ = try? store.client.send("DELETE", key: key, query: [("uploadId", uploadID)], accept: [404], what: "abort the upload", where: place)
      throw error
    }
  }

  /// Uploads the spooled bytes as parts, `uploadConcurrency` at a time (one request at a time
  /// leaves the link idle while the server stores each part); their ETags in order.
  private func uploadParts(fd: Int32, key: String, uploadID: String, place: String) throws -> [String] {
    let partSize = store.options.partSize
    let count = (spooled + partSize - 1) / partSize
    let state = PartState(count: count)
    let slots = DispatchSemaphore(value: max(1, store.options.uploadConcurrency))
    let group = DispatchGroup()
    let client = store.client, spoolDirectory = store.options.spoolDirectory, total = spooled
    for index in 0..<count {
      slots.wait()
      if state.failed { slots.signal(); break }
      group.enter()
      DispatchQueue.global().async {
        defer {
          slots.signal()
          group.leave()
        }
        do {
          let offset = index * partSize, n = min(partSize, total - offset)
          var body = Data(count: n)
          let got = body.withUnsafeMutableBytes { pread(fd, $0.baseAddress, n, off_t(offset)) }
          guard got == n else { throw StorageError(path: spoolDirectory, operation: "read the spool file", code: got < 0 ? errno : EIO) }
          let r = try client.send("PUT", key: key, query: [("partNumber", "\(index + 1)"), ("uploadId", uploadID)], body: body,
                                  what: "upload part \(index + 1)", where: place)
          guard let etag = r.headers["etag"] else { throw StorageError(path: place, operation: "upload part \(index + 1) (no ETag in the answer)", code: EIO) }
          state.done(index, etag)
        } catch {
          state.fail(error)
        }
      }
      if let hook = afterPart { group.wait(); if let e = state.error { throw e }; hook(index + 1) }
    }
    group.wait()
    if let error = state.error { throw error }
    return state.etags.map { $0! }
  }

  func abandon() {
    guard !finished else { return }
    finished = true
    buffer = []
    if let spool { close(spool) }
    spool = nil
  }
}
