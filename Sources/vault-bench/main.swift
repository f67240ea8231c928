// vault-bench: the measuring harness behind `make bench` (scripts/bench.sh drives it and
// writes docs/BENCHMARKS.md). Each subcommand runs one measurement in its own process, so
// peak RSS (getrusage ru_maxrss) belongs to that measurement alone; it prints one JSON line.
import Foundation
import VaultCore
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

/// Deterministic, incompressible filler (xorshift64*), cheap enough not to dominate a measurement.
struct Filler {
  var state: UInt64 = 0x9E37_79B9_7F4A_7C15
  mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
    let words = buffer.bindMemory(to: UInt64.self)
    for i in words.indices {
      state ^= state >> 12
      state ^= state << 25
      state ^= state >> 27
      words[i] = state &* 0x2545_F491_4F6C_DD1D
    }
  }
}

func peakRSSKiB() -> Int {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  return usage.ru_maxrss
}

func now() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func report(_ fields: [String: Any]) {
  let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
  print(String(decoding: data ?? Data(), as: UTF8.self))
}

/// A fixed key for benchmarks only, so encrypt and decrypt can run in separate processes.
func benchKey() throws -> SecretKey {
  try [UInt8](repeating: 7, count: 32).withUnsafeBytes { try SecretKey(SecureBytes(copying: $0)) }
}

let benchVault = RandomID.none
let binding = ObjectBinding(type: .document, client: .none)
let args = CommandLine.arguments
func arg(_ name: String) -> String? { args.firstIndex(of: name).flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil } }
let mib = Int(arg("--mib") ?? "64") ?? 64
let dir = arg("--dir") ?? NSTemporaryDirectory()
let block = 1 << 20

do {
  switch args.dropFirst().first {
  case "encrypt":
    // Streams `mib` MiB of generated plaintext into one object through ObjectWriter.
    let store = ObjectStore(directory: dir + "/objects", temporaryDirectory: dir)
    try Directories.makeDirectory(dir + "/objects")
    var buf = [UInt8](repeating: 0, count: block)
    var filler = Filler()
    let t0 = now()
    let w = try store.writer(binding, key: benchKey(), vault: benchVault)
    for _ in 0..<mib {
      buf.withUnsafeMutableBytes { filler.fill($0) }
      try buf.withUnsafeBytes { try w.write($0) }
    }
    let id = try w.finish()
    report(["op": "encrypt", "mib": mib, "seconds": now() - t0, "peak_rss_kib": peakRSSKiB(), "id": id.hex])
  case "decrypt":
    // Streams an object back through ObjectReader, checking the tag, the final chunk and the name.
    let store = ObjectStore(directory: dir + "/objects", temporaryDirectory: dir)
    guard let hex = arg("--id"), let id = ObjectID(hex: hex) else { throw BenchError("--id needed") }
    var total = 0
    let t0 = now()
    try store.reader(id, binding: binding, key: benchKey(), vault: benchVault).readAll { total += $0.count }
    report(["op": "decrypt", "mib": total >> 20, "seconds": now() - t0, "peak_rss_kib": peakRSSKiB()])
  case "raw":
    // The hardware limit for the same work: secretstream and BLAKE2b over memory, and memcpy.
    var plain = [UInt8](repeating: 0, count: 64 << 10)
    var filler = Filler()
    plain.withUnsafeMutableBytes { filler.fill($0) }
    var cipher = [UInt8](repeating: 0, count: plain.count + SecretStream.chunkOverhead)
    let chunks = mib << 4
    let enc = try SecretStream.Encryptor(key: benchKey())
    var t0 = now()
    for i in 0..<chunks {
      plain.withUnsafeBytes { p in cipher.withUnsafeMutableBytes { enc.push(p, isFinal: i == chunks - 1, associatedData: [], into: $0) } }
    }
    let ss = now() - t0
    let h = try Hasher()
    t0 = now()
    for _ in 0..<chunks { plain.withUnsafeBytes { h.update($0) } }
    _ = h.finalize()
    let b2 = now() - t0
    // memcpy between two 64 MiB buffers (larger than any cache), `mib` MiB in all: memory bandwidth.
    let span = 64 << 20
    var source = [UInt8](repeating: 0, count: span)
    source.withUnsafeMutableBytes { filler.fill($0) }
    var copy = [UInt8](repeating: 1, count: span)
    copy.withUnsafeMutableBytes { c in source.withUnsafeBytes { _ = memcpy(c.baseAddress!, $0.baseAddress!, span) } }  // fault pages in
    t0 = now()
    for _ in 0..<max(1, mib / 64) { source.withUnsafeBytes { p in copy.withUnsafeMutableBytes { _ = memcpy($0.baseAddress!, p.baseAddress!, span) } } }
    let mc = now() - t0
    let memcpyMiB = max(1, mib / 64) * 64
    // XChaCha20-Poly1305 AEAD (one-shot, the small-blob cipher) over the same 64 KiB buffers.
    let key = try benchKey()
    var sealed = 0
    t0 = now()
    for _ in 0..<chunks { sealed &+= try plain.withUnsafeBytes { try AEAD.seal($0, using: key, binding: []) }.count }
    let aead = now() - t0
    // What objects of revision 1 (FORMAT.md §6.8) do per chunk, on one core: the chunk cipher
    // (XChaCha20-Poly1305 through OpenSSL's ChaCha20-Poly1305) and SHA-256 (SHA-NI) of the chunk.
    let chunkCipher = try ChunkCipher(key: key, noncePrefix: [UInt8](repeating: 7, count: 16)).context()
    let ad = [UInt8](repeating: 1, count: 61)
    t0 = now()
    for i in 0..<chunks {
      plain.withUnsafeBytes { p in ad.withUnsafeBytes { a in cipher.withUnsafeMutableBytes { chunkCipher.seal(UInt64(i), p, associatedData: a, into: $0) } } }
    }
    let chunkAEAD = now() - t0
    var digest = [UInt8](repeating: 0, count: 32)
    t0 = now()
    for _ in 0..<chunks { cipher.withUnsafeBytes { c in digest.withUnsafeMutableBytes { SHA256.hash(c, into: $0) } } }
    let sha = now() - t0
    report([
      "op": "raw", "mib": mib, "secretstream_seconds": ss, "blake2b_seconds": b2, "memcpy_seconds": mc, "memcpy_mib": memcpyMiB, "aead_seconds": aead,
      "chunk_aead_seconds": chunkAEAD, "sha256_seconds": sha, "checksum": Int(copy[7]) &+ sealed & 1 &+ Int(digest[0] & 1),
    ])
  case "disk":
    // Sequential write of `mib` MiB (1 MiB writes of incompressible bytes) to a new file in --dir, then fsync.
    let path = dir + "/disk-write.bin"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { throw BenchError("cannot create \(path)") }
    var buf = [UInt8](repeating: 0, count: block)
    var filler = Filler()
    buf.withUnsafeMutableBytes { filler.fill($0) }
    let t0 = now()
    for i in 0..<mib {
      buf[0] = UInt8(truncatingIfNeeded: i)
      var off = 0
      while off < block {
        let n = buf.withUnsafeBytes { write(fd, $0.baseAddress! + off, block - off) }
        guard n > 0 else { throw BenchError("write failed: errno \(errno)") }
        off += n
      }
    }
    let written = now() - t0
    guard fsync(fd) == 0 else { throw BenchError("fsync failed: errno \(errno)") }
    let total = now() - t0
    close(fd)
    unlink(path)
    report(["op": "disk", "mib": mib, "write_seconds": written, "seconds": total])
  case "addnote-loop":
    // add-note in a warm session: unlock once, take the lock once, then time Notes.add `--runs`
    // times in-process (client lookup, note, index, and its access-log entry; no process start, no KDF).
    guard let pass = arg("--passphrase-file") else { throw BenchError("--passphrase-file needed") }
    let runs = Int(arg("--runs") ?? "1000") ?? 1000
    let vault = try Vault.open(at: dir)
    let unlocked = try vault.unlock(.passphrase(readPassphrase(pass)))
    let practice = try Practice(vault, unlocked: unlocked, mode: .write)
    let codes = try practice.clients.list(includeDischarged: true).map(\.code)
    guard !codes.isEmpty else { throw BenchError("the vault has no clients") }
    let text = String(String(repeating: "Client arrived on time and talked about the week at work. ", count: 70).prefix(4000)) + "\n"
    let today = Day.today()
    var times: [Double] = []
    times.reserveCapacity(runs)
    for i in 0..<runs {
      let t0 = now()
      _ = try practice.notes.add(to: codes[i % codes.count], text: text, kind: .progress, date: today, minutes: 50, sign: false)
      times.append(now() - t0)
    }
    let sorted = times.sorted()
    func pct(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
    report([
      "op": "addnote-loop", "runs": runs, "clients": codes.count, "median_ms": pct(0.5) * 1000, "p99_ms": pct(0.99) * 1000,
      "mean_ms": times.reduce(0, +) / Double(runs) * 1000, "peak_rss_kib": peakRSSKiB(),
    ])
  case "log":
    // The access log at scale: append latency in an empty log and after `--entries` more, and
    // verification of the whole log (keyless: chain and signatures; keyed: also decrypting).
    let entries = Int(arg("--entries") ?? "1000000") ?? 1_000_000
    let samples = Int(arg("--samples") ?? "200") ?? 200
    let pass = try [UInt8]("benchmark passphrase".utf8).withUnsafeBytes { try SecureBytes(copying: $0) }
    let unlocked = try Vault.create(at: dir + "/vault", passphrase: pass, label: "bench", kdf: .insecureTest, now: 0).vault
    let log = AccessLog(vault: unlocked.vault)
    func latencies() throws -> [Double] {
      try (0..<samples).map { i in
        let t0 = now()
        try log.append(LogEntry(action: "verify", actor: "bench", detail: "sample \(i)"), unlocked: unlocked)
        return now() - t0
      }
    }
    func pct(_ xs: [Double], _ p: Double) -> Double { xs.sorted()[min(xs.count - 1, Int(Double(xs.count) * p))] }
    let empty = try latencies()
    var t0 = now()
    var written = 0
    while written < entries {
      let n = min(10_000, entries - written)
      try log.append(contentsOf: (0..<n).map { LogEntry(action: "note-read", actor: "bench", client: "K7F3-2Q", detail: "entry \(written + $0)") }, unlocked: unlocked)
      written += n
    }
    let fill = now() - t0
    let full = try latencies()
    t0 = now()
    let keyless = try LogVerifier(log: log).run()
    let keylessSeconds = now() - t0
    t0 = now()
    let keyed = try LogVerifier(log: log).run(unlocked: unlocked)
    let keyedSeconds = now() - t0
    let errors = (keyless.findings + keyed.findings).filter { $0.severity == .error }.count
    report([
      "op": "log", "entries": Int(keyed.entries), "fill_seconds": fill,
      "append_empty_median_ms": pct(empty, 0.5) * 1000, "append_empty_p99_ms": pct(empty, 0.99) * 1000,
      "append_full_median_ms": pct(full, 0.5) * 1000, "append_full_p99_ms": pct(full, 0.99) * 1000,
      "verify_keyless_seconds": keylessSeconds, "verify_keyed_seconds": keyedSeconds, "errors": errors,
      "log_bytes": (try? FileStatus.size(unlocked.vault.layout.logEntries)) ?? 0, "peak_rss_kib": peakRSSKiB(),
    ])
  case "practice":
    // A practice-sized vault for the records benchmarks (deterministic; usable by `vault`).
    guard let pass = arg("--passphrase-file") else { throw BenchError("--passphrase-file needed") }
    report(try generatePractice(
      dir: dir, clients: Int(arg("--clients") ?? "1000") ?? 1000, notesPerClient: Int(arg("--notes-per-client") ?? "50") ?? 50,
      batch: Int(arg("--batch") ?? "100") ?? 100, passphraseFile: pass,
      documentsPerClient: Int(arg("--documents-per-client") ?? "0") ?? 0, documentMiB: Int(arg("--document-mib") ?? "4") ?? 4))
  case "fill":
    // A file of incompressible bytes, for the document benchmarks.
    guard let out = arg("--out") else { throw BenchError("fill --mib N --out FILE") }
    _ = FileManager.default.createFile(atPath: out, contents: nil)
    let h = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
    var filler = Filler()
    var buffer = [UInt8](repeating: 0, count: block)
    for _ in 0..<mib {
      buffer.withUnsafeMutableBytes { filler.fill($0) }
      h.write(Data(buffer))
    }
    try h.close()
  case "measure":
    // Runs the command after "--" and reports its own peak RSS. A child spawned by a large
    // process (a test runner) inherits that process's high-water mark through vfork; this
    // small process in between gives the command a baseline of its own.
    guard let dash = args.firstIndex(of: "--"), dash + 1 < args.count else { throw BenchError("measure -- COMMAND ARGS...") }
    let command = Array(args[(dash + 1)...])
    let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
    var pid: pid_t = 0
    defer { argv.forEach { free($0) } }
    guard posix_spawn(&pid, command[0], nil, nil, argv, environ) == 0 else { throw BenchError("cannot start \(command[0])") }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    report(["op": "measure", "status": Int((status >> 8) & 0xff), "peak_rss_kib": usage.ru_maxrss])
  case "search-baseline":
    // Decrypting every note a search reads, without matching: what `vault search` is compared with.
    guard let pass = arg("--passphrase-file") else { throw BenchError("--passphrase-file needed") }
    report(try searchBaseline(dir: dir, passphraseFile: pass, query: arg("--query") ?? PracticeText.searchWord))
  default:
    FileHandle.standardError.write(Data("""
      usage: vault-bench encrypt|decrypt|raw|log [--mib N] [--entries N] [--dir D] [--id HEX]
             vault-bench practice --dir D --clients N --notes-per-client M --passphrase-file F [--batch B]
                         [--documents-per-client K --document-mib S]   (K consent documents of S MiB per client)
             vault-bench search-baseline --dir D --passphrase-file F [--query WORD]
             vault-bench measure -- COMMAND ARGS...   (exit status and peak RSS of COMMAND)
             vault-bench fill --mib N --out FILE      (N MiB of incompressible bytes)
             vault-bench disk --mib N --dir D         (sequential write of N MiB, then fsync)
             vault-bench addnote-loop --dir D --passphrase-file F --runs N   (warm-session add-note)

      """.utf8))
    exit(2)
  }
} catch {
  FileHandle.standardError.write(Data("vault-bench: error: \(error)\n".utf8))
  exit(1)
}
