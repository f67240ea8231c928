import Foundation
#if canImport(Glibc)
  import Glibc
#endif

/// An advisory flock on the vault's `lock` file: exclusive for writers, shared for readers.
///
/// flock locks belong to the open file description and vanish when the process dies, so a
/// crashed writer never leaves the vault locked. The holder's pid is written into the file
/// only to make the "busy" message useful.
public final class VaultLock {
  /// Whether the lock excludes everyone or only writers.
  public enum Mode: Sendable { case shared, exclusive }

  /// Why the lock could not be taken.
  public enum Failure: Error, Equatable, Sendable {
    /// Another process holds a conflicting lock; its pid when known.
    case busy(pid: Int32?)
  }

  private let fd: Int32
  /// The mode this lock was taken in.
  public let mode: Mode

  /// Takes the lock, waiting up to `wait` seconds (0 means fail at once).
  /// - Throws: `Failure.busy` when another process still holds it after the wait.
  public init(path: String, mode: Mode, wait seconds: Double = 0) throws {
    let fd: Int32
    do {
      fd = try FileSystem.open(path, O_RDWR | O_CREAT)
    } catch let e as StorageError where mode == .shared && (e.code == EROFS || e.code == EACCES) {
      // A reader on read-only media (a mounted backup copy) can still take a shared lock.
      fd = try FileSystem.open(path, O_RDONLY)
    }
    let op = (mode == .exclusive ? LOCK_EX : LOCK_SH)
    let deadline = Self.now() + max(0, seconds)
    while flock(fd, op | LOCK_NB) != 0 {
      let e = errno
      if e == EINTR { continue }
      guard e == EWOULDBLOCK else {
        close(fd)
        throw StorageError(path: path, operation: "lock", code: e)
      }
      if Self.now() >= deadline {
        let pid = Self.holder(fd)
        close(fd)
        throw Failure.busy(pid: pid)
      }
      // Waiting is what the user asked for with --wait; 50 ms keeps it responsive and cheap.
      usleep(50_000)
    }
    // Stored only once the lock is held: a failed init must not run deinit on a closed descriptor.
    self.fd = fd
    self.mode = mode
    if mode == .exclusive {
      var text = Array("\(getpid())\n".utf8)
      _ = ftruncate(fd, 0)
      _ = text.withUnsafeMutableBytes { pwrite(fd, $0.baseAddress!, $0.count, 0) }
    }
  }

  /// Releases the lock.
  deinit {
    // Clear the pid first, so a later "busy" message never names a process that has finished.
    if mode == .exclusive { _ = ftruncate(fd, 0) }
    flock(fd, LOCK_UN)
    close(fd)
  }

  private static func holder(_ fd: Int32) -> Int32? {
    var buf = [UInt8](repeating: 0, count: 16)
    let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, 0) }
    guard n > 0 else { return nil }
    return Int32(String(decoding: buf.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
  }

  private static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }
}
