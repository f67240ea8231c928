import Foundation
#if canImport(Glibc)
  import Glibc
#endif

/// A lock in a bucket, where there is no flock: each holder puts a lock object
/// `NAME/<mode>-<random id>` (its body names host, pid and time), keeps it fresh while held,
/// and deletes it on release. The object of a process of this host that no longer runs is
/// removed by the next taker.
///
/// Taking: put our object, then list the others; an exclusive lock conflicts with any other,
/// a shared one with an exclusive one. On conflict our object is deleted and, within `wait`, the
/// whole is tried again after a random pause. Two takers racing may both back off, never both
/// win (S3 lists are read-after-write consistent). A lock object whose last refresh (its
/// LastModified, the server's clock against the server's Date) is older than
/// `lockStaleAfter` (30 minutes) belongs to a holder that died, and is ignored; a held lock is
/// refreshed every `lockRefresh` (5 minutes).
final class S3Lock: BlobLock, @unchecked Sendable {
  let mode: VaultLock.Mode
  private let store: S3BlobStore
  private let key: String
  private let refresher: S3LockRefresher

  private init(store: S3BlobStore, key: String, mode: VaultLock.Mode, body: Data) {
    self.store = store
    self.key = key
    self.mode = mode
    refresher = S3LockRefresher(store: store, key: key, body: body)
  }

  static func take(store: S3BlobStore, name: BlobName, mode: VaultLock.Mode, wait: Double) throws -> S3Lock {
    let deadline = Date().addingTimeInterval(max(0, wait))
    let folder = store.key(name) + "/"
    let modeName = mode == .exclusive ? "exclusive" : "shared"
    var hostBytes = [UInt8](repeating: 0, count: 256)
    gethostname(&hostBytes, hostBytes.count - 1)
    let host = String(decoding: hostBytes.prefix { $0 != 0 }.filter { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }, as: UTF8.self)
    while true {
      let id = (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
      let key = "\(folder)\(modeName)-\(id)"
      let text = "{\"mode\":\"\(modeName)\",\"host\":\"\(host)\",\"pid\":\(getpid()),\"time\":\(Int(Date().timeIntervalSince1970))}\n"
      let body = Data(text.utf8)
      try store.putObject(key, body, what: "take the lock", where: store.path(of: name))
      let conflict: Bool
      do {
        let others = try live(store: store, folder: folder, name: name).filter { $0 != key && !abandoned($0, store: store, folder: folder, name: name, host: host) }
        conflict = mode == .exclusive ? !others.isEmpty : others.contains { $0.dropFirst(folder.count).hasPrefix("exclusive-") }
      } catch {
        try? store.deleteKey(key)
        throw error
      }
      if !conflict {
        let lock = S3Lock(store: store, key: key, mode: mode, body: body)
        lock.startRefreshing()
        return lock
      }
      try? store.deleteKey(key)
      if Date() >= deadline { throw VaultLock.Failure.busy(pid: nil) }
      // A random pause, so that two takers who saw each other do not retry in step.
      let pause = min(deadline.timeIntervalSinceNow, Double.random(in: 0.05...0.3))
      if pause > 0 { usleep(useconds_t(pause * 1e6)) }
    }
  }

  /// True for the lock object of a process of this host that no longer runs (killed, or its
  /// server died before it could delete the object), which is then deleted: as restic does, a
  /// lock is not left to block the next nightly run for the stale period when its holder is
  /// known to be gone.
  private static func abandoned(_ key: String, store: S3BlobStore, folder: String, name: BlobName, host: String) -> Bool {
    guard let child = try? name.appending(String(key.dropFirst(folder.count))),
      let body = try? store.get(child, limit: 4096),
      let info = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
      info["host"] as? String == host, let pid = info["pid"] as? Int, pid > 0, pid != Int(getpid())
    else { return false }
    guard kill(pid_t(pid), 0) != 0 && errno == ESRCH else { return false }
    try? store.deleteKey(key)
    return true
  }

  /// The keys of the lock objects in `folder` that are not stale.
  private static func live(store: S3BlobStore, folder: String, name: BlobName) throws -> [String] {
    var keys: [String] = []
    var token: String?
    repeat {
      var query = [("list-type", "2"), ("prefix", folder), ("max-keys", "1000")]
      if let token { query.append(("continuation-token", token)) }
      let r = try store.client.send("GET", key: nil, query: query, what: "list the lock's holders", where: store.path(of: name))
      let now = r.headers["date"].flatMap(S3Time.parseHTTPDate) ?? Date().timeIntervalSince1970
      for block in S3XML.elements("Contents", in: r.text) {
        guard let k = S3XML.value("Key", in: block) else { continue }
        let modified = S3XML.value("LastModified", in: block).flatMap(S3Time.parseISO8601) ?? now
        if now - modified < store.options.lockStaleAfter { keys.append(k) }
      }
      token = S3XML.value("IsTruncated", in: r.text) == "true" ? S3XML.value("NextContinuationToken", in: r.text) : nil
    } while token != nil
    return keys
  }

  /// Puts the lock object again every `lockRefresh` seconds until released, so that it never
  /// looks stale while its holder lives.
  private func startRefreshing() {
    let refresher = refresher
    Thread { refresher.run() }.start()
  }

  deinit {
    refresher.stop()
    try? store.deleteKey(key)
  }
}

/// The thread's side of a held lock: it must not keep the lock itself alive, or releasing it
/// would wait for the next refresh.
private final class S3LockRefresher: @unchecked Sendable {
  private let store: S3BlobStore
  private let key: String
  private let body: Data
  private let condition = NSCondition()
  private var stopped = false

  init(store: S3BlobStore, key: String, body: Data) {
    self.store = store
    self.key = key
    self.body = body
  }

  func run() {
    while true {
      condition.lock()
      let deadline = Date().addingTimeInterval(store.options.lockRefresh)
      while !stopped && condition.wait(until: deadline) {}
      let done = stopped
      condition.unlock()
      if done { return }
      try? store.putObject(key, body, what: "refresh the lock", where: store.location)
    }
  }

  func stop() {
    condition.lock()
    stopped = true
    condition.broadcast()
    condition.unlock()
  }
}

/// The two time formats S3 speaks.
enum S3Time {
  /// "2026-11-30T13:50:00.000Z" → Unix time.
  static func parseISO8601(_ s: String) -> Double? {
    let digits = s.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    guard digits.count >= 6 else { return nil }
    return utc(digits[0], digits[1], digits[2], digits[3], digits[4], digits[5])
  }

  /// "Mon, 30 Nov 2026 13:50:00 GMT" → Unix time.
  static func parseHTTPDate(_ s: String) -> Double? {
    let parts = s.split(whereSeparator: { $0 == " " || $0 == ":" || $0 == "," })
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    guard parts.count >= 7, let day = Int(parts[1]), let month = months.firstIndex(of: String(parts[2])), let year = Int(parts[3]),
      let h = Int(parts[4]), let m = Int(parts[5]), let sec = Int(parts[6])
    else { return nil }
    return utc(year, month + 1, day, h, m, sec)
  }

  private static func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> Double {
    var t = tm()
    t.tm_year = Int32(y - 1900)
    t.tm_mon = Int32(mo - 1)
    t.tm_mday = Int32(d)
    t.tm_hour = Int32(h)
    t.tm_min = Int32(mi)
    t.tm_sec = Int32(s)
    return Double(timegm(&t))
  }
}
