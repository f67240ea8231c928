import Dispatch
import Foundation
import Testing
import VaultCore

#if canImport(Glibc)
  import Glibc
#endif

// flock locks belong to an open file description, so two VaultLock instances on one path in
// one process contend exactly as two processes would.
@Suite("vault lock")
struct VaultLockTests {
  /// Hands a lock to another thread so that it can release it.
  final class Holder: @unchecked Sendable {
    private var lock: VaultLock?
    init(_ lock: VaultLock) { self.lock = lock }
    func release() { lock = nil }
  }

  @Test("a second exclusive lock is refused as busy, naming our pid")
  func exclusiveExcludesExclusive() throws {
    let dir = try ScratchDirectory()
    defer { dir.remove() }
    let path = dir.file("lock")
    let held = try VaultLock(path: path, mode: .exclusive)
    #expect(held.mode == .exclusive)
    #expect(throws: VaultLock.Failure.busy(pid: getpid())) { try VaultLock(path: path, mode: .exclusive) }
    #expect(throws: VaultLock.Failure.busy(pid: getpid())) { try VaultLock(path: path, mode: .shared) }
    withExtendedLifetime(held) {}
  }

  @Test("the holder's pid is written to the lock file")
  func pidInFile() throws {
    let dir = try ScratchDirectory()
    defer { dir.remove() }
    let held = try VaultLock(path: dir.file("lock"), mode: .exclusive)
    #expect(try String(contentsOfFile: dir.file("lock"), encoding: .utf8) == "\(getpid())\n")
    withExtendedLifetime(held) {}
  }

  @Test("two shared locks coexist")
  func sharedWithShared() throws {
    let dir = try ScratchDirectory()
    defer { dir.remove() }
    let a = try VaultLock(path: dir.file("lock"), mode: .shared)
    let b = try VaultLock(path: dir.file("lock"), mode: .shared)
    #expect(a.mode == .shared && b.mode == .shared)
    withExtendedLifetime((a, b)) {}
  }

  @Test("a shared lock blocks an exclusive one")
  func sharedExcludesExclusive() throws {
    let dir = try ScratchDirectory()
    defer { dir.remove() }
    let reader = try VaultLock(path: dir.file("lock"), mode: .shared)
    let error = #expect(throws: VaultLock.Failure.self) { try VaultLock(path: dir.file("lock"), mode: .exclusive) }
    guard case .busy = error else { Issue.record("expected .busy, got \(String(describing: error))"); return }
    withExtendedLifetime(reader) {}
  }

  @Test("a lock is released when its instance is deallocated")
  func releasedOnDeinit() throws {
    let dir = try ScratchDirectory()
    defer { dir.remove() }
    var held: VaultLock? = try VaultLock(path: dir.file("lock"), mode: .exclusive)
    #expect(throws: VaultLock.Failure.self) { try VaultLock(path: dir.file("lock"), mode: .exclusive) }
    held = nil
    let again = try VaultLock(path: dir.file("lock"), mode: .exclusive)
    #expect(held == nil)
    withExtendedLifetime(again) {}
  }

  @Test("a waiting lock is granted once another thread releases the holder")
  func waitsForRelease() throws {
    let dir = try ScratchDirectory()
    defer { dir.remove() }
    let path = dir.file("lock")
    let holder = Holder(try VaultLock(path: path, mode: .exclusive))
    let waiting = DispatchSemaphore(value: 0)
    let released = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
      waiting.wait()
      usleep(50_000)  // long enough for the waiter to find the lock taken at least once
      holder.release()
      released.signal()
    }
    let clock = ContinuousClock()
    let start = clock.now
    waiting.signal()
    // The wait is generous so that a loaded machine does not make this flaky; the release
    // comes after about 50 ms.
    let lock = try VaultLock(path: path, mode: .exclusive, wait: 5)
    #expect(clock.now - start >= .milliseconds(50))
    #expect(lock.mode == .exclusive)
    released.wait()
  }

  @Test("a lock still held after the wait is refused as busy")
  func waitTimesOut() throws {
    let dir = try ScratchDirectory()
    defer { dir.remove() }
    let held = try VaultLock(path: dir.file("lock"), mode: .exclusive)
    let clock = ContinuousClock()
    let start = clock.now
    #expect(throws: VaultLock.Failure.busy(pid: getpid())) { try VaultLock(path: dir.file("lock"), mode: .exclusive, wait: 0.2) }
    #expect(clock.now - start >= .milliseconds(200))
    withExtendedLifetime(held) {}
  }

  @Test("a lock in a missing directory fails with a storage error")
  func missingDirectory() throws {
    let dir = try ScratchDirectory()
    defer { dir.remove() }
    let error = #expect(throws: StorageError.self) { try VaultLock(path: dir.file("missing/lock"), mode: .shared) }
    #expect(error?.isNotFound == true)
  }
}
