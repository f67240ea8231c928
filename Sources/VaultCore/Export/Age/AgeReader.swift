import VaultCrypto

/// Decrypts an age v1 file, strictly: every malformed header, every stanza it cannot accept and
/// every damaged chunk is refused with the kind of failure the age test vectors name. Plaintext
/// is released one authenticated chunk at a time; a caller writing it somewhere must discard it
/// if `decrypt` throws.
public struct AgeReader {
  /// The largest scrypt work factor accepted, as age's: 2^22 (with r = 8, 4 GiB of memory and
  /// several seconds), so a hostile file cannot demand more than that.
  public static let maxScryptLogN = 22

  /// Where the file's bytes come from: fills the buffer, returns how many bytes (0 at the end).
  public typealias Source = (UnsafeMutableRawBufferPointer) throws -> Int

  let identities: [AgeIdentity]

  /// A reader that tries `identities` on each stanza.
  public init(identities: [AgeIdentity]) { self.identities = identities }

  /// Decrypts the file `source` delivers, passing each chunk of plaintext to `output`.
  public func decrypt(_ source: @escaping Source, to output: (UnsafeRawBufferPointer) throws -> Void) throws {
    let input = Buffered(source)
    let fileKey = try readHeader(input)
    let nonce = try input.read(exactly: 16)
    guard nonce.count == 16 else { throw AgeError.headerFailure("the payload nonce is missing or short") }
    let key = try fileKey.withUnsafeBytes { try SHA256.hkdf($0, salt: nonce, info: Array("payload".utf8)) }
    let plain = try SecureBytes(count: AgeWriter.chunkSize)
    let full = AgeWriter.chunkSize + ChaChaPoly.tagSize
    var counter: UInt64 = 0
    func open(_ chunk: [UInt8], final: Bool) -> Bool {
      (try? chunk.withUnsafeBytes { c in
        try plain.withUnsafeMutableBytes { try ChaChaPoly.open(c, key: key, nonce: AgeWriter.nonce(counter, final: final), into: $0) }
      }) != nil
    }
    while true {
      let chunk = try input.read(exactly: full)
      guard chunk.count >= ChaChaPoly.tagSize else {
        throw AgeError.payloadFailure(chunk.isEmpty && counter > 0 ? "the final chunk is missing (truncated)" : "a chunk is too short")
      }
      // A short chunk must be the last; a full one is the last only if it authenticates as such
      // (age tries it as a middle chunk first).
      let isLast: Bool
      if chunk.count < full {
        guard open(chunk, final: true) else { throw AgeError.payloadFailure("the last chunk does not authenticate (truncated or modified)") }
        isLast = true
      } else if open(chunk, final: false) {
        isLast = false
      } else {
        guard open(chunk, final: true) else { throw AgeError.payloadFailure("chunk \(counter) does not authenticate") }
        isLast = true
      }
      let n = chunk.count - ChaChaPoly.tagSize
      if n == 0 && counter > 0 { throw AgeError.payloadFailure("an empty final chunk follows full ones") }
      try plain.withUnsafeBytes { try output(UnsafeRawBufferPointer(rebasing: $0.prefix(n))) }
      counter += 1
      if isLast {
        guard try input.atEnd() else { throw AgeError.payloadFailure("data follows the final chunk") }
        return
      }
    }
  }

  /// The longest header read: about 3,000 recipients' stanzas.
  static let maximumHeader = 1 << 20

  /// Parses and checks the header; returns the file key.
  func readHeader(_ input: Buffered) throws -> SecureBytes {
    var header: [UInt8] = []
    func line() throws -> [UInt8] {
      guard let l = try input.readLine(limit: 4096) else { throw AgeError.headerFailure("the header ends early") }
      guard !l.contains(13) else { throw AgeError.headerFailure("the header contains a carriage return") }
      // A real header is a few hundred bytes per recipient; a hostile one must not fill memory.
      guard header.count + l.count < Self.maximumHeader else { throw AgeError.headerFailure("the header is longer than 1 MiB") }
      header += l + [10]
      return l
    }
    let version = try line()
    guard version == Array("age-encryption.org/v1".utf8) else {
      throw AgeError.headerFailure(version.starts(with: Array("age-encryption.org/".utf8)) ? "unsupported age version" : "not an age file")
    }
    var stanzas: [(args: [String], body: [UInt8])] = []
    var macLine: [UInt8] = []
    while true {
      let l = try line()
      if l.starts(with: Array("---".utf8)) {
        macLine = l
        header.removeLast(l.count + 1)
        header += Array("---".utf8)
        break
      }
      guard l.starts(with: Array("-> ".utf8)) else { throw AgeError.headerFailure("a stanza does not start with '-> '") }
      let args = l.dropFirst(3).split(separator: 32, omittingEmptySubsequences: false)
      guard !args.isEmpty, args.allSatisfy({ !$0.isEmpty && $0.allSatisfy { (33...126).contains($0) } }) else {
        throw AgeError.headerFailure("a stanza has an empty or invalid argument")
      }
      var text: [UInt8] = []
      while true {
        let b = try line()
        guard b.count <= 64 else { throw AgeError.headerFailure("a stanza body line is longer than 64 columns") }
        text += b
        if b.count < 64 { break }
      }
      guard let body = AgeBase64.decode(text) else { throw AgeError.headerFailure("a stanza body is not canonical base64") }
      stanzas.append((args.map { String(decoding: $0, as: UTF8.self) }, body))
    }
    guard macLine.count == 4 + 43, macLine[3] == 32, let mac = AgeBase64.decode(macLine[4...]), mac.count == 32 else {
      throw AgeError.headerFailure("the MAC line is malformed")
    }
    guard !stanzas.isEmpty else { throw AgeError.headerFailure("the header has no recipient stanza") }
    let hasScrypt = stanzas.contains { $0.args[0] == "scrypt" }
    if hasScrypt, stanzas.count > 1 { throw AgeError.headerFailure("an scrypt stanza must be the only one") }

    var fileKey: SecureBytes?
    for stanza in stanzas {
      if let key = try unwrap(stanza.args, stanza.body) {
        fileKey = key
        break
      }
    }
    guard let fileKey else { throw AgeError.noMatch }
    let macKey = try fileKey.withUnsafeBytes { try SHA256.hkdf($0, salt: [], info: Array("header".utf8)) }
    let expected = macKey.withUnsafeBytes { k in header.withUnsafeBytes { SHA256.hmac(key: k, $0) } }
    guard constantTimeEqual(expected, mac) else { throw AgeError.hmacFailure }
    return fileKey
  }

  /// The file key if one of our identities opens this stanza; nil if none does; throws for a
  /// stanza of a known type that is malformed.
  func unwrap(_ args: [String], _ body: [UInt8]) throws -> SecureBytes? {
    switch args[0] {
    case "X25519":
      guard args.count == 2, let share = AgeBase64.decode(Array(args[1].utf8)), share.count == 32 else {
        throw AgeError.headerFailure("an X25519 stanza's share is malformed")
      }
      guard body.count == 32 else { throw AgeError.headerFailure("an X25519 stanza's body is not 32 bytes") }
      for case .x25519(let secret) in identities {
        let publicKey = try X25519.publicKey(of: secret)
        let shared: SecureBytes
        do { shared = try X25519.sharedSecret(secret, share) } catch { throw AgeError.headerFailure("an X25519 share is a low-order point") }
        let wrap = try shared.withUnsafeBytes { try SHA256.hkdf($0, salt: share + publicKey, info: Array("age-encryption.org/v1/X25519".utf8)) }
        if let key = try? open(body, wrap) { return key }
      }
      return nil
    case "scrypt":
      guard args.count == 3, let salt = AgeBase64.decode(Array(args[1].utf8)), salt.count == 16 else {
        throw AgeError.headerFailure("an scrypt stanza's salt is malformed")
      }
      let factor = args[2]
      guard factor.utf8.allSatisfy({ (48...57).contains($0) }), factor.first != "0", let logN = Int(factor), logN > 0 else {
        throw AgeError.headerFailure("an scrypt work factor is not a plain decimal number")
      }
      guard logN <= Self.maxScryptLogN else { throw AgeError.headerFailure("the scrypt work factor 2^\(logN) is above the limit of 2^\(Self.maxScryptLogN)") }
      guard body.count == 32 else { throw AgeError.headerFailure("an scrypt stanza's body is not 32 bytes") }
      for case .passphrase(let passphrase) in identities {
        let wrap = try Scrypt.derive(passphrase, salt: Array("age-encryption.org/v1/scrypt".utf8) + salt, logN: logN)
        if let key = try? open(body, wrap) { return key }
      }
      return nil
    default:
      // Unknown stanza types (another kind of recipient, or grease) are skipped, as the spec says.
      return nil
    }
  }

  private func open(_ body: [UInt8], _ key: SecureBytes) throws -> SecureBytes {
    let fileKey = try SecureBytes(count: 16)
    try body.withUnsafeBytes { b in try fileKey.withUnsafeMutableBytes { try ChaChaPoly.open(b, key: key, nonce: [UInt8](repeating: 0, count: 12), into: $0) } }
    return fileKey
  }
}

/// Reads through a buffer, so header lines can be read one at a time from a stream.
final class Buffered {
  private let source: AgeReader.Source
  private var buffer: [UInt8] = []
  private var start = 0
  private var eof = false

  init(_ source: @escaping AgeReader.Source) { self.source = source }

  private func fill(_ want: Int) throws {
    while buffer.count - start < want && !eof {
      if start > 0 {
        buffer.removeFirst(start)
        start = 0
      }
      var chunk = [UInt8](repeating: 0, count: max(want, 1 << 16))
      let n = try chunk.withUnsafeMutableBytes { try source($0) }
      if n == 0 { eof = true } else { buffer += chunk.prefix(n) }
    }
  }

  /// A line without its "\n"; nil at the end of input or if no "\n" comes within `limit` bytes.
  func readLine(limit: Int) throws -> [UInt8]? {
    var scanned = 0
    while true {
      if let i = buffer[(start + scanned)...].firstIndex(of: 10) {
        let l = Array(buffer[start..<i])
        start = i + 1
        return l
      }
      scanned = buffer.count - start
      guard scanned < limit, !eof else { return nil }
      try fill(scanned + 1)
      if buffer.count - start == scanned { return nil }
    }
  }

  /// Up to `count` bytes (fewer only at the end).
  func read(exactly count: Int) throws -> [UInt8] {
    try fill(count)
    let n = min(count, buffer.count - start)
    defer { start += n }
    return Array(buffer[start..<start + n])
  }

  /// True if no byte is left.
  func atEnd() throws -> Bool {
    try fill(1)
    return buffer.count == start
  }
}
