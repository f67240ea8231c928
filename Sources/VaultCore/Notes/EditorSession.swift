import CVaultSystem
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Runs `$VISUAL` or `$EDITOR` on a file in a RAM-backed private directory. The directory lives
/// for one session (one or more runs of the editor on the same file) and is wiped when it ends,
/// whatever ends it; if vault is killed outright, a detached guardian process (started first,
/// watching a pipe that only vault holds) wipes it as soon as vault is gone.
public enum EditorSession {
  /// The hidden subcommand of this executable that guards a scratch directory (`ScratchDirectory.guardUntilClosed`).
  public static let guardianCommand = "internal-scratch-guard"

  /// Creates the scratch file holding `initial` and calls `body` with a function that runs the
  /// editor on it and returns the saved bytes (at most `limit` + 1, so the caller can refuse);
  /// the file is wiped when `body` returns or throws.
  public static func session<T>(_ initial: String, limit: Int = NoteText.maximumBytes, _ body: (_ edit: () throws -> [UInt8]) throws -> T) throws -> T {
    let env = ProcessInfo.processInfo.environment
    let command = [env["VISUAL"], env["EDITOR"]].compactMap { $0 }.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? "vi"
    let scratch = try ScratchDirectory.create(environment: env)
    defer { scratch.wipe() }
    let guardian = try startGuardian(for: scratch)
    defer { close(guardian) }
    let file = try scratch.create("note.md", contents: Array(initial.utf8))
    return try body {
      try run(command, on: file)
      do {
        return try FileSystem.readFile(file, limit: limit + 1)
      } catch let e as StorageError where e.isNotFound {
        return []
      } catch let e as StorageError where e.code == EFBIG {
        throw RecordError.noteTooLarge(source: "the editor's text", limit: limit)
      }
    }
  }

  /// Runs the editor on `file` and waits for it.
  private static func run(_ command: String, on file: String) throws {
    // Ctrl-C belongs to the editor while it runs (as with git): vault must survive it to wipe.
    let oldInt = signal(SIGINT, SIG_IGN)
    let oldQuit = signal(SIGQUIT, SIG_IGN)
    defer {
      signal(SIGINT, oldInt)
      signal(SIGQUIT, oldQuit)
    }
    let status = try run(["/bin/sh", "-c", command + vimOptions(command) + " \"$@\"", command, file], keep: -1, detached: false)
    guard status == 0 else {
      let why =
        status == 127 << 8
        ? "the editor '\(command)' could not be started; set $VISUAL or $EDITOR, or use --file" : "the editor exited with \(describe(status))"
      throw VaultError.editorFailed(why)
    }
  }

  /// Vim and Neovim keep swap, undo and history files outside the file's directory by default
  /// (Neovim in ~/.local/state, on disk): for them, turn those off.
  static func vimOptions(_ command: String) -> String {
    let program = command.split(separator: " ").first.map(String.init) ?? ""
    let resolved = URL(fileURLWithPath: which(program)).resolvingSymlinksInPath().lastPathComponent
    guard [URL(fileURLWithPath: program).lastPathComponent, resolved].contains(where: { $0.hasPrefix("vim") || $0.hasPrefix("nvim") }) else {
      return ""
    }
    return " -n -i NONE --cmd 'set nobackup nowritebackup noundofile'"
  }

  private static func which(_ program: String) -> String {
    guard !program.contains("/") else { return program }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) } ?? program
  }

  /// Starts `vault internal-scratch-guard DIR` in its own session, holding the read end of a pipe
  /// whose write end (returned) only this process holds: its closing, for any reason, is the signal.
  private static func startGuardian(for scratch: ScratchDirectory) throws -> Int32 {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0, fcntl(fds[0], F_SETFD, FD_CLOEXEC) == 0, fcntl(fds[1], F_SETFD, FD_CLOEXEC) == 0 else { throw VaultError.io(path: "pipe", reason: String(cString: strerror(errno))) }
    defer { close(fds[0]) }
    do {
      _ = try run([executablePath(), guardianCommand, scratch.path], keep: fds[0], detached: true, wait: false)
    } catch {
      close(fds[1])
      throw error
    }
    return fds[1]
  }

  /// Spawns `argv`; waits and returns the wait status unless `wait` is false.
  @discardableResult
  static func run(_ argv: [String], keep: Int32, detached: Bool, wait: Bool = true) throws -> Int32 {
    var cargs = argv.map { strdup($0) }
    defer { cargs.forEach { free($0) } }
    cargs.append(nil)
    var pid: pid_t = 0
    let rc = vault_spawn(argv[0], cargs, keep, detached ? 1 : 0, &pid)
    guard rc == 0 else { throw VaultError.io(path: argv[0], reason: "cannot start it: \(String(cString: strerror(rc)).lowercased())") }
    guard wait else { return 0 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      guard errno == EINTR else { throw VaultError.io(path: argv[0], reason: "waitpid failed") }
    }
    return status
  }

  private static func executablePath() throws -> String {
    var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = readlink("/proc/self/exe", &buf, buf.count - 1)
    guard n > 0 else { throw VaultError.io(path: "/proc/self/exe", reason: "cannot find the vault executable") }
    return String(decoding: buf.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  private static func describe(_ status: Int32) -> String {
    let signal = status & 0x7f
    return signal == 0 ? "status \((status >> 8) & 0xff)" : "signal \(signal)"
  }
}
