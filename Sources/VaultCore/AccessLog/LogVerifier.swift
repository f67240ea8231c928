import Foundation

/// Checks the access log and reports precisely what is wrong (FORMAT.md §11.5).
///
/// Without keys it recomputes the hash chain and checks every checkpoint's signature; with
/// keys it also decrypts every entry and compares the index generation with the last checkpoint.
/// The checks themselves are in Checks/, one file per concern, run in the order of
/// `standardChecks`.
public struct LogVerifier {
  /// The log to check.
  public let log: AccessLog
  /// The checks to run, in order (`standardChecks` unless a test chooses).
  var checks: [any LogCheck] = LogVerifier.standardChecks

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
    /// Where the chain first breaks, and how many intact entries after it no longer chain
    /// because of it (nil when the chain holds).
    public var chainBreak: ChainBreak?
  }

  /// The first broken link of the chain (`Report.chainBreak`, docs/JSON.md "chainBreak").
  public struct ChainBreak: Sendable, Encodable, Equatable {
    /// Its position in log/entries, from 1.
    public let entry: UInt64
    /// What is wrong there, as in the findings.
    public let message: String
    /// Entries after it that are intact but no longer chain because of it (counted, not listed).
    public var laterEntries: UInt64
  }

  /// Runs every check. `savedHead` is a head the user kept elsewhere (`--head`): it must appear
  /// in the chain, or the log was rewritten or rolled back since.
  ///
  /// Both files are streamed (a few MiB of buffers whatever their sizes), and sizes no log can
  /// have are refused before anything is read: a padded file costs a stat, not gigabytes.
  public func run(unlocked: UnlockedVault? = nil, savedHead: String? = nil) throws -> Report {
    let context = try LogCheckContext(log: log, unlocked: unlocked, savedHead: savedHead)
    var findings = LogFindings()
    var checks = self.checks
    // Pass 1: the checkpoint checks read log/checkpoints.
    for i in checks.indices { try checks[i].start(context, &findings) }
    // Pass 2: one scan of log/entries, each record shown to every check in turn.
    context.end = try log.scan { record in
      for i in checks.indices { try checks[i].entry(record, context, &findings) }
      // Once broken, follow the stored values: later checks still compare with checkpoints.
      context.chain = record.chain
      context.count += 1
      context.lastStoredSeq = record.seq
    }
    if let last = context.lastCheckpoint, last.count <= context.count {
      context.unsigned = context.count - last.count
    } else if context.lastCheckpoint == nil {
      context.unsigned = context.count
    }
    for i in checks.indices { try checks[i].finish(context, &findings) }

    var report = Report()
    report.entries = context.count
    report.checkpoints = context.checkpointsRead
    report.unsigned = context.unsigned
    report.head = Hex.encode(context.chain)
    report.chainBreak = context.firstBreak
    if findings.pastLimit {
      findings.findings.append(Finding(.error, "log", "and \(findings.errors - Self.maximumErrors) more problems like these (not listed)"))
    }
    report.findings = findings.findings.filter { $0.severity == .error } + findings.findings.filter { $0.severity != .error }
    return report
  }

  /// Up to this many checkpoints are read even when the entries cannot account for them (16 MiB).
  static let checkpointsReadWhenImpossible: UInt64 = 100_000

  /// The most errors listed one by one.
  static let maximumErrors = 200

  static func date(_ t: Int64) -> String { LogEntry.format(Date(timeIntervalSince1970: TimeInterval(t))) }
}
