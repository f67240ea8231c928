import Foundation
import Testing
import VaultCore

@Suite("concurrent writers")
struct LockTests {
  @Test("a second writer fails with exit 4 and names the holder's pid")
  func busy() throws {
    let s = try CLISandbox()
    try s.initVault()
    let lock = try VaultLock(path: s.vault + "/lock", mode: .exclusive)
    let r = try s.vaultRun(["passwd", "--new-passphrase-file", s.write("a different passphrase\n", to: "n")])
    #expect(r.status == 4)
    #expect(r.stderr.contains("(pid \(getpid()))"))
    #expect(r.stderr.contains("--wait"))
    // A reader is refused too while a writer holds the lock: it could see a half-made change.
    #expect(try s.run(["info", "--vault", s.vault]).status == 4)
    withExtendedLifetime(lock) {}
  }

  @Test("readers share the lock with each other")
  func sharedReaders() throws {
    let s = try CLISandbox()
    try s.initVault()
    let reader = try VaultLock(path: s.vault + "/lock", mode: .shared)
    #expect(try s.run(["info", "--vault", s.vault]).status == 0)
    #expect(try s.vaultRun(["passwd", "--new-passphrase-file", s.write("a different passphrase\n", to: "n")]).status == 4)
    withExtendedLifetime(reader) {}
  }

  @Test("with --wait, a writer waits for the lock and then succeeds")
  func waits() throws {
    let s = try CLISandbox()
    try s.initVault()
    var lock: VaultLock? = try VaultLock(path: s.vault + "/lock", mode: .exclusive)
    let newFile = try s.write("a different passphrase\n", to: "n")
    nonisolated(unsafe) var result: CLISandbox.Result?
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
      result = try? s.vaultRun(["passwd", "--new-passphrase-file", newFile, "--wait", "60"])
      done.signal()
    }
    // The pause only makes it likely that the child is already waiting; the test passes
    // either way, since releasing the lock lets it finish whenever it asks.
    usleep(300_000)
    lock = nil
    done.wait()
    #expect(lock == nil)
    #expect(result?.status == 0, "\(result?.stderr ?? "no result")")
  }
}
