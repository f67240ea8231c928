import Foundation
import Testing
@testable import VaultCore

#if canImport(Glibc)
  import Glibc
#endif

/// Retries, deterministic: a scripted HTTP server on loopback answers each key's requests in a
/// planned order (503s, 429s, dropped connections, 403s) and counts them.
@Suite("S3 retries")
struct S3RetryTests {
  static let server = #"""
    import http.server, json, sys
    import socket, struct, threading
    plan, countfile = json.load(open(sys.argv[1])), sys.argv[2]
    counts = {}
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *a): pass
        def any(self):
            n = int(self.headers.get("Content-Length") or 0)
            if n: self.rfile.read(n)
            path = self.path.split("?")[0]
            if path.endswith("/__quit"):
                self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
                threading.Thread(target=srv.shutdown).start()
                return
            i = counts.get(path, 0); counts[path] = i + 1
            with open(countfile, "w") as f: json.dump(counts, f)
            steps = plan.get(path, [])
            step = steps[min(i, len(steps) - 1)] if i < len(steps) or (steps and steps[-1].endswith("*")) else "200"
            step = step.rstrip("*")
            if step == "drop":
                # A reset, as from a server that died: no answer at all.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
                return
            code = int(step)
            names = {503: "SlowDown", 403: "SignatureDoesNotMatch", 429: "TooManyRequests", 500: "InternalError"}
            body = b"" if code == 200 else ("<Error><Code>%s</Code><Message>planned</Message></Error>" % names.get(code, "X")).encode()
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", '"e"')
            self.end_headers()
            if self.command != "HEAD": self.wfile.write(body)
        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = any
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()
    """#

  @Test("5xx, 429 and dropped connections are retried with backoff up to the bound; 403 never is")
  func retries() throws {
    let dir = try ScratchDirectory()
    defer { dir.remove() }
    try Self.server.write(toFile: dir.file("server.py"), atomically: true, encoding: .utf8)
    // "*" repeats a step for every further request.
    let plan = ["/bkt/p/three503": ["503", "503", "503"], "/bkt/p/always500": ["500*"], "/bkt/p/denied": ["403*"],
                "/bkt/p/dropped": ["drop", "drop"], "/bkt/p/busy": ["429", "503"]]
    try JSONEncoder().encode(plan).write(to: URL(fileURLWithPath: dir.file("plan")))
    // popen, not Process (see S3TestServer.run); the server quits on a request for __quit.
    let pipe = try #require(popen("python3 '\(dir.file("server.py"))' '\(dir.file("plan"))' '\(dir.file("counts"))'", "r"))
    var line = [CChar](repeating: 0, count: 64)
    let port = try #require(fgets(&line, Int32(line.count), pipe).flatMap { _ in Int(String(decoding: line.prefix { $0 != 0 && $0 != 10 }.map { UInt8($0) }, as: UTF8.self)) })
    var options = S3BlobStore.Options()
    options.retryBase = 0.001
    options.maxAttempts = 5
    // On Linux, URLSession notices a reset under a request with a body only at the request
    // timeout (GETs fail at once): a short one keeps this test quick.
    options.timeout = 2
    let s = S3BlobStore(location: try S3Location("s3:http://127.0.0.1:\(port)/bkt/p"), credentials: S3Credentials(accessKeyID: "AKID", secretAccessKey: "s3kr1t-retry"), options: options)
    func count(_ key: String) throws -> Int {
      let counts = try JSONDecoder().decode([String: Int].self, from: Data(contentsOf: URL(fileURLWithPath: dir.file("counts"))))
      return counts["/bkt/p/\(key)"] ?? 0
    }

    defer {
      _ = try? s.get(try BlobName("__quit"), limit: 10)
      pclose(pipe)
    }
    let put: (String) throws -> Void = { key in try s.put(try BlobName(key), bytes: [1, 2, 3], mode: .replace, durable: true) }
    try put("three503")
    #expect(try count("three503") == 4)
    let start = Date()
    try put("dropped")
    #expect(Date().timeIntervalSince(start) < 3 * options.timeout)
    // Two dropped, then one that succeeds; on a loaded machine that one may also outlast the
    // 2 s timeout and be sent again, so the count is a floor.
    #expect(try count("dropped") >= 3)
    try put("busy")
    #expect(try count("busy") == 3)
    let e = #expect(throws: StorageError.self) { try put("always500") }
    #expect(try count("always500") == 5)
    #expect(e?.code == EIO && e?.description.contains("after 5 tries") == true)
    let denied = #expect(throws: StorageError.self) { try put("denied") }
    #expect(try count("denied") == 1)
    #expect(denied?.code == EACCES && denied?.description.contains("s3kr1t") == false)
  }
}
