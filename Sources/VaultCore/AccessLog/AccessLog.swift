#if canImport(Glibc)
  import Glibc
#endif
import Foundation
import VaultCrypto

/// The state at the end of the log, for `vault log head` and for checkpoints.
public struct LogHead: Sendable, Equatable, Encodable {
  /// Number of entries.
  public let count: UInt64
  /// Chain value after the last entry (the genesis value for an empty log), hex.
  public let head: String
  /// The last checkpoint, if any.
  public let lastCheckpoint: Checkpoint?
}

/// The access log of one vault: append-only `log/entries` and `log/checkpoints`.
///
/// Appends take an exclusive flock on `log/entries` (not the vault lock), so keyless jobs and
/// unlocked commands can log at the same time as each other and as vault readers. An append
/// reads only the last record, so its cost does not depend on the length of the log.
public struct AccessLog: Sendable {
  /// The vault's files.
  public let layout: VaultLayout
  /// Its identity and public keys.
  public let config: VaultConfig

  /// Whether the first entry must be the vault's keyed init entry (always, but in the log's own tests).
  let startsWithInit: Bool

  /// The log of `vault`. `standalone` is for tests of the log alone, whose entries are numbered
  /// from an empty log: its first entry is not required to be the vault's init entry.
  public init(vault: Vault, standalone: Bool = false) {
    layout = vault.layout
    config = vault.config
    startsWithInit = !standalone
  }

  /// Appends `entry`: keyed (and followed by a signed checkpoint) when `unlocked` is given,
  /// sealed to the vault's public key otherwise. Durable when it returns.
  @discardableResult
  public func append(_ entry: LogEntry, unlocked: UnlockedVault? = nil) throws -> LogHead {
    // Without the key nobody is identified: keyless entries are always "system".
    var entry = entry
    if unlocked == nil { entry.actor = LogEntry.system }
    do {
      try Directories.makeDirectory(layout.log)
      let file = try LogFile(path: layout.logEntries, kind: .logEntries, lock: LOCK_EX)
      // Held until the checkpoint is written too, so appenders never interleave checkpoints.
      return try withExtendedLifetime(file) {
        var tail = try file.tail(vault: config.vaultID)
        let covered = try lastCheckpoint()
        // Read once: it is both checked against the last checkpoint and signed into the next.
        // The index on disk: a commit waiting for this entry is not there yet, and a checkpoint
        // must never sign a generation the disk might not reach.
        let generation = try? unlocked?.committedIndex().generation
        // Everything that could refuse the append is checked before a byte is written, so a
        // refused command leaves no entry behind.
        try checkEdges(of: file, tail: tail, covered: covered, unlocked: unlocked, appendingInit: entry.action == LogEntry.initAction)
        if unlocked != nil { try checkCanSign(after: covered, entries: tail.count, generation: generation, file: file) }
        if let torn = tail.tornBytes {
          if let covered, covered.count > tail.count {
            throw VaultError.integrity([Finding(.error, "log/entries", "entry \(tail.count + 1) is damaged but covered by a signed checkpoint; it is kept as evidence: run 'vault log verify'")])
          }
          // An append interrupted by a crash left a partial record that was never acknowledged:
          // cut it, and say so in the log itself.
          try file.truncate(to: tail.end)
          tail = try appendRecord(
            LogEntry(action: "log-repair", actor: LogEntry.system,
              detail: "removed \(torn) bytes after the last whole record (an interrupted append, or damage)"),
            to: file, after: tail, keys: unlocked?.keys)
        }
        // A change waiting for this entry gets its new index written (not yet named) first: if
        // that fails, nothing is logged and nothing changed.
        let staged = try unlocked?.stagePendingCommit()
        let before = tail
        var last = covered
        var checkpointEnd: UInt64?
        do {
          tail = try appendRecord(entry, to: file, after: tail, keys: unlocked?.keys)
          if let unlocked {
            let cp = try LogFile(path: layout.logCheckpoints, kind: .logCheckpoints, lock: nil)
            try cp.truncate(to: cp.alignedEnd(recordSize: Checkpoint.size))
            checkpointEnd = try cp.size()
            let c = Checkpoint.sign(
              count: tail.count, head: tail.chain, time: Int64(Date().timeIntervalSince1970),
              generation: try generation ?? unlocked.committedIndex().generation, previous: try covered?.link() ?? Checkpoint.noPrevious,
              keys: unlocked.keys, vault: config.vaultID)
            try withExtendedLifetime(cp) { try cp.append(c.encoded) }
            last = c
            // The entry is durable and signed: the change it records takes effect. No reader
            // has seen the entry yet (this append holds the log's lock), so if the rename
            // fails it is taken back below, and the vault and its log stay as they were.
            if let staged { try unlocked.installStagedCommit(staged) }
          }
        } catch {
          // Not acknowledged: take the entry (and a partial checkpoint) back, so the log and the
          // vault stay as they were. If even that fails, the next append cuts a torn tail.
          if let checkpointEnd, let cp = try? LogFile(path: layout.logCheckpoints, kind: .logCheckpoints, lock: nil) {
            try? cp.truncate(to: checkpointEnd)
          }
          try? file.truncate(to: before.end)
          if let staged { unlocked?.discard(staged) }
          throw error
        }
        if staged != nil { try unlocked?.finishInstalledCommit() }
        return LogHead(count: tail.count, head: Hex.encode(tail.chain), lastCheckpoint: last)
      }
    } catch {
      throw VaultError.from(error)
    }
  }

  /// Checks, without writing, that an unlocked command's entry could be appended and signed;
  /// commands that change the vault call it first, so a refused log never follows a change.
  public func preflight(unlocked: UnlockedVault) throws {
    do {
      guard FileStatus.exists(layout.logEntries) else { return }
      let file = try LogFile(path: layout.logEntries, kind: .logEntries, lock: LOCK_SH)
      try withExtendedLifetime(file) {
        let tail = try file.tail(vault: config.vaultID)
        let covered = try lastCheckpoint()
        try checkEdges(of: file, tail: tail, covered: covered, unlocked: unlocked, appendingInit: false)
        try checkCanSign(after: covered, entries: tail.count, generation: try? unlocked.committedIndex().generation, file: file)
      }
    } catch { throw VaultError.from(error) }
  }

  /// Constant-time checks of both ends of the log, made before every append: the first record
  /// must be the vault's own keyed init entry (decrypted when the key is at hand), and a last
  /// checkpoint that covers the whole log must have signed its last entry. Damage in between is
  /// `vault log verify`'s to find; damage at the edges must not be built upon by any writer.
  private func checkEdges(of file: LogFile, tail: LogTail, covered: Checkpoint?, unlocked: UnlockedVault?, appendingInit: Bool) throws {
    func refuse(_ what: String) -> VaultError {
      .integrity([Finding(.error, "log/entries", "\(what); run 'vault log verify'")])
    }
    guard startsWithInit else { return }
    guard tail.count > 0 else {
      if appendingInit { return }
      throw refuse("the access log has no entries, but every vault's log starts with its init entry: it was deleted or emptied")
    }
    let genesis = try LogRecord.genesis(vault: config.vaultID)
    guard let (first, _) = try file.record(startingAt: UInt64(FileHeader.size)), first.seq == 0,
      first.body.first == LogRecord.Mode.keyed.rawValue,
      try LogRecord.chain(previous: genesis, seq: 0, body: first.body) == first.chain
    else { throw refuse("entry 1 (the vault's init entry) is damaged or was replaced") }
    // A practitioner whose role does not read the log cannot decrypt it; the chain and the
    // checkpoint signature checked here and in `checkCanSign` still hold for them.
    if let unlocked, unlocked.keys.logEntries != nil {
      let opened = try? LogRecord.open(first.body, seq: 0, vault: config.vaultID, keys: unlocked.keys)
      guard opened?.action == LogEntry.initAction else { throw refuse("entry 1 does not decrypt as the vault's init entry: the start of the log was replaced") }
    }
    if let covered, covered.count == tail.count, covered.head != tail.chain {
      throw refuse("the last entry is not the one the last checkpoint signed: it was edited or replaced")
    }
  }

  /// A new checkpoint must extend an authentic last checkpoint: never sign over a forged one, a
  /// shorter log, or an older index (that would launder a truncation or a rollback).
  private func checkCanSign(after last: Checkpoint?, entries: UInt64, generation: UInt64?, file: LogFile) throws {
    try checkSigning(after: last, entries: entries, generation: generation, file: file)
  }

  /// `checkCanSign`, for the signing of routine keyless entries (RoutineSigning.swift).
  func checkSigning(after last: Checkpoint?, entries: UInt64, generation: UInt64?, file: LogFile) throws {
    guard let last else {
      // The first entry of a vault's log is its keyed, checkpointed init: no checkpoint at all
      // after it means the checkpoints were deleted, and signing now would hide that.
      if entries > 0, let (first, _) = try? file.record(startingAt: UInt64(FileHeader.size)), first.body.first == LogRecord.Mode.keyed.rawValue {
        throw VaultError.integrity([Finding(.error, "log/checkpoints", "the log's checkpoints are missing although it has signed entries: they were deleted; run 'vault log verify'")])
      }
      return
    }
    var problems: [String] = []
    if !last.isValid(publicKey: config.signingPublicKey, vault: config.vaultID) {
      problems.append("the last checkpoint's signature does not verify (it was forged or modified)")
    }
    if last.count > entries {
      problems.append("the log has \(entries) entries but the last checkpoint covers \(last.count): entries were removed")
    }
    if let generation, generation < last.generation {
      problems.append("the index (generation \(generation)) is older than the last checkpoint (generation \(last.generation)): the vault was rolled back")
    }
    if !problems.isEmpty {
      throw VaultError.integrity(problems.map { Finding(.error, "log", "\($0); run 'vault log verify'") })
    }
  }

  /// Appends many keyed entries with one write and one fsync (imports, benchmarks), then one
  /// checkpoint. Same records as appending them one by one.
  @discardableResult
  public func append(contentsOf entries: [LogEntry], unlocked: UnlockedVault) throws -> LogHead {
    guard let lastEntry = entries.last else { return try head() }
    let batched = try appendBatch(entries.dropLast(), unlocked: unlocked)
    if !batched {
      // A torn tail needs the repair path of a single append; rare, so one by one is fine.
      for entry in entries.dropLast() { try append(entry, unlocked: unlocked) }
    }
    return try append(lastEntry, unlocked: unlocked)
  }

  /// Writes keyed records for `entries` in one write; false (nothing written) if the tail is torn.
  private func appendBatch(_ entries: ArraySlice<LogEntry>, unlocked: UnlockedVault) throws -> Bool {
    let keys: VaultKeys? = unlocked.keys
    do {
      try Directories.makeDirectory(layout.log)
      let file = try LogFile(path: layout.logEntries, kind: .logEntries, lock: LOCK_EX)
      var tail = try file.tail(vault: config.vaultID)
      guard tail.tornBytes == nil else { return false }
      try checkCanSign(after: try lastCheckpoint(), entries: tail.count, generation: try? unlocked.committedIndex().generation, file: file)
      var bytes: [UInt8] = []
      for entry in entries {
        let record: [UInt8]
        (record, tail) = try self.record(entry, after: tail, keys: keys)
        bytes += record
      }
      try file.append(bytes)
      return true
    } catch { throw VaultError.from(error) }
  }

  private func appendRecord(_ entry: LogEntry, to file: LogFile, after tail: LogTail, keys: VaultKeys?) throws -> LogTail {
    let (bytes, next) = try record(entry, after: tail, keys: keys)
    try file.append(bytes)
    return next
  }

  /// The encoded record of `entry` as the next after `tail`, and the tail after it.
  private func record(_ entry: LogEntry, after tail: LogTail, keys: VaultKeys?) throws -> ([UInt8], LogTail) {
    let seq = tail.count
    let body = try LogRecord.seal(entry, seq: seq, vault: config, keys: keys)
    let chain = try LogRecord.chain(previous: tail.chain, seq: seq, body: body)
    let bytes = LogRecord(seq: seq, body: body, chain: chain).encoded
    return (bytes, LogTail(count: seq + 1, chain: chain, end: tail.end + UInt64(bytes.count), tornBytes: nil))
  }

  /// The current head, read without a key.
  public func head() throws -> LogHead {
    do {
      guard FileStatus.exists(layout.logEntries) else {
        return LogHead(count: 0, head: Hex.encode(try LogRecord.genesis(vault: config.vaultID)), lastCheckpoint: try lastCheckpoint())
      }
      let file = try LogFile(path: layout.logEntries, kind: .logEntries, lock: LOCK_SH)
      let tail = try file.tail(vault: config.vaultID)
      return LogHead(count: tail.count, head: Hex.encode(tail.chain), lastCheckpoint: try lastCheckpoint())
    } catch { throw VaultError.from(error) }
  }

  /// Every complete checkpoint, in order, plus whether a torn one follows (for tests and small
  /// logs: verification streams them with `CheckpointCursor` instead).
  public func checkpoints() throws -> (checkpoints: [Checkpoint], torn: Bool) {
    guard let cursor = try CheckpointCursor(log: self) else { return ([], false) }
    var out: [Checkpoint] = []
    while let (c, _) = try cursor.next() { out.append(c) }
    return (out, !cursor.tornBytes.isEmpty)
  }

  /// The size of a log file, 0 if it is missing.
  func fileSize(_ path: String) throws -> UInt64 {
    guard FileStatus.exists(path) else { return 0 }
    return UInt64(try FileStatus.size(path))
  }

  /// The last whole checkpoint, read from the end of the file: appends stay O(1) however many
  /// checkpoints a decade of unlocked commands leaves.
  func lastCheckpoint() throws -> Checkpoint? {
    guard FileStatus.exists(layout.logCheckpoints), try FileStatus.size(layout.logCheckpoints) > 0 else { return nil }
    let file = try LogFile(path: layout.logCheckpoints, kind: .logCheckpoints, lock: LOCK_SH)
    let end = try file.alignedEnd(recordSize: Checkpoint.size)
    guard end > UInt64(FileHeader.size) else { return nil }
    return try Checkpoint.decode(file.read(at: end - UInt64(Checkpoint.size), count: Checkpoint.size))
  }

  /// The first entry, decrypted (the vault's creation).
  public func firstEntry(unlocked: UnlockedVault) throws -> LogEntry? {
    struct Stop: Error {}
    var first: LogEntry?
    do {
      _ = try scan { record in
        first = try LogRecord.open(record.body, seq: 0, vault: config.vaultID, keys: unlocked.keys)
        throw Stop()
      }
    } catch is Stop {}
    return first
  }

  /// Decrypts every readable entry in order and calls `body` with its 1-based number; then, if
  /// any entry did not decrypt or the file is damaged, throws `.integrity` naming each problem
  /// (one planted record must not hide the rest of the log, nor damage shorten it silently).
  public func entries(unlocked: UnlockedVault, _ body: (UInt64, LogEntry) throws -> Void) throws {
    var problems: [Finding] = []
    do {
      var position: UInt64 = 0
      let end = try scan { record in
        position += 1
        guard let entry = try? LogRecord.open(record.body, seq: position - 1, vault: config.vaultID, keys: unlocked.keys) else {
          problems.append(Finding(.error, "log", "entry \(position) does not decrypt (forged or modified)"))
          return
        }
        try body(position, entry)
      }
      if case .malformed(let seq, let reason) = end {
        problems.append(Finding(.error, "log", "entry \(seq + 1): \(reason)"))
      }
    } catch let e as VaultError { throw e } catch { throw VaultError.from(error) }
    if !problems.isEmpty { throw VaultError.integrity(problems) }
  }

  /// The entries appended without the key since the last keyed one, oldest first, at most
  /// `limit` of them: what happened while nobody had the vault unlocked (backups, keyless checks,
  /// failed unlocks). Reads backwards from the end, so its cost depends on those entries only.
  func keylessTail(unlocked: UnlockedVault, limit: Int = 10_000) throws -> [LogEntry] {
    guard FileStatus.exists(layout.logEntries), unlocked.keys.logBox != nil else { return [] }
    let file = try LogFile(path: layout.logEntries, kind: .logEntries, lock: LOCK_SH)
    var end = try file.tail(vault: config.vaultID).end
    var found: [LogEntry] = []
    while found.count < limit, let (record, start) = try file.record(endingAt: end), record.body.first == LogRecord.Mode.sealed.rawValue {
      // A sealed entry that does not open is the verifier's business, not this report's.
      if let entry = try? LogRecord.open(record.body, seq: record.seq, vault: config.vaultID, keys: unlocked.keys) { found.append(entry) }
      end = start
    }
    return found.reversed()
  }

  /// Reads every record in order, calling `body` with each; a torn or malformed tail stops the
  /// scan and is returned as the reason it stopped.
  func scan(_ body: (LogRecord) throws -> Void) throws -> LogScanEnd {
    guard FileStatus.exists(layout.logEntries) else { return .complete }
    let file = try LogFile(path: layout.logEntries, kind: .logEntries, lock: LOCK_SH)
    return try file.scan(body)
  }
}

/// Why a scan of the entries file stopped.
enum LogScanEnd: Equatable {
  /// False when the scan stopped at damage it could not read past.
  var isReadable: Bool {
    if case .malformed = self { return false }
    return true
  }

  /// At the end of the file, after a complete record.
  case complete
  /// In a partial last record of this many bytes (an interrupted append).
  case torn(bytes: UInt64)
  /// At a record whose framing is invalid (not a torn write: damage).
  case malformed(seq: UInt64, reason: String)
}

/// Where the log ends.
struct LogTail {
  var count: UInt64
  var chain: [UInt8]
  /// Offset just after the last complete record.
  var end: UInt64
  /// Bytes of a partial record after `end`, if any.
  var tornBytes: UInt64?
}

/// Reads `log/checkpoints` front to back, 1 MiB at a time: memory does not grow with the file.
final class CheckpointCursor {
  private let file: LogFile
  private let end: UInt64
  private var offset: UInt64
  private var buffer: [UInt8] = []
  private var position = 0
  /// How many whole checkpoints the file holds.
  let count: UInt64
  /// The bytes after the last whole checkpoint (an interrupted write, or damage).
  let tornBytes: [UInt8]

  /// Nil when the file does not exist or is empty (created but never written).
  init?(log: AccessLog) throws {
    guard try log.fileSize(log.layout.logCheckpoints) > 0 else { return nil }
    file = try LogFile(path: log.layout.logCheckpoints, kind: .logCheckpoints, lock: LOCK_SH)
    end = try file.alignedEnd(recordSize: Checkpoint.size)
    offset = UInt64(FileHeader.size)
    count = (end - offset) / UInt64(Checkpoint.size)
    let size = try file.size()
    tornBytes = size > end ? try file.read(at: end, count: Int(min(size - end, UInt64(Checkpoint.size)))) : []
  }

  /// The last whole checkpoint and its raw bytes, read directly (the cursor does not move).
  func last() throws -> (Checkpoint, [UInt8])? {
    guard count > 0 else { return nil }
    let raw = try file.read(at: end - UInt64(Checkpoint.size), count: Checkpoint.size)
    return (try Checkpoint.decode(raw), raw)
  }

  /// The next checkpoint and its raw bytes (whose hash the one after it names), or nil at the end.
  func next() throws -> (Checkpoint, [UInt8])? {
    if position + Checkpoint.size > buffer.count {
      guard offset < end else { return nil }
      let want = min(UInt64(6241 * Checkpoint.size), end - offset)
      buffer = try file.read(at: offset, count: Int(want))
      offset += want
      position = 0
    }
    let raw = Array(buffer[position..<position + Checkpoint.size])
    position += Checkpoint.size
    return (try Checkpoint.decode(raw), raw)
  }
}
