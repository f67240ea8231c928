import VaultCrypto

/// Streams plaintext into an age v1 file (age-encryption.org/v1): header with one stanza per
/// recipient and its MAC, a random nonce, then the payload in 64 KiB STREAM chunks. Memory stays
/// one chunk whatever the size; `output` receives the file's bytes in order.
public final class AgeWriter {
  static let chunkSize = 64 << 10
  private let output: (UnsafeRawBufferPointer) throws -> Void
  private let payloadKey: SecureBytes
  private let plain: SecureBytes
  private var cipher: [UInt8]
  private var filled = 0
  private var counter: UInt64 = 0
  private var finished = false

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
    cipher = [UInt8](repeating: 0, count: Self.chunkSize + ChaChaPoly.tagSize)
    try (header + nonce).withUnsafeBytes { try output($0) }
  }

  /// Appends plaintext.
  public func write(_ bytes: UnsafeRawBufferPointer) throws {
    precondition(!finished, "write after finish")
    var offset = 0
    while offset < bytes.count {
      // A full chunk goes out only once more data shows it is not the last.
      if filled == Self.chunkSize { try flush(final: false) }
      let n = min(Self.chunkSize - filled, bytes.count - offset)
      plain.withUnsafeMutableBytes { (UnsafeMutableRawBufferPointer(rebasing: $0[filled..<filled + n])).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n])) }
      filled += n
      offset += n
    }
  }

  /// Writes the final chunk.
  public func finish() throws {
    precondition(!finished, "finish called twice")
    try flush(final: true)
    finished = true
  }

  private func flush(final: Bool) throws {
    let nonce = Self.nonce(counter, final: final)
    try plain.withUnsafeBytes { p in
      try cipher.withUnsafeMutableBytes { c in
        try ChaChaPoly.seal(UnsafeRawBufferPointer(rebasing: p.prefix(filled)), key: payloadKey, nonce: nonce, into: c)
      }
    }
    try cipher.withUnsafeBytes { try output(UnsafeRawBufferPointer(rebasing: $0.prefix(filled + ChaChaPoly.tagSize))) }
    counter += 1
    filled = 0
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
