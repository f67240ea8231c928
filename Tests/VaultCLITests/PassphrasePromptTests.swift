import Foundation
import Testing

/// `vault init` asking for a new passphrase on a real terminal, driven through a pseudo-terminal
/// by python3's pty module: each answer is typed only once its prompt is on the screen (the
/// no-echo prompt flushes anything typed ahead).
@Suite("new-passphrase prompts ask again after a refused answer")
struct PassphrasePromptTests {
  /// A python3 driver: runs argv on a pty; for each (wait-for, answer) pair, reads until the text
  /// appears, then types the answer; prints the whole screen, and exits with the child's status.
  static let driver = """
    import os, pty, sys, json, time, select, termios
    steps = json.loads(sys.argv[1]); argv = sys.argv[2:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    screen = b""
    def pump(until, what, timeout=30):
        global screen
        end = time.time() + timeout
        while not until():
            left = end - time.time()
            if left <= 0: raise SystemExit("timed out waiting for " + what + " in " + repr(screen.decode(errors='replace')))
            r, _, _ = select.select([fd], [], [], min(left, 0.05))
            if r:
                try: chunk = os.read(fd, 4096)
                except OSError: chunk = b""
                if not chunk: raise SystemExit("ended before " + what + ": " + repr(screen.decode(errors='replace')))
                screen += chunk
    seen = 0
    for wait, answer in steps:
        pump(lambda: screen.find(wait.encode(), seen) >= 0, repr(wait))
        seen = screen.find(wait.encode(), seen) + len(wait.encode())
        # Type only once echo is off: the no-echo prompt flushes whatever was typed ahead of it.
        pump(lambda: not (termios.tcgetattr(fd)[3] & termios.ECHO), "echo off")
        os.write(fd, answer.encode() + b"\\n")
    while True:
        r, _, _ = select.select([fd], [], [], 30)
        if not r: raise SystemExit("no end: " + repr(screen.decode(errors='replace')))
        try: chunk = os.read(fd, 4096)
        except OSError: break
        if not chunk: break
        screen += chunk
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(screen.decode(errors='replace'))
    sys.exit(os.waitstatus_to_exitcode(status))
    """

  @Test("too short, then a repetition that differs: each asked again with the reason; the vault opens with the passphrase finally given")
  func initAsksAgain() throws {
    let s = try CLISandbox()
    let driver = try s.write(Self.driver, to: "pty-driver.py")
    let good = "a perfectly good passphrase"
    let script = [
      ["New vault passphrase: ", "short"],
      ["New vault passphrase: ", good],
      ["Repeat the passphrase: ", good + " typo"],
      ["New vault passphrase: ", good],
      ["Repeat the passphrase: ", good],
    ]
    let json = String(decoding: try JSONSerialization.data(withJSONObject: script), as: UTF8.self)
    let r = try s.run([driver, json, CLISandbox.binary.path, "init", "--vault", s.vault, "--kdf", "test", "--recovery-key-out", s.recoveryFile],
      executable: "/usr/bin/python3")
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    #expect(r.stdout.contains("too short: use at least"), "\(r.stdout)")
    #expect(r.stdout.contains("the two passphrases differ; please type it again"), "\(r.stdout)")
    #expect(!r.stdout.contains(good), "a passphrase is never echoed")
    let unlocked = try s.run(["verify", "--vault", s.vault, "--passphrase-file", s.write(good + "\n", to: "good")])
    #expect(unlocked.status == 0, "\(unlocked.stderr)")
  }

  @Test("three refused answers: the command stops with the reason, and no vault is created")
  func givesUp() throws {
    let s = try CLISandbox()
    let driver = try s.write(Self.driver, to: "pty-driver.py")
    let script = [["New vault passphrase: ", "short"], ["New vault passphrase: ", "short"], ["New vault passphrase: ", "short"]]
    let json = String(decoding: try JSONSerialization.data(withJSONObject: script), as: UTF8.self)
    let r = try s.run([driver, json, CLISandbox.binary.path, "init", "--vault", s.vault, "--kdf", "test", "--recovery-key-out", s.recoveryFile],
      executable: "/usr/bin/python3")
    #expect(r.status == 1, "\(r.stdout)")
    #expect(!FileManager.default.fileExists(atPath: s.vault))
  }
}
