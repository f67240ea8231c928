import Foundation
import Testing

/// A SeaweedFS S3 server for one test, started and stopped by scripts/s3-server.py on free
/// loopback ports (the same script the core's S3 tests and `make bench` use). A missing `weed`
/// fails these tests (`make test-deps` installs it) unless VAULT_SKIP_S3=1 says to skip them.
final class S3Server {
  static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("scripts/s3-server.py").path
  static let skipped = ProcessInfo.processInfo.environment["VAULT_SKIP_S3"] == "1"

  let directory: String
  let endpoint: String
  /// The credentials and region, as the nightly backup's environment would hold them.
  let environment: [String: String]

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("vault-s3cli-\(UUID().uuidString.lowercased())").path
    let out = try Self.script(["start", directory, "--watch-pid", "\(getpid())"])
    endpoint = out.trimmingCharacters(in: .whitespacesAndNewlines)
    var env: [String: String] = [:]
    for line in try String(contentsOfFile: directory + "/env", encoding: .utf8).split(separator: "\n") {
      if let eq = line.firstIndex(of: "="), line.hasPrefix("AWS_") { env[String(line[..<eq])] = String(line[line.index(after: eq)...]) }
    }
    environment = env
  }

  deinit { _ = try? Self.script(["stop", directory]) }

  /// `s3:http://127.0.0.1:PORT/BUCKET/PREFIX` (the script's bucket is `vault-test`).
  func url(_ prefix: String, bucket: String = "vault-test") -> String { "s3:\(endpoint)/\(bucket)/\(prefix)" }

  /// SIGKILLs the server, keeping its data; `restart` brings it back on the same ports.
  func kill() throws { _ = try Self.script(["kill", directory]) }
  func restart() throws { _ = try Self.script(["start", directory, "--watch-pid", "\(getpid())"]) }

  /// Bytes the server holds on disk.
  func storedBytes() -> Int {
    let files = FileManager.default.enumerator(atPath: directory + "/data")?.allObjects as? [String] ?? []
    return files.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: directory + "/data/" + $1)[.size] as? Int) ?? 0) }
  }

  /// Runs the script and returns its output. popen, not Foundation's Process: a Process whose
  /// child leaves a detached watcher behind (the script's --watch-pid) never reports its end here.
  @discardableResult
  static func script(_ args: [String]) throws -> String {
    let command = (["python3", script] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ") + " 2>&1"
    guard let pipe = popen(command, "r") else { throw CocoaError(.featureUnsupported) }
    var output = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = fread(&buffer, 1, buffer.count, pipe)
      if n == 0 { break }
      output += buffer[0..<n]
    }
    let status = (pclose(pipe) >> 8) & 0xFF
    let text = String(decoding: output, as: UTF8.self)
    guard status == 0 else { throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "s3-server.py \(args[0]): \(text)"]) }
    return text
  }
}

/// `vault backup` straight to an S3-compatible bucket, through the binary, against a real server.
@Suite("backups to S3 through the binary", .enabled(if: !S3Server.skipped))
struct BackupS3CLITests {
  /// Incompressible bytes (the kernel's generator: fast even in a debug build).
  func randomBytes(_ count: Int) throws -> Data {
    try #require(FileHandle(forReadingAtPath: "/dev/urandom")).readData(ofLength: count)
  }

  func json(_ r: CLISandbox.Result) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
  }

  @Test("back up, list, verify (keyless and --full), log verify --against, prune and restore, all on S3; no secret in any output")
  func roundTrip() throws {
    let server = try S3Server()
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    try s.ok(["add-note", c], input: Data("first session on S3\n".utf8))
    let doc = s.root.appendingPathComponent("scan.pdf").path
    try randomBytes(9 << 20).write(to: URL(fileURLWithPath: doc))
    try s.ok(["consent", "add", c, "--kind", "other", "--file", doc])
    let dest = server.url("practice")
    let env = server.environment
    var outputs: [String] = []
    func run(_ args: [String]) throws -> CLISandbox.Result {
      let r = try s.run(args, env: env)
      outputs += [r.stdout, r.stderr]
      return r
    }
    let first = try json(try run(["backup", "--to", dest, "--vault", s.vault, "--json"]))
    #expect((first["objectsCopied"] as? Int ?? 0) >= 4)
    let second = try json(try run(["backup", "--to", dest, "--vault", s.vault, "--json"]))
    #expect(second["objectsCopied"] as? Int == 0, "an unchanged vault copies no object")
    let list = try run(["backup", "list", "--to", dest, "--json"])
    #expect(((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [Any])?.count) == 2)
    #expect(try run(["backup", "verify", "--to", dest]).status == 0)
    let full = try run(["backup", "verify", "--to", dest, "--full", "--passphrase-file", s.passphraseFile])
    #expect(full.status == 0, "\(full.stdout)\(full.stderr)")
    #expect(try s.vaultRun(["log", "verify", "--against", dest], env: env).status == 0)
    #expect(try run(["backup", "prune", "--to", dest, "--keep-daily", "1"]).status == 0)
    let restored = s.root.appendingPathComponent("restored").path
    #expect(try run(["restore", "--from", dest, "--to", restored]).status == 0)
    #expect(try s.run(["note", "list", c, "--vault", restored, "--passphrase-file", s.passphraseFile]).stdout.contains("first session on S3"))
    let back = s.root.appendingPathComponent("back.pdf").path
    #expect(try s.run(["consent", "get", c + ".C1", "--out", back, "--vault", restored, "--passphrase-file", s.passphraseFile]).status == 0)
    #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(contentsOf: URL(fileURLWithPath: doc)))
    for secret in [env["AWS_SECRET_ACCESS_KEY"] ?? "?", s.passphrase] { #expect(!outputs.contains { $0.contains(secret) }) }
  }

  @Test("wrong credentials, a missing bucket, plain HTTP to a remote host, no credentials: refused with a message that says what to do")
  func refusals() throws {
    let server = try S3Server()
    let s = try CLISandbox()
    try s.initVault()
    var wrong = server.environment
    wrong["AWS_SECRET_ACCESS_KEY"] = "not-the-secret-0123456789"
    let denied = try s.run(["backup", "--to", server.url("x"), "--vault", s.vault], env: wrong)
    #expect(denied.status != 0 && denied.stderr.lowercased().contains("credential") && !denied.stderr.contains("not-the-secret"), "\(denied.stderr)")
    let noBucket = try s.run(["backup", "--to", server.url("x", bucket: "no-such-bucket"), "--vault", s.vault], env: server.environment)
    #expect(noBucket.status != 0 && noBucket.stderr.contains("no-such-bucket"), "\(noBucket.stderr)")
    let plain = try s.run(["backup", "--to", "s3:http://backup.example.com/bucket/x", "--vault", s.vault], env: server.environment)
    #expect(plain.status != 0 && plain.stderr.contains("https"), "\(plain.stderr)")
    let none = try s.run(["backup", "--to", server.url("x"), "--vault", s.vault])
    #expect(none.status != 0 && none.stderr.contains("AWS_ACCESS_KEY_ID"), "\(none.stderr)")
    #expect(try s.run(["backup", "list", "--to", server.url("x"), "--json"], env: server.environment).status != 0, "nothing was created")
  }

  @Test("the server killed mid-backup: no partial snapshot is listed, the next backup completes, verify is clean")
  func serverKilled() throws {
    let server = try S3Server()
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    try s.ok(["add-note", c], input: Data("before\n".utf8))
    let dest = server.url("killed")
    #expect(try s.run(["backup", "--to", dest, "--vault", s.vault], env: server.environment).status == 0)
    // Enough to upload that the kill lands while packs are on their way (polled, not slept on).
    for n in 0..<4 {
      let doc = s.root.appendingPathComponent("doc\(n).bin").path
      try randomBytes(24 << 20).write(to: URL(fileURLWithPath: doc))
      try s.ok(["consent", "add", c, "--kind", "other", "--file", doc])
    }
    let before = server.storedBytes()
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
    p.arguments = ["-w", CLISandbox.binary.path, "backup", "--to", dest, "--vault", s.vault, "--quiet"]
    p.environment = server.environment.merging(["HOME": s.root.path, "PATH": "/usr/bin:/bin"]) { $1 }
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    let deadline = Date().addingTimeInterval(60)
    while p.isRunning && server.storedBytes() < before + (8 << 20) && Date() < deadline { usleep(20_000) }
    let killedMidway = p.isRunning
    try server.kill()
    p.waitUntilExit()
    #expect(killedMidway, "the backup finished before the server could be killed: make the documents larger")
    #expect(p.terminationStatus != 0, "a backup whose server died does not report success")
    try server.restart()
    // A restarted SeaweedFS answers 500 for a while as its volumes come back: wait for it (a
    // bounded poll), as the next night's backup would find it long up.
    var listed = try s.run(["backup", "list", "--to", dest, "--json"], env: server.environment)
    let ready = Date().addingTimeInterval(90)
    while listed.status != 0 && listed.stderr.contains("answered 5") && Date() < ready {
      usleep(500_000)
      listed = try s.run(["backup", "list", "--to", dest, "--json"], env: server.environment)
    }
    #expect(((try? JSONSerialization.jsonObject(with: Data(listed.stdout.utf8))) as? [Any])?.count == 1, "only the snapshot from before: \(listed.stdout) \(listed.stderr)")
    let again = try s.run(["backup", "--to", dest, "--vault", s.vault, "--json"], env: server.environment)
    #expect(again.status == 0, "\(again.stderr)")
    let verify = try s.run(["backup", "verify", "--to", dest, "--full", "--passphrase-file", s.passphraseFile], env: server.environment)
    #expect(verify.status == 0 && !verify.stdout.contains("warning"), "\(verify.stdout)")
  }
}
