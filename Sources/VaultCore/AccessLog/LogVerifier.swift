import Foundation
import VaultCrypto

/// Checks the access log and reports precisely what is wrong (FORMAT.md §11.5).
///
/// Without keys it recomputes the hash chain and checks every checkpoint's signature; with
/// keys it also decrypts every entry and compares the index generation with the last checkpoint.
public struct LogVerifier {
  /// The log to check.
  public let log: AccessLog

  /// A verifier for `log`.
  public init(log: AccessLog) { self.log = log }

  /// What a verification found, plus the counts to show.
  public struct Report: Sendable, Encodable {
    /// Problems, errors first.
    public var findings: [Finding] = []
    /// Entries read.
    public var entries: UInt64 = 0
    /// Checkpoints read.
    public var checkpoints: Int = 0
    /// Entries after the last checkpoint.
    public var unsigned: UInt64 = 0
    /// The head after the last entry, hex.
    public var head: String = ""
  }

  /// Runs every check. `savedHead` is a head the user kept elsewhere (`--head`): it must appear
  /// in the chain, or the log was rewritten or rolled back since.
  ///
  /// Both files are streamed (a few MiB of buffers whatever their sizes), and sizes no log can
  /// have are refused before anything is read: a padded file costs a stat, not gigabytes.
  public func run(unlocked: UnlockedVault? = nil, savedHead: String? = nil) throws -> Report {
    let vault = log.config.vaultID
    var report = Report()
    var errors = 0
    // One damage can break every later link; a few hundred findings say it, millions would not.
    func fail(_ message: @autoclosure () -> String) {
      errors += 1
      if errors <= Self.maximumErrors { report.findings.append(Finding(.error, "log", message())) }
    }

    // Every checkpoint follows an entry, so a large checkpoints file holding more checkpoints
    // than the entries file could hold entries was padded or replaced: refuse it unread. (A
    // small one is read, so a log cut short gets its precise "entries were removed".)
    let entriesSize = try log.fileSize(log.layout.logEntries)
    let possibleEntries = entriesSize > UInt64(FileHeader.size)
      ? (entriesSize - UInt64(FileHeader.size)) / UInt64(LogRecord.overhead + LogRecord.minimumBody) : 0
    var cursor = try CheckpointCursor(log: log)
    var checkpointsRejected = false
    if let c = cursor, c.count > possibleEntries, c.count > Self.checkpointsReadWhenImpossible {
      checkpointsRejected = true
      fail("log/checkpoints holds \(c.count) checkpoints, but log/entries (\(entriesSize) bytes) can hold at most \(possibleEntries) entries and every checkpoint follows one: the file was padded or replaced")
      cursor = nil
    }

    // Pass 1 over the checkpoints: links, order, and the last one (whose signature, with the
    // links, authenticates every checkpoint).
    var last: Checkpoint?
    var lastLink = Checkpoint.noPrevious
    var k = 0
    while let (c, raw) = try cursor?.next() {
      k += 1
      if c.previous != lastLink {
        fail(k == 1
          ? "checkpoint 1 (\(Self.date(c.time))): is not the first checkpoint (earlier checkpoints were removed)"
          : "checkpoint \(k) (\(Self.date(c.time))): does not follow checkpoint \(k - 1) (checkpoint \(k - 1) was modified, or checkpoints were removed, inserted or reordered)")
      }
      if let last, c.count < last.count {
        fail("checkpoint \(k) covers fewer entries than checkpoint \(k - 1) (checkpoints reordered or edited)")
      }
      last = c
      lastLink = try Hasher.blake2b256(raw)
      // Past the listing limit the rest of the chain adds nothing: jump to the last checkpoint.
      if errors > Self.maximumErrors, let cursor, let (final, finalRaw) = try cursor.last() {
        (last, lastLink, k) = (final, try Hasher.blake2b256(finalRaw), Int(cursor.count))
        break
      }
    }
    report.checkpoints = k
    if let last, !last.isValid(publicKey: log.config.signingPublicKey, vault: vault) {
      fail("checkpoint \(k) (\(Self.date(last.time))): signature does not verify (checkpoint forged or modified)")
    }
    if let torn = cursor?.tornBytes, !torn.isEmpty {
      if Self.isPlausiblyTorn(checkpoint: torn, after: last, lastLink: lastLink, possibleEntries: possibleEntries) {
        report.findings.append(Finding(.warning, "log/checkpoints", "incomplete last checkpoint (an interrupted write; the next checkpoint replaces it)"))
      } else {
        fail("the \(torn.count) bytes after the last checkpoint are not the start of one (appended, or damaged)")
      }
    }

    // Pass 2 over the entries, with a second cursor over the checkpoints to compare each signed
    // head with the chain as the scan reaches its count.
    let covered = last?.count ?? 0
    let heads = cursor == nil ? nil : try CheckpointCursor(log: log)
    var pending = try heads?.next()
    var k2 = 1
    var chain = try LogRecord.genesis(vault: vault)
    var count: UInt64 = 0
    var chainBroken = false
    var savedHeadSeen = savedHead == Hex.encode(chain)
    var uncoveredKeyed: (first: UInt64, last: UInt64, count: Int)?
    let savedBytes = savedHead.flatMap(Hex.decode)
    func compareHeads() throws {
      while let (c, _) = pending, c.count <= count {
        // Past the listing limit, more comparisons only cost time.
        if errors > Self.maximumErrors {
          pending = nil
          return
        }
        if c.count == count, !chainBroken, c.head != chain {
          fail("entries up to \(c.count) do not match the head signed by checkpoint \(k2) (\(Self.date(c.time))): history was rewritten")
        }
        pending = try heads?.next()
        k2 += 1
      }
    }
    try compareHeads()
    let end = try log.scan { record in
      if !chainBroken {
        if record.seq != count {
          fail("entry \(count + 1): numbered \(record.seq &+ 1) (entries were deleted, inserted or reordered here)")
          chainBroken = true
        } else if try LogRecord.chain(previous: chain, seq: record.seq, body: record.body) != record.chain {
          fail("entry \(count + 1): chain hash does not match (the entry or one before it was edited, inserted, deleted or reordered)")
          chainBroken = true
        }
      }
      if let unlocked {
        do {
          let plain = try LogRecord.plaintext(record.body, seq: count, vault: vault, keys: unlocked.keys)
          // Entries written without the key must not claim to be someone who unlocked.
          if record.body.first == LogRecord.Mode.sealed.rawValue, try LogEntry.decode(plain).actor != LogEntry.system {
            fail("entry \(count + 1): written without the key but names someone as its actor (forged)")
          }
        } catch {
          fail("entry \(count + 1): does not decrypt (edited, or moved from another position or vault)")
        }
      }
      if record.body.first == LogRecord.Mode.keyed.rawValue, count + 1 > covered {
        uncoveredKeyed = (uncoveredKeyed?.first ?? count + 1, count + 1, (uncoveredKeyed?.count ?? 0) + 1)
      }
      // Once broken, follow the stored values: later checks still compare with checkpoints.
      chain = record.chain
      count += 1
      try compareHeads()
      if let savedBytes, record.chain == savedBytes { savedHeadSeen = true }
    }
    report.entries = count
    report.head = Hex.encode(chain)
    switch end {
    case .complete: break
    case .torn(let bytes):
      report.findings.append(Finding(.warning, "log/entries", "incomplete last record of \(bytes) bytes (an interrupted append; the next append removes it)"))
    case .malformed(let seq, let reason):
      fail("entry \(seq + 1): \(reason); the entries after it cannot be read")
    }
    // A checkpoint beyond the end: the entries it covered are gone (after unreadable damage,
    // that is a consequence, not a new finding).
    if let (c, _) = pending, c.count > count, end.isReadable {
      fail("the log has \(count) entries but checkpoint \(k2) (\(Self.date(c.time))) covers \(c.count): entries were removed (entries \(count + 1) to \(c.count) are missing: truncated, or the log rolled back)")
    }
    if let last, last.count <= count {
      report.unsigned = count - last.count
    } else if last == nil {
      report.unsigned = count
    }
    // Every keyed entry is followed by a checkpoint when written; more than one (a crash can
    // leave one) after the last checkpoint means checkpoints were deleted or rolled back.
    if !checkpointsRejected, let keyed = uncoveredKeyed {
      if last == nil {
        fail("there are no checkpoints although entry \(keyed.first) was written with the key (which always adds one): the checkpoints were deleted")
      } else if keyed.count > 1 {
        fail("entries \(keyed.first) to \(keyed.last) were written with the key but no checkpoint covers them: checkpoints were deleted or rolled back")
      }
    }
    if report.unsigned > 0 {
      report.findings.append(Finding(.warning, "log", "\(report.unsigned) entr\(report.unsigned == 1 ? "y" : "ies") after the last checkpoint \(report.unsigned == 1 ? "is" : "are") unsigned (appended without the key, e.g. by keyless commands; the next unlocked command signs them)"))
    }
    // An index that does not open is reported by the vault verifier; here only its generation matters.
    if let unlocked, let last, let generation = try? unlocked.committedIndex().generation {
      if generation < last.generation {
        fail("the index (generation \(generation)) is older than the last checkpoint says (generation \(last.generation)): the vault was rolled back to an older copy")
      }
    }
    if savedHead != nil && !savedHeadSeen {
      fail("the saved head \(savedHead ?? "") is not in this log: the log was rewritten or rolled back to before it was saved")
    }
    if errors > Self.maximumErrors {
      report.findings.append(Finding(.error, "log", "and \(errors - Self.maximumErrors) more problems like these (not listed)"))
    }
    report.findings = report.findings.filter { $0.severity == .error } + report.findings.filter { $0.severity != .error }
    return report
  }

  /// Up to this many checkpoints are read even when the entries cannot account for them (16 MiB).
  static let checkpointsReadWhenImpossible: UInt64 = 100_000

  /// The most errors listed one by one.
  static let maximumErrors = 200

  /// Whether the bytes after the last whole checkpoint could be the start of the next one, cut
  /// by a crash: zeros (a size extended without its data), or fields that fit where they stand.
  static func isPlausiblyTorn(checkpoint torn: [UInt8], after last: Checkpoint?, lastLink: [UInt8], possibleEntries: UInt64) -> Bool {
    if torn.allSatisfy({ $0 == 0 }) { return true }
    if torn.count >= 8 {
      let count = LittleEndian.u64(Array(torn.prefix(8)))
      guard count >= (last?.count ?? 0), count <= possibleEntries else { return false }
    }
    // count, head, time, generation, then the link to the last checkpoint.
    if torn.count >= 88 {
      let previous = Array(torn[56..<min(88, torn.count)])
      guard previous == Array(lastLink.prefix(previous.count)) else { return false }
    }
    return true
  }

  static func date(_ t: Int64) -> String { LogEntry.format(Date(timeIntervalSince1970: TimeInterval(t))) }
}
