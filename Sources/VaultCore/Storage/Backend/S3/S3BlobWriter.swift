import CVaultSystem
import Foundation
#if canImport(Glibc)
  import Glibc
#endif

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
    if !buffer.isEmpty {
      try buffer.withUnsafeBytes { try FileSystem.writeAll(fd, $0, path: store.options.spoolDirectory) }
      spooled += buffer.count
      buffer = []
    }
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
    let created = try store.client.send("POST", key: key, query: [("uploads", "")], what: "start an upload", where: place)
    guard let uploadID = S3XML.value("UploadId", in: created.text), !uploadID.isEmpty else {
      throw StorageError(path: place, operation: "start an upload (the S3 server gave no upload id)", code: EIO)
    }
    do {
      var etags: [String] = []
      var part = [UInt8](repeating: 0, count: store.options.partSize)
      var offset = 0
      while offset < spooled {
        let n = min(part.count, spooled - offset)
        let got = part.withUnsafeMutableBytes { pread(fd, $0.baseAddress, n, off_t(offset)) }
        guard got == n else { throw StorageError(path: store.options.spoolDirectory, operation: "read the spool file", code: got < 0 ? errno : EIO) }
        let number = etags.count + 1
        let r = try store.client.send("PUT", key: key, query: [("partNumber", "\(number)"), ("uploadId", uploadID)], body: Data(part[0..<n]),
                                      what: "upload part \(number)", where: place)
        guard let etag = r.headers["etag"] else { throw StorageError(path: place, operation: "upload part \(number) (no ETag in the answer)", code: EIO) }
        etags.append(etag)
        offset += n
        afterPart?(number)
      }
      let parts = etags.enumerated().map { "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\(S3XML.escape($0.element))</ETag></Part>" }
      let body = Data("<CompleteMultipartUpload>\(parts.joined())</CompleteMultipartUpload>".utf8)
      _ = try store.client.send("POST", key: key, query: [("uploadId", uploadID)], body: body, what: "complete the upload", where: place)
    } catch {
      // Best effort: the upload's parts would otherwise hold space until a lifecycle rule runs.
      _ = try? store.client.send("DELETE", key: key, query: [("uploadId", uploadID)], accept: [404], what: "abort the upload", where: place)
      throw error
    }
  }

  func abandon() {
    guard !finished else { return }
    finished = true
    buffer = []
    if let spool { close(spool) }
    spool = nil
  }
}
