import Foundation
import Testing
@testable import VaultCore
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

// Helpers for the access-log tests. Everything here works from the byte layout of FORMAT.md §11
// (and the public API), not from the library's internal types, so a change to the layout breaks
// these tests instead of silently moving with them.

/// A fresh vault and its access log.
struct LogFixture {
  let dir: TemporaryDirectory
  let creation: Vault.Creation

  init() throws {
    dir = try TemporaryDirectory()
    creation = try makeVault(in: dir)
    // These tests number entries from an empty log; the init entry a new vault starts with is
    // checked by the vault-level verifier instead.
    try FileManager.default.removeItem(atPath: creation.vault.vault.layout.log)
  }

  var unlocked: UnlockedVault { creation.vault }
  var vault: Vault { creation.vault.vault }
  var log: AccessLog { AccessLog(vault: vault, standalone: true) }
  var entriesPath: String { vault.layout.logEntries }
  var checkpointsPath: String { vault.layout.logCheckpoints }

  /// Appends a keyed entry (with a checkpoint) or a sealed one.
  @discardableResult
  func append(_ action: String = "client-read", keyed: Bool, reason: String? = nil, detail: String? = nil) throws -> LogHead {
    let actor = keyed ? unlocked.slot.label : LogEntry.system
    return try log.append(LogEntry(action: action, actor: actor, reason: reason, detail: detail), unlocked: keyed ? unlocked : nil)
  }

  /// Appends `count` entries, all keyed or all sealed, numbered in their detail.
  func fill(_ count: Int, keyed: Bool) throws {
    for i in 0..<count { try append(keyed: keyed, detail: "entry \(i)") }
  }

  /// Runs the verifier, with the vault's keys unless `keyed` is false.
  func verify(keyed: Bool = true, savedHead: String? = nil) throws -> LogVerifier.Report {
    try LogVerifier(log: log).run(unlocked: keyed ? unlocked : nil, savedHead: savedHead)
  }

  /// Every entry, decrypted.
  func entries() throws -> [(number: UInt64, entry: LogEntry)] {
    var out: [(UInt64, LogEntry)] = []
    try log.entries(unlocked: unlocked) { out.append(($0, $1)) }
    return out
  }

  func rawEntries() throws -> RawEntries { try RawEntries(parsing: RawFile.read(entriesPath)) }
  func rawCheckpoints() throws -> RawCheckpoints { try RawCheckpoints(parsing: RawFile.read(checkpointsPath)) }

  /// The chain value before the first entry: BLAKE2b-256("vault.v1/log" ‖ vault id).
  func genesis() throws -> [UInt8] { try Hasher.blake2b256(Binding.log + vault.config.vaultID.bytes) }
}

extension LogVerifier.Report {
  var errors: [Finding] { findings.filter { $0.severity == .error } }
  var warnings: [Finding] { findings.filter { $0.severity == .warning } }
  /// The message of the first error, or "" when there is none.
  var firstError: String { errors.first?.message ?? "" }
}

// MARK: - Byte-level access

/// Little-endian integers as the log writes them.
enum LE {
  static func u32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
  static func u64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
  static func i64(_ v: Int64) -> [UInt8] { u64(UInt64(bitPattern: v)) }
  static func read<T: FixedWidthInteger & UnsignedInteger>(_ bytes: ArraySlice<UInt8>, as: T.Type = T.self) -> T {
    bytes.enumerated().reduce(T(0)) { $0 | T($1.element) << (8 * $1.offset) }
  }
}

/// Whole-file reads and in-place writes (in place, so the file keeps its inode and mode).
enum RawFile {
  static func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

  static func write(_ bytes: [UInt8], to path: String) throws {
    let fd = open(path, O_WRONLY | O_TRUNC)
    guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    defer { close(fd) }
    var done = 0
    while done < bytes.count {
      let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
      guard n > 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
      done += n
    }
  }

  static func append(_ bytes: [UInt8], to path: String) throws { try write(read(path) + bytes, to: path) }

  static func truncate(_ path: String, to length: Int) throws {
    guard Glibc.truncate(path, off_t(length)) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
  }
}

/// One record of `log/entries`: `u32 L ‖ u64 seq ‖ body (L) ‖ chain (32) ‖ u32 L`.
struct RawRecord: Equatable {
  var length: UInt32
  var seq: UInt64
  var body: [UInt8]
  var chain: [UInt8]
  var trailing: UInt32

  init(seq: UInt64, body: [UInt8], chain: [UInt8]) {
    self.length = UInt32(body.count)
    self.seq = seq
    self.body = body
    self.chain = chain
    self.trailing = UInt32(body.count)
  }

  var encoded: [UInt8] { LE.u32(length) + LE.u64(seq) + body + chain + LE.u32(trailing) }
  /// The body's first byte: 1 keyed, 2 sealed.
  var mode: UInt8 { body[0] }
}

/// The entries file split into header, whole records, and whatever follows them.
struct RawEntries {
  var header: [UInt8]
  var records: [RawRecord]
  var rest: [UInt8]

  init(parsing bytes: [UInt8]) throws {
    try #require(bytes.count >= 8)
    header = Array(bytes[0..<8])
    records = []
    var o = 8
    while bytes.count - o >= 48 {
      let length = Int(LE.read(bytes[o..<o + 4], as: UInt32.self))
      guard bytes.count - o >= length + 48 else { break }
      var r = RawRecord(
        seq: LE.read(bytes[o + 4..<o + 12]), body: Array(bytes[o + 12..<o + 12 + length]),
        chain: Array(bytes[o + 12 + length..<o + 44 + length]))
      r.trailing = LE.read(bytes[o + 44 + length..<o + 48 + length])
      records.append(r)
      o += length + 48
    }
    rest = Array(bytes[o...])
  }

  var encoded: [UInt8] { header + records.flatMap(\.encoded) + rest }

  func write(to path: String) throws { try RawFile.write(encoded, to: path) }

  /// Recomputes every chain value from record `from` on, as an attacker without the key can.
  mutating func rechain(from index: Int, genesis: [UInt8]) throws {
    var previous = index == 0 ? genesis : records[index - 1].chain
    for i in index..<records.count {
      records[i].chain = try chainValue(previous: previous, seq: records[i].seq, body: records[i].body)
      previous = records[i].chain
    }
  }
}

/// BLAKE2b-256(previous ‖ u64 seq ‖ body), computed independently of the library.
func chainValue(previous: [UInt8], seq: UInt64, body: [UInt8]) throws -> [UInt8] {
  let h = try Hasher()
  h.update(previous)
  h.update(LE.u64(seq))
  h.update(body)
  return h.finalize()
}

/// The associated data of entry `seq` (keyed) or the prefix of its plaintext (sealed).
func entryBinding(vault: RandomID, seq: UInt64) -> [UInt8] { Binding.log + vault.bytes + LE.u64(seq) }

/// The JSON an entry is encrypted as (compact, keys sorted).
func entryJSON(_ entry: LogEntry) throws -> [UInt8] {
  let e = JSONEncoder()
  e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
  return Array(try e.encode(entry))
}

/// One checkpoint: `u64 count ‖ head (32) ‖ i64 time ‖ u64 generation ‖ previous (32) ‖ signature (64)`, the
/// signature always last and over everything before it.
struct RawCheckpoint {
  /// The record size of format 1 (FORMAT.md §11.3). Change it here if the layout grows a field.
  static let size = 152

  var bytes: [UInt8]
  var count: UInt64 { LE.read(bytes[0..<8]) }
  var head: [UInt8] { Array(bytes[8..<40]) }
  var time: Int64 { Int64(bitPattern: LE.read(bytes[40..<48])) }
  var generation: UInt64 { LE.read(bytes[48..<56]) }
  var signed: [UInt8] { Array(bytes.dropLast(64)) }
  var signature: [UInt8] { Array(bytes.suffix(64)) }

  /// True if the signature verifies over "vault.v1/checkpoint" ‖ vault id ‖ the signed fields.
  func verifies(_ config: VaultConfig) -> Bool {
    let message = Binding.checkpoint + config.vaultID.bytes + signed
    return (try? Signing.verify(signature, of: message, publicKey: config.signingPublicKey)) != nil
  }
}

/// The checkpoints file split into header, whole checkpoints, and a partial one.
struct RawCheckpoints {
  var header: [UInt8]
  var checkpoints: [RawCheckpoint]
  var rest: [UInt8]

  init(parsing bytes: [UInt8]) throws {
    try #require(bytes.count >= 8)
    header = Array(bytes[0..<8])
    let n = RawCheckpoint.size
    let whole = (bytes.count - 8) / n
    checkpoints = (0..<whole).map { RawCheckpoint(bytes: Array(bytes[8 + n * $0..<8 + n * ($0 + 1)])) }
    rest = Array(bytes[(8 + n * whole)...])
  }

  var encoded: [UInt8] { header + checkpoints.flatMap(\.bytes) + rest }
}

/// Collects values from several threads.
final class Locked<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var value: Value
  init(_ value: Value) { self.value = value }
  func with<R>(_ body: (inout Value) -> R) -> R {
    lock.lock()
    defer { lock.unlock() }
    return body(&value)
  }
}
