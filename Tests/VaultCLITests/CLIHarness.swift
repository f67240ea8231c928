import Foundation
import Testing

/// Runs the real `vault` binary against a private temporary directory.
///
/// Every run gets an explicit environment (no inherited VAULT_* variables, HOME inside the
/// sandbox) and runs under `setsid`, so the binary never finds a controlling terminal and
/// cannot hang on a passphrase prompt.
final class CLISandbox: Sendable {
  /// The sandbox directory; removed on deinit.
  let root: URL
  /// Default vault location inside the sandbox.
  var vault: String { root.appendingPathComponent("v").path }
  /// A passphrase file with a valid passphrase.
  let passphraseFile: String
  /// The passphrase itself, to search for leaks.
  let passphrase = "correct horse battery staple"

  init() throws {
    root = FileManager.default.temporaryDirectory.appendingPathComponent("vault-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    passphraseFile = root.appendingPathComponent("pass").path
    try write(passphrase + "\n", to: "pass")
  }

  deinit { try? FileManager.default.removeItem(at: root) }

  /// The result of one run.
  struct Result {
    let status: Int32
    let stdout: String
    let stderr: String
  }

  /// Writes a file inside the sandbox and returns its path.
  @discardableResult
  func write(_ text: String, to name: String) throws -> String {
    let path = root.appendingPathComponent(name).path
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// Runs `vault args...` with `env` added to a minimal environment.
  func run(_ args: [String], env: [String: String] = [:], input: Data? = nil, executable: String? = nil, extraArgs: [String] = []) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
    process.arguments = ["-w", executable ?? Self.binary.path] + extraArgs + args
    var environment = ["HOME": root.path, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]
    environment.merge(env) { $1 }
    process.environment = environment
    process.currentDirectoryURL = root
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    if let input {
      let path = root.appendingPathComponent("stdin-\(UUID().uuidString)").path
      try input.write(to: URL(fileURLWithPath: path))
      process.standardInput = FileHandle(forReadingAtPath: path)
    } else {
      process.standardInput = FileHandle.nullDevice
    }
    try process.run()
    // Read both pipes before waiting, so a chatty process cannot block on a full pipe.
    let group = DispatchGroup()
    nonisolated(unsafe) var errData = Data()
    DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }

  /// Runs `vault args... RAW` where the last argument is raw bytes (not necessarily UTF-8),
  /// which Foundation's Process cannot pass: posix_spawn with a hand-built argv.
  func rawRun(_ args: [String], raw: [UInt8], env: [String: String] = [:]) -> Result {
    var environment = ["HOME": root.path, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]
    environment.merge(env) { $1 }
    let argv: [[CChar]] = ([Self.binary.path] + args).map { Array($0.utf8CString) } + [raw.map { CChar(bitPattern: $0) } + [0]]
    let envp: [[CChar]] = environment.map { Array("\($0.key)=\($0.value)".utf8CString) }
    let out = root.appendingPathComponent("raw-out-\(UUID().uuidString)").path
    let err = root.appendingPathComponent("raw-err-\(UUID().uuidString)").path
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var pid: pid_t = 0
    var cArgv = argv.map { strdup($0) } + [nil]
    var cEnv = envp.map { strdup($0) } + [nil]
    defer { (cArgv + cEnv).forEach { free($0) } }
    guard posix_spawn(&pid, Self.binary.path, &actions, nil, &cArgv, &cEnv) == 0 else { return Result(status: -1, stdout: "", stderr: "spawn failed") }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    let read = { (p: String) in String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: p))) ?? Data(), as: UTF8.self) }
    return Result(status: (status >> 8) & 0xFF, stdout: read(out), stderr: read(err))
  }

  /// `vault init` with the sandbox passphrase and cheap KDF; fails the test if it does not succeed.
  @discardableResult
  func initVault(_ extra: [String] = []) throws -> Result {
    let r = try run(["init", "--vault", vault, "--passphrase-file", passphraseFile, "--kdf", "test",
      "--recovery-key-out", root.appendingPathComponent("recovery").path] + extra)
    #expect(r.status == 0, "init failed: \(r.stderr)")
    return r
  }

  /// Path of the recovery key file written by `initVault`.
  var recoveryFile: String { root.appendingPathComponent("recovery").path }

  /// Runs a command against the sandbox vault with the sandbox passphrase.
  func vaultRun(_ args: [String], env: [String: String] = [:], input: Data? = nil) throws -> Result {
    try run(args + ["--vault", vault], env: ["VAULT_PASSPHRASE_FILE": passphraseFile].merging(env) { $1 }, input: input)
  }

  /// Every regular file under the vault, with its bytes; `lock` is left out, since it holds
  /// only the pid of the last writer and is rewritten by every locked command.
  func vaultFiles() throws -> [String: Data] {
    var out: [String: Data] = [:]
    let base = URL(fileURLWithPath: vault)
    guard let e = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else { return out }
    for case let url as URL in e where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
      let name = String(url.path.dropFirst(base.path.count + 1))
      if name != "lock" { out[name] = try Data(contentsOf: url) }
    }
    return out
  }

  /// The single file under `dir` of the vault (e.g. one of the slots).
  func files(in dir: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: "\(vault)/\(dir)").sorted().map { "\(vault)/\(dir)/\($0)" }
  }

  /// Flips one bit of a file in place.
  func flipBit(_ path: String, at offset: Int) throws {
    var d = try Data(contentsOf: URL(fileURLWithPath: path))
    d[offset] ^= 0x01
    try d.write(to: URL(fileURLWithPath: path))
  }

  /// A file's size in bytes.
  func size(_ path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
  }

  /// Cuts a file to `length` bytes.
  func truncate(_ path: String, to length: Int) throws {
    let d = try Data(contentsOf: URL(fileURLWithPath: path))
    try d.prefix(length).write(to: URL(fileURLWithPath: path))
  }

  /// The built `vault` executable: next to the test bundle, as swift-argument-parser's tests find theirs.
  static let binary: URL = {
    if let override = ProcessInfo.processInfo.environment["VAULT_BINARY"] { return URL(fileURLWithPath: override) }
    var dir = Bundle.main.bundleURL
    if dir.pathExtension == "xctest" { dir = dir.deletingLastPathComponent() }
    let candidate = dir.appendingPathComponent("vault")
    if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("vault")
  }()
}
