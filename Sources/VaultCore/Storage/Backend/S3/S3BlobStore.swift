import Foundation
#if canImport(Glibc)
  import Glibc
#endif

/// A `BlobStore` in an S3 bucket (AWS, Backblaze B2, Wasabi, MinIO, Garage, SeaweedFS, ...),
/// every blob an object under the location's prefix.
///
/// Puts are single PUTs (durable when S3 answers); writers keep up to one part in memory and
/// spool the rest to an unnamed local file, then upload it in parts (multipart upload) at commit,
/// when the name is known, so memory stays bounded at any size. Reads are ranged GETs of one
/// part at a time, pinned to the object's ETag (a blob replaced under a reader fails the read, it
/// never mixes). Folders are key prefixes; the file-system rules (no blob beneath a blob or over a
/// folder) are checked before each put. Locks are lock objects (see `S3Lock`).
///
/// TLS is always verified, against the system trust store: URLSession on Linux has no per-session
/// CA setting (its libcurl CA override is Android-only), so a self-hosted MinIO with a private CA
/// needs that CA installed system-wide (/usr/local/share/ca-certificates, update-ca-certificates).
public final class S3BlobStore: BlobStore {
  /// Tuning, mostly for tests.
  public struct Options: Sendable {
    /// Bytes a writer keeps in memory and uploads per part (S3's minimum part is 5 MiB).
    public var partSize = 8 << 20
    /// A writer's blob up to this size goes up in one PUT streamed from its spool file; larger
    /// ones in parts (S3 takes at most 5 GiB in one PUT).
    public var singlePutLimit = 5 << 30
    /// Parts of one blob uploaded at the same time (memory: about twice this many parts, as
    /// URLSession copies each body).
    public var uploadConcurrency = 2
    /// Bytes a reader asks for per ranged GET: what it holds in memory (URLSession holds about
    /// as much again while a request runs), times the readers a restore runs on every core.
    public var readSize = 2 << 20
    /// Blobs committed with `durable: false` that may be uploading at once, in the background.
    public var backgroundUploads = 2
    /// Keys asked for per listing page (S3's maximum is 1000).
    public var pageSize = 1000
    /// Tries per request when the failure may pass (5xx, 429, timeouts, lost connections).
    public var maxAttempts = 5
    /// The first retry's delay in seconds; each next one doubles.
    public var retryBase = 0.2
    /// Seconds without progress before a request fails (and may be tried again). Also the time
    /// a connection reset during an upload takes to surface: URLSession on Linux reports it
    /// only then.
    public var timeout = 30.0
    /// A lock object not refreshed for this many seconds is stale: its holder died.
    public var lockStaleAfter = 1800.0
    /// How often a held lock's object is refreshed.
    public var lockRefresh = 300.0
    /// Where writers spool what exceeds a part (an unnamed file, gone when the process is).
    public var spoolDirectory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/var/tmp"

    /// The defaults.
    public init() {}
  }

  /// Where it is.
  public let s3Location: S3Location
  /// Its tuning.
  public let options: Options
  let client: S3Client
  /// Uploads of blobs committed without waiting (`durable: false`), until `sync`.
  let uploads: BackgroundUploads

  /// A store at `location`, signing with `credentials`. Nothing is sent until the first call.
  public init(location: S3Location, credentials: S3Credentials, options: Options = Options()) {
    s3Location = location
    self.options = options
    client = S3Client(location: location, credentials: credentials, timeout: options.timeout, maxAttempts: options.maxAttempts, retryBase: options.retryBase)
    uploads = BackgroundUploads(limit: options.backgroundUploads)
  }

  /// A store for `s3:https://HOST[:PORT]/BUCKET[/PREFIX]`, credentials from `environment`
  /// (`S3Credentials.from(environment:)`).
  public convenience init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment, options: Options = Options()) throws(S3Error) {
    self.init(location: try S3Location(url), credentials: try S3Credentials.from(environment: environment), options: options)
  }

  public var location: String { s3Location.description }

  public func path(of name: BlobName?) -> String {
    guard let name else { return location }
    return "\(location)/\(name.rawValue)"
  }

  /// The object key of a name.
  func key(_ name: BlobName) -> String { s3Location.prefix.isEmpty ? name.rawValue : "\(s3Location.prefix)/\(name.rawValue)" }

  /// The key prefix of a folder's contents ("" for the whole bucket).
  func keyPrefix(_ folder: BlobName?) -> String {
    if let folder { return key(folder) + "/" }
    return s3Location.prefix.isEmpty ? "" : s3Location.prefix + "/"
  }

  /// Checks that the bucket exists and the credentials may list it: a clear error before a
  /// backup starts rather than at its first write.
  public func checkAccess() throws {
    _ = try client.send("GET", key: nil, query: [("list-type", "2"), ("max-keys", "1"), ("prefix", keyPrefix(nil))], what: "list", where: location)
  }

  public func put(_ name: BlobName, bytes: [UInt8], mode: PutMode, durable: Bool) throws {
    guard try checkPlacement(name, mode: mode) else { return }
    try putObject(key(name), Data(bytes), what: "write", where: path(of: name))
  }

  func putObject(_ key: String, _ body: Data, what: String, where place: String) throws {
    _ = try client.send("PUT", key: key, body: body, what: what, where: place)
  }

  public func makeWriter() throws -> any BlobWriter { S3BlobWriter(store: self) }

  public func get(_ name: BlobName, limit: Int) throws -> [UInt8] {
    let place = path(of: name)
    // One request: ask for one byte more than the limit; the total in Content-Range tells the size.
    let range: [String: String] = limit < (1 << 40) ? ["range": "bytes=0-\(limit)"] : [:]
    let r = try client.send("GET", key: key(name), headers: range, accept: [404, 416], what: "read", where: place)
    switch r.status {
    case 404: throw try missing(name)
    case 416: return []  // an empty object has no byte 0
    default:
      let total = r.headers["content-range"].flatMap { Self.total(ofContentRange: $0) } ?? r.body.count
      guard total <= limit, r.body.count <= limit else { throw StorageError(path: place, operation: "read (file too large)", code: EFBIG) }
      return [UInt8](r.body)
    }
  }

  public func open(_ name: BlobName) throws -> any BlobReader {
    let first = try fetch(name, from: 0, etag: nil)
    return S3BlobReader(store: self, name: name, first: first)
  }

  /// One part of a blob from `offset`: bytes, total size, ETag. `etag` pins the object read.
  func fetch(_ name: BlobName, from offset: Int, etag: String?) throws -> (bytes: Data, size: Int, etag: String?) {
    var headers = ["range": "bytes=\(offset)-\(offset + options.readSize - 1)"]
    if let etag { headers["if-match"] = etag }
    let r = try client.send("GET", key: key(name), headers: headers, accept: [404, 412, 416], what: "read", where: path(of: name))
    switch r.status {
    case 404: throw try missing(name)
    case 412: throw StorageError(path: path(of: name), operation: "read (the blob was replaced while it was read; read it again)", code: EIO)
    case 416:
      // No byte at `offset`: an empty blob (or one that ended there), confirmed by its size.
      let size = try self.size(name)
      return (Data(), size, nil)
    default:
      let total = r.headers["content-range"].flatMap { Self.total(ofContentRange: $0) } ?? (offset + r.body.count)
      return (r.body, total, r.headers["etag"])
    }
  }

  /// "bytes 0-9/1234" → 1234.
  static func total(ofContentRange s: String) -> Int? {
    guard let slash = s.lastIndex(of: "/") else { return nil }
    return Int(s[s.index(after: slash)...].trimmingCharacters(in: .whitespaces))
  }

  public func list(_ folder: BlobName?) throws -> [BlobEntry] {
    let prefix = keyPrefix(folder)
    var entries: [String: Bool] = [:]
    try listPages(prefix: prefix, delimiter: "/", where: path(of: folder)) { page in
      for block in S3XML.elements("Contents", in: page) {
        if let k = S3XML.value("Key", in: block), k.hasPrefix(prefix), k.count > prefix.count {
          let n = String(k.dropFirst(prefix.count))
          entries[n] = entries[n] ?? false
        }
      }
      for block in S3XML.elements("CommonPrefixes", in: page) {
        if let p = S3XML.value("Prefix", in: block), p.hasPrefix(prefix), p.hasSuffix("/"), p.count > prefix.count + 1 {
          entries[String(p.dropFirst(prefix.count).dropLast())] = true
        }
      }
    }
    return entries.keys.sorted().map { BlobEntry(name: $0, isFolder: entries[$0]!) }
  }

  /// Every key under `prefix`, page by page (continuation tokens); `page` gets each answer's XML.
  func listPages(prefix: String, delimiter: String?, maxKeys: Int? = nil, where place: String, _ page: (Substring) throws -> Void) throws {
    var token: String?
    repeat {
      var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", "\(maxKeys ?? options.pageSize)")]
      if let delimiter { query.append(("delimiter", delimiter)) }
      if let token { query.append(("continuation-token", token)) }
      let r = try client.send("GET", key: nil, query: query, what: "list", where: place)
      let text = r.text
      try page(text)
      token = S3XML.value("IsTruncated", in: text) == "true" ? S3XML.value("NextContinuationToken", in: text) : nil
    } while token != nil && maxKeys == nil
  }

  /// Every key beneath the location (for tests and cleanup).
  func allKeys() throws -> [String] {
    var keys: [String] = []
    try listPages(prefix: keyPrefix(nil), delimiter: nil, where: location) { page in
      keys += S3XML.elements("Contents", in: page).compactMap { S3XML.value("Key", in: $0) }
    }
    return keys.sorted()
  }

  public func delete(_ name: BlobName, durable: Bool) throws {
    _ = try client.send("DELETE", key: key(name), accept: [404], what: "remove", where: path(of: name))
  }

  func deleteKey(_ key: String) throws {
    _ = try client.send("DELETE", key: key, accept: [404], what: "remove", where: location)
  }

  public func exists(_ name: BlobName) -> Bool {
    guard let r = try? client.send("HEAD", key: key(name), accept: [404], what: "look up", where: path(of: name)) else { return false }
    return r.status != 404 || ((try? isFolder(name)) ?? false)
  }

  public func size(_ name: BlobName) throws -> Int {
    let r = try client.send("HEAD", key: key(name), accept: [404], what: "look up", where: path(of: name))
    if r.status == 404 { throw try missing(name) }
    guard let n = r.headers["content-length"].flatMap({ Int($0) }) else {
      throw StorageError(path: path(of: name), operation: "look up (the S3 server gave no size)", code: EIO)
    }
    return n
  }

  /// Folders are key prefixes: nothing to make.
  public func makeFolder(_ folder: BlobName) throws {}

  public func lock(_ name: BlobName, _ mode: VaultLock.Mode, wait: Double) throws -> any BlobLock {
    try S3Lock.take(store: self, name: name, mode: mode, wait: wait)
  }

  /// Every put is durable once S3 answers it.
  /// Waits for the uploads of blobs committed with `durable: false`; throws the first failure.
  public func sync() throws { try uploads.wait() }

  /// True if some key lies beneath `name`.
  func isFolder(_ name: BlobName) throws -> Bool {
    var found = false
    try listPages(prefix: key(name) + "/", delimiter: nil, maxKeys: 1, where: path(of: name)) { page in
      found = !S3XML.elements("Key", in: page).isEmpty
    }
    return found
  }

  /// The error for a name with no object: a folder is not a blob (EINVAL), else ENOENT.
  func missing(_ name: BlobName) throws -> StorageError {
    try isFolder(name)
      ? StorageError(path: path(of: name), operation: "read (not a regular file)", code: EINVAL)
      : StorageError(path: path(of: name), operation: "open", code: ENOENT)
  }

  /// Keeps the file-system rules the other stores keep (a blob never lies beneath a blob nor takes
  /// a folder's name), so a repository behaves the same on every store. False when a
  /// content-addressed blob is already there (nothing to put). Not atomic with the put: S3 has
  /// no such primitive, and only a damaged or hostile repository would race it.
  func checkPlacement(_ name: BlobName, mode: PutMode) throws -> Bool {
    if mode == .contentAddressed {
      let r = try client.send("HEAD", key: key(name), accept: [404], what: "look up", where: path(of: name))
      if r.status != 404 { return false }
    }
    var folder = name.folder
    while let f = folder {
      let r = try client.send("HEAD", key: key(f), accept: [404], what: "look up", where: path(of: f))
      if r.status != 404 { throw StorageError(path: path(of: name), operation: "link into place", code: ENOTDIR) }
      folder = f.folder
    }
    if try isFolder(name) { throw StorageError(path: path(of: name), operation: "rename into place", code: EISDIR) }
    return true
  }
}

/// Uploads running in the background, at most `limit` at once; `wait` returns when all are done
/// and throws the first failure (a blob that failed is simply absent: nothing names it yet).
final class BackgroundUploads: @unchecked Sendable {
  private let slots: DispatchSemaphore
  private let group = DispatchGroup()
  private let lock = NSLock()
  private var failure: (any Error)?

  init(limit: Int) { slots = DispatchSemaphore(value: max(1, limit)) }

  /// Runs `work` on another thread once a slot is free (waiting here for one).
  func submit(_ work: @escaping @Sendable () throws -> Void) {
    slots.wait()
    group.enter()
    Thread {
      defer {
        self.slots.signal()
        self.group.leave()
      }
      do { try work() } catch { self.lock.withLock { if self.failure == nil { self.failure = error } } }
    }.start()
  }

  /// Waits for every upload submitted so far.
  func wait() throws {
    group.wait()
    try lock.withLock {
      defer { failure = nil }
      if let failure { throw failure }
    }
  }
}
