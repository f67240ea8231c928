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
  public func run(unlocked: UnlockedVault? = nil, savedHead: String? = nil) throws -> Report {
    let vault = log.config.vaultID
    var report = Report()
    let (checkpoints, tornCheckpoint) = try log.checkpoints()
    report.checkpoints = checkpoints.count
    func fail(_ message: String) {
      report.findings.append(Finding(.error, "log", message))
    }

    // The last signature, with the links, authenticates every checkpoint (Checkpoint).
    if let last = checkpoints.last, !last.isValid(publicKey: log.config.signingPublicKey, vault: vault) {
      fail("checkpoint \(checkpoints.count) (\(Self.date(last.time))): signature does not verify (checkpoint forged or modified)")
    }
    for (k, c) in checkpoints.enumerated() {
      let expected = k == 0 ? Checkpoint.noPrevious : try checkpoints[k - 1].link()
      if c.previous != expected {
        fail(k == 0
          ? "checkpoint 1 (\(Self.date(c.time))): is not the first checkpoint (earlier checkpoints were removed)"
          : "checkpoint \(k + 1) (\(Self.date(c.time))): does not follow checkpoint \(k) (checkpoint \(k) was modified, or checkpoints were removed, inserted or reordered)")
      }
      if k > 0 && c.count < checkpoints[k - 1].count {
        fail("checkpoint \(k + 1) covers fewer entries than checkpoint \(k) (checkpoints reordered or edited)")
      }
    }
    if tornCheckpoint { report.findings.append(Finding(.warning, "log/checkpoints", "incomplete last checkpoint (an interrupted write; the next checkpoint replaces it)")) }

    // Chain values at the counts checkpoints cover, to compare with their signed heads.
    let wanted = Set(checkpoints.map(\.count))
    var chainAt: [UInt64: [UInt8]] = [0: try LogRecord.genesis(vault: vault)]
    var chain = try LogRecord.genesis(vault: vault)
    var count: UInt64 = 0
    var chainBroken = false
    var savedHeadSeen = savedHead == Hex.encode(chain)
    var keyedPositions: [UInt64] = []
    let savedBytes = savedHead.flatMap(Hex.decode)
    let end = try log.scan { record in
      if !chainBroken {
        if record.seq != count {
          fail("entry \(count + 1): numbered \(record.seq &+ 1) (entries were deleted, inserted or reordered here)")
          chainBroken = true
        } else {
          let expected = try LogRecord.chain(previous: chain, seq: record.seq, body: record.body)
          if expected != record.chain {
            fail("entry \(count + 1): chain hash does not match (the entry or one before it was edited, inserted, deleted or reordered)")
            chainBroken = true
          }
        }
      }
      if let unlocked {
        do {
          let plain = try LogRecord.plaintext(record.body, seq: count, vault: vault, keys: unlocked.keys)
          // Entries written without the key must not claim to be someone who unlocked.
          if record.body.first == LogRecord.Mode.sealed.rawValue {
            let entry = try LogEntry.decode(plain)
            if entry.actor != LogEntry.system {
              fail("entry \(count + 1): written without the key but names '\(entry.actor)' as its actor (forged)")
            }
          }
        } catch {
          fail("entry \(count + 1): does not decrypt (edited, or moved from another position or vault)")
        }
      }
      if record.body.first == LogRecord.Mode.keyed.rawValue { keyedPositions.append(count + 1) }
      // Once broken, follow the stored values: later checks still compare with checkpoints.
      chain = record.chain
      count += 1
      if wanted.contains(count) { chainAt[count] = chainBroken ? nil : record.chain }
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

    for (k, c) in checkpoints.enumerated() {
      // After unreadable damage, checkpoints beyond it are consequences, not new findings.
      if case .malformed = end, c.count > count { break }
      if c.count > count {
        fail("the log has \(count) entries but checkpoint \(k + 1) (\(Self.date(c.time))) covers \(c.count): entries were removed (entries \(count + 1) to \(c.count) are missing: truncated, or the log rolled back)")
      } else if let at = chainAt[c.count], at != c.head {
        fail("entries up to \(c.count) do not match the head signed by checkpoint \(k + 1) (\(Self.date(c.time))): history was rewritten")
      }
    }
    if let last = checkpoints.last, last.count <= count {
      report.unsigned = count - last.count
    } else if checkpoints.isEmpty {
      report.unsigned = count
    }
    // Every keyed entry is followed by a checkpoint when written; more than one (a crash can
    // leave one) after the last checkpoint means checkpoints were deleted or rolled back.
    let covered = checkpoints.last?.count ?? 0
    let uncovered = keyedPositions.filter { $0 > covered }
    if checkpoints.isEmpty, let first = keyedPositions.first {
      fail("there are no checkpoints although entry \(first) was written with the key (which always adds one): the checkpoints were deleted")
    } else if uncovered.count > 1 {
      fail("entries \(uncovered[0]) to \(uncovered[uncovered.count - 1]) were written with the key but no checkpoint covers them: checkpoints were deleted or rolled back")
    }
    if report.unsigned > 0 {
      report.findings.append(Finding(.warning, "log", "\(report.unsigned) entr\(report.unsigned == 1 ? "y" : "ies") after the last checkpoint \(report.unsigned == 1 ? "is" : "are") unsigned (appended without the key, e.g. by keyless commands; the next unlocked command signs them)"))
    }
    // An index that does not open is reported by the vault verifier; here only its generation matters.
    if let unlocked, let last = checkpoints.last, let generation = try? unlocked.readIndex().generation {
      if generation < last.generation {
        fail("the index (generation \(generation)) is older than the last checkpoint says (generation \(last.generation)): the vault was rolled back to an older copy")
      }
    }
    if savedHead != nil && !savedHeadSeen {
      fail("the saved head \(savedHead ?? "") is not in this log: the log was rewritten or rolled back to before it was saved")
    }
    report.findings = report.findings.filter { $0.severity == .error } + report.findings.filter { $0.severity != .error }
    return report
  }

  static func date(_ t: Int64) -> String { LogEntry.format(Date(timeIntervalSince1970: TimeInterval(t))) }
}
