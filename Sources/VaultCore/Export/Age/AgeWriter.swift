import VaultCrypto

/// Streams plaintext into an age v1 file (age-encryption.org/v1): header with one stanza per
/// recipient and its MAC, a random nonce, then the payload in 64 KiB STREAM chunks. Chunks are
/// sealed a batch (2 MiB) at a time on every core, and a batch goes to `output` on a background
/// thread while the next one fills; memory stays a few batches whatever the size. `output`
/// receives the file's bytes in order, from one thread at a time.
public final class AgeWriter {
  static let chunkSize = 64 << 10
  /// Chunks sealed together once the payload outgrows one chunk.
  static let batchChunks = 32
  private let output: (UnsafeRawBufferPointer) throws -> Void
  private let payloadKey: SecureBytes
  private var sealers: [ChaChaPoly.Sealer] = []
  private var plain: SecureBytes
  private var batch = 1
  private var sealed: [UnsafeMutableRawBufferPointer] = []
  private var current = 0
  private var filled = 0
  private var counter: UInt64 = 0
  private var finished = false
  private let writes = BackgroundWrite()

  /// Writes the header and nonce; plaintext follows with `write`, then `finish`.
  public init(recipients: [AgeRecipient], output: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
    guard !recipients.isEmpty else { throw AgeError.headerFailure("no recipient") }
    if recipients.contains(where: { if case .scrypt = $0 { true } else { false } }), recipients.count > 1 {
      throw AgeError.headerFailure("a passphrase must be the only recipient")
    }
    self.output = output
    let fileKey = try SecureBytes.random(count: 16)
    var header = Array("age-encryption.org/v1\n".utf8)
    for r in recipients { header += try Self.stanza(for: r, fileKey: fileKey) }
    header += Array("---".utf8)
    let macKey = try fileKey.withUnsafeBytes { try SHA256.hkdf($0, salt: [], info: Array("header".utf8)) }
    let mac = macKey.withUnsafeBytes { k in header.withUnsafeBytes { SHA256.hmac(key: k, $0) } }
    header += Array(" \(AgeBase64.encode(mac))\n".utf8)
    let nonce = try Random.bytes(16)
    payloadKey = try fileKey.withUnsafeBytes { try SHA256.hkdf($0, salt: nonce, info: Array("payload".utf8)) }
    plain = try SecureBytes(count: Self.chunkSize)
    sealers = [try ChaChaPoly.Sealer(key: payloadKey)]
    sealed = Self.allocate(chunks: 1)
    try (header + nonce).withUnsafeBytes { try output($0) }
  }

  deinit {
    try? writes.wait()
    for b in sealed { b.deallocate() }
  }

  private static func allocate(chunks: Int) -> [UnsafeMutableRawBufferPointer] {
    (0..<2).map { _ in .allocate(byteCount: chunks * (chunkSize + ChaChaPoly.tagSize), alignment: 64) }
  }

  /// A large payload: a batch of chunks and a sealer per core (once).
  private func grow() throws {
    try writes.wait()
    let bigger = try SecureBytes(count: Self.batchChunks * Self.chunkSize)
    bigger.withUnsafeMutableBytes { dst in plain.withUnsafeBytes { dst.copyMemory(from: $0) } }
    plain = bigger
    for b in sealed { b.deallocate() }
    sealed = Self.allocate(chunks: Self.batchChunks)
    while sealers.count < ChunkWorkers.count { sealers.append(try ChaChaPoly.Sealer(key: payloadKey)) }
    batch = Self.batchChunks
  }

  /// Appends plaintext.
  public func write(_ bytes: UnsafeRawBufferPointer) throws {
    precondition(!finished, "write after finish")
    var offset = 0
    while offset < bytes.count {
      // A full buffer goes out only once more data shows its last chunk is not the final one.
      if filled == batch * Self.chunkSize {
        if batch == 1 { try grow() } else { try flush(final: false) }
      }
      let n = min(batch * Self.chunkSize - filled, bytes.count - offset)
      plain.withUnsafeMutableBytes { (UnsafeMutableRawBufferPointer(rebasing: $0[filled..<filled + n])).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n])) }
      filled += n
      offset += n
    }
  }

  /// Writes the final chunk.
  public func finish() throws {
    precondition(!finished, "finish called twice")
    try flush(final: true)
    try writes.wait()
    finished = true
  }

  /// Seals what the buffer holds, whole chunks (the last one final, and possibly short or empty,
  /// when `final`), and starts writing it.
  private func flush(final: Bool) throws {
    let c = Self.chunkSize
    let stride = c + ChaChaPoly.tagSize
    let chunks = max(1, (filled + c - 1) / c)
    let lastLength = filled - (chunks - 1) * c
    let out = sealed[current]
    let first = counter
    plain.withUnsafeBytes { p in
      ChunkWorkers.run(items: chunks) { w in
        for j in ChunkWorkers.stride(w, items: chunks) {
          let isFinal = final && j == chunks - 1
          let n = j == chunks - 1 ? lastLength : c
          sealers[w].seal(
            UnsafeRawBufferPointer(rebasing: p[(j * c)..<(j * c + n)]), nonce: Self.nonce(first + UInt64(j), final: isFinal),
            into: UnsafeMutableRawBufferPointer(rebasing: out[(j * stride)..<(j * stride + n + ChaChaPoly.tagSize)]))
        }
      }
    }
    let total = (chunks - 1) * stride + lastLength + ChaChaPoly.tagSize
    counter += UInt64(chunks)
    filled = 0
    try writes.wait()
    let pending = PendingOutput(output: output, bytes: UnsafeRawBufferPointer(rebasing: out[0..<total]))
    writes.start { try pending.output(pending.bytes) }
    current ^= 1
  }

  static func nonce(_ counter: UInt64, final: Bool) -> [UInt8] {
    [0, 0, 0] + withUnsafeBytes(of: counter.bigEndian) { Array($0) } + [final ? 1 : 0]
  }

  static func stanza(for recipient: AgeRecipient, fileKey: SecureBytes) throws -> [UInt8] {
    let args: [String]
    let wrapKey: SecureBytes
    switch recipient {
    case .x25519(let publicKey):
      let ephemeral = try SecureBytes.random(count: 32)
      let share = try X25519.publicKey(of: ephemeral)
      let shared = try X25519.sharedSecret(ephemeral, publicKey)
      wrapKey = try shared.withUnsafeBytes { try SHA256.hkdf($0, salt: share + publicKey, info: Array("age-encryption.org/v1/X25519".utf8)) }
      args = ["X25519", AgeBase64.encode(share)]
    case .scrypt(let passphrase, let logN):
      let salt = try Random.bytes(16)
      wrapKey = try Scrypt.derive(passphrase, salt: Array("age-encryption.org/v1/scrypt".utf8) + salt, logN: logN)
      args = ["scrypt", AgeBase64.encode(salt), String(logN)]
    }
    var body = [UInt8](repeating: 0, count: 32)
    try fileKey.withUnsafeBytes { f in try body.withUnsafeMutableBytes { try ChaChaPoly.seal(f, key: wrapKey, nonce: [UInt8](repeating: 0, count: 12), into: $0) } }
    var out = Array(("-> " + args.joined(separator: " ") + "\n").utf8)
    // Body lines are 64 columns; the last is shorter (possibly empty), which marks the end.
    let text = Array(AgeBase64.encode(body).utf8)
    var i = 0
    while i + 64 <= text.count {
      out += text[i..<i + 64] + [10]
      i += 64
    }
    out += text[i...] + [10]
    return out
  }
}
