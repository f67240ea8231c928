import Foundation
import VaultCrypto

/// The byte layout of one entry in `log/entries` (FORMAT.md §11.2):
/// `u32 L ‖ u64 seq ‖ body (L bytes) ‖ chain (32) ‖ u32 L`.
///
/// The length is written at both ends so the last record can be found from the end of the
/// file in O(1) (appending never reads the whole log), and a torn last record is recognisable.
struct LogRecord: Equatable {
  /// 0-based position in the log.
  var seq: UInt64
  /// Mode byte ‖ ciphertext.
  var body: [UInt8]
  /// BLAKE2b-256(previous chain ‖ seq ‖ body).
  var chain: [UInt8]

  static let overhead = 4 + 8 + 32 + 4
  /// The smallest body: mode byte and an AEAD with empty plaintext (a sealed body is larger).
  static let minimumBody = 1 + 24 + 16
  /// Bodies are small JSON entries; anything larger is damage, not data.
  static let maxBody = 1 << 20

  /// Body modes.
  enum Mode: UInt8 {
    /// nonce ‖ XChaCha20-Poly1305 under the log subkey: written while unlocked.
    case keyed = 1
    /// A sealed box to the vault's log public key: written without any secret.
    case sealed = 2
  }

  var encoded: [UInt8] {
    var w = ByteWriter()
    w.write(UInt32(body.count))
    w.write(seq)
    w.write(body)
    w.write(chain)
    w.write(UInt32(body.count))
    return w.bytes
  }

  /// The chain value before the first entry: binds the log to its vault.
  static func genesis(vault: RandomID) throws -> [UInt8] {
    try Hasher.blake2b256(Binding.log + vault.bytes)
  }

  /// The chain value after an entry.
  static func chain(previous: [UInt8], seq: UInt64, body: [UInt8]) throws -> [UInt8] {
    let h = try Hasher()
    h.update(previous)
    var w = ByteWriter()
    w.write(seq)
    h.update(w.bytes)
    h.update(body)
    return h.finalize()
  }

  /// Associated data of a keyed entry; sealed entries carry the same bytes inside their plaintext.
  static func binding(vault: RandomID, seq: UInt64) -> [UInt8] {
    var w = ByteWriter()
    w.write(Binding.log)
    w.write(vault.bytes)
    w.write(seq)
    return w.bytes
  }

  /// Encrypts `entry` as the body of record `seq`: keyed when `keys` hold the log-entry key,
  /// sealed otherwise (keyless work, and practitioners whose role does not read the log).
  static func seal(_ entry: LogEntry, seq: UInt64, vault: VaultConfig, keys: VaultKeys?) throws -> [UInt8] {
    let plaintext = try entry.encoded()
    let bind = binding(vault: vault.vaultID, seq: seq)
    if let key = keys?.logEntries {
      return [Mode.keyed.rawValue] + (try AEAD.seal(plaintext, using: key, binding: bind))
    }
    return [Mode.sealed.rawValue] + (try SealedBox.seal(bind + plaintext, to: vault.logPublicKey))
  }

  /// Decrypts a body; throws if it does not authenticate or is bound to another position or vault.
  static func open(_ body: [UInt8], seq: UInt64, vault: RandomID, keys: VaultKeys) throws -> LogEntry {
    try LogEntry.decode(plaintext(body, seq: seq, vault: vault, keys: keys))
  }

  /// The entry's JSON, authenticated and bound to `seq` and `vault` (verification stops here).
  static func plaintext(_ body: [UInt8], seq: UInt64, vault: RandomID, keys: VaultKeys) throws -> [UInt8] {
    guard let first = body.first, let mode = Mode(rawValue: first) else { throw FormatError.invalidField("unknown entry mode") }
    guard let entryKey = keys.logEntries, let logBox = keys.logBox else { throw VaultError.access(.roleRefused(name: "this key", role: .clinician, what: "reading the access log", allowed: [.owner, .auditor])) }
    let bind = binding(vault: vault, seq: seq)
    switch mode {
    case .keyed:
      return try AEAD.open(Array(body.dropFirst()), using: entryKey, binding: bind)
    case .sealed:
      let plain = try SealedBox.open(Array(body.dropFirst()), with: logBox)
      guard plain.count >= bind.count, constantTimeEqual(Array(plain.prefix(bind.count)), bind) else {
        throw FormatError.invalidField("sealed entry is bound to another position or vault")
      }
      return Array(plain.dropFirst(bind.count))
    }
  }
}

/// A signed statement "the log had `count` entries ending in `head`" (FORMAT.md §11.3).
///
/// Checkpoints form a hash chain of their own (each names the BLAKE2b of the one before), so
/// checking the last signature and the links authenticates all of them: a million checkpoints
/// verify with one Ed25519 verification instead of a million.
public struct Checkpoint: Equatable, Sendable, Encodable {
  /// Entries covered.
  public let count: UInt64
  /// Chain value after entry `count - 1`.
  public let head: [UInt8]
  /// When it was signed, Unix seconds.
  public let time: Int64
  /// The index generation at that moment: a later index can never be older.
  public let generation: UInt64
  /// BLAKE2b-256 of the previous checkpoint record (all zero for the first).
  let previous: [UInt8]
  let signature: [UInt8]

  static let size = 8 + 32 + 8 + 8 + 32 + 64
  static let noPrevious = [UInt8](repeating: 0, count: 32)

  enum Key: String, CodingKey { case count, head, time, generation }

  /// JSON form: the head in hex and the time in RFC 3339; the signature is not shown.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: Key.self)
    try c.encode(count, forKey: .count)
    try c.encode(Hex.encode(head), forKey: .head)
    try c.encode(LogEntry.format(Date(timeIntervalSince1970: TimeInterval(time))), forKey: .time)
    try c.encode(generation, forKey: .generation)
  }

  /// Signs a checkpoint with the vault's signing key.
  static func sign(
    count: UInt64, head: [UInt8], time: Int64, generation: UInt64, previous: [UInt8], keys: VaultKeys, vault: RandomID
  ) -> Checkpoint {
    let unsigned = Checkpoint(count: count, head: head, time: time, generation: generation, previous: previous, signature: [])
    return Checkpoint(count: count, head: head, time: time, generation: generation, previous: previous,
      signature: keys.signing.sign(unsigned.message(vault: vault)))
  }

  /// The value the next checkpoint names as `previous`.
  func link() throws -> [UInt8] { try Hasher.blake2b256(encoded) }

  private var fields: [UInt8] {
    var w = ByteWriter()
    w.write(count)
    w.write(head)
    w.write(time)
    w.write(generation)
    w.write(previous)
    return w.bytes
  }

  func message(vault: RandomID) -> [UInt8] { Binding.checkpoint + vault.bytes + fields }

  var encoded: [UInt8] { fields + signature }

  static func decode(_ bytes: [UInt8]) throws -> Checkpoint {
    var r = ByteReader(bytes)
    let c = Checkpoint(count: try r.readUInt64(), head: try r.read(32), time: try r.readInt64(),
      generation: try r.readUInt64(), previous: try r.read(32), signature: try r.read(64))
    try r.expectEnd()
    return c
  }

  /// True if the signature verifies under the vault's signing key in `config`.
  public func isAuthentic(for config: VaultConfig) -> Bool { isValid(publicKey: config.signingPublicKey, vault: config.vaultID) }

  /// True if the signature verifies under `publicKey`.
  func isValid(publicKey: [UInt8], vault: RandomID) -> Bool {
    (try? Signing.verify(signature, of: message(vault: vault), publicKey: publicKey)) != nil
  }
}
