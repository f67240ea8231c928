// AccessLog/Checks/ holds `vault log verify`'s checks, one file per concern, run in the order
// of `LogVerifier.standardChecks`.
//
// The log is read in two streaming passes, so memory stays a few MiB whatever its size: the
// checkpoint checks read log/checkpoints in their `start` (CheckpointLinksCheck walks it), then
// the verifier scans log/entries once and hands each record to every check's `entry`; `finish`
// runs after the scan. A check keeps what it needs across entries in its own stored properties
// (each run starts from the values in the list), never a list of entries.
//
// To add a check: write one file here with a struct conforming to `LogCheck`, implementing the
// phases it needs, and append it to `standardChecks` below. Report errors with `findings.fail`
// (it counts every error and lists the first `LogVerifier.maximumErrors`; stop costly work once
// `findings.pastLimit`) and warnings with `findings.warn`; the verifier lists errors first.

import VaultCrypto

/// One concern of `vault log verify`.
protocol LogCheck {
  /// What it checks, in a few words.
  var name: String { get }
  /// Before the entries are read (pass 1 over the checkpoints happens here).
  mutating func start(_ context: LogCheckContext, _ findings: inout LogFindings) throws
  /// Each entry in order. `context.count` entries precede it and `context.chain` is the head
  /// stored before it; the verifier advances both after every check has seen the entry.
  mutating func entry(_ record: LogRecord, _ context: LogCheckContext, _ findings: inout LogFindings) throws
  /// After the scan: `context.end` says why it stopped.
  mutating func finish(_ context: LogCheckContext, _ findings: inout LogFindings) throws
}

extension LogCheck {
  mutating func start(_ context: LogCheckContext, _ findings: inout LogFindings) throws {}
  mutating func entry(_ record: LogRecord, _ context: LogCheckContext, _ findings: inout LogFindings) throws {}
  mutating func finish(_ context: LogCheckContext, _ findings: inout LogFindings) throws {}
}

extension LogVerifier {
  /// Every check, in the order their findings are made (errors are then listed before
  /// warnings). Later ones read what earlier ones established, so append new checks.
  static var standardChecks: [any LogCheck] {
    [
      CheckpointFileCheck(),  // a checkpoints file too large for the entries is refused unread
      CheckpointLinksCheck(),  // pass 1: each checkpoint links to the one before (sets `lastCheckpoint`)
      CheckpointSignatureCheck(),  // the last checkpoint's signature (with the links, all of them)
      CheckpointTailCheck(),  // bytes after the last whole checkpoint
      EntryChainCheck(),  // entry numbers and the hash chain; how the entries file ends
      EntryDecryptionCheck(),  // keyed: every entry decrypts; keyless ones name no actor
      SignedHeadsCheck(),  // the chain reaches every checkpoint's signed head; none beyond the end
      KeyedCoverageCheck(),  // keyed entries left without a checkpoint
      UnsignedEntriesCheck(),  // entries after the last checkpoint (warning)
      IndexGenerationCheck(),  // keyed: the index is not older than the last checkpoint
      SavedHeadCheck(),  // --head: a saved head is still in the log
    ]
  }
}

/// The findings of one log verification, with the cap on how many errors are listed.
struct LogFindings {
  /// Listed problems, in the order found.
  var findings: [Finding] = []
  /// Every error found, listed or not.
  private(set) var errors = 0

  /// Past the listing limit: further errors are only counted, so checks may skip work.
  var pastLimit: Bool { errors > LogVerifier.maximumErrors }

  /// Counts an error and lists it while under the limit (one damage can break every later
  /// link; a few hundred findings say it, millions would not).
  mutating func fail(_ message: @autoclosure () -> String) {
    errors += 1
    if errors <= LogVerifier.maximumErrors { findings.append(Finding(.error, "log", message())) }
  }

  /// Lists a warning about `path` (never capped: each check makes at most one).
  mutating func warn(_ path: String, _ message: String) {
    findings.append(Finding(.warning, path, message))
  }
}

/// What the checks of one log verification share.
final class LogCheckContext {
  /// The log being checked.
  let log: AccessLog
  /// The unlocked vault for the keyed checks; nil without the key.
  let unlocked: UnlockedVault?
  /// A head the user kept elsewhere (`--head`), hex.
  let savedHead: String?
  /// The size of log/entries.
  let entriesSize: UInt64
  /// The most entries a file of `entriesSize` bytes can hold.
  let possibleEntries: UInt64

  /// Pass 1's cursor over log/checkpoints: nil when the file is missing or empty, or once
  /// `CheckpointFileCheck` refused it. It stays open for the whole run.
  var checkpoints: CheckpointCursor?
  /// Set by `CheckpointFileCheck` when it refused the checkpoints file unread.
  var checkpointsRejected = false
  /// The last checkpoint and how many were read: set by `CheckpointLinksCheck`.
  var lastCheckpoint: Checkpoint?
  var checkpointsRead = 0
  /// BLAKE2b-256 of the last checkpoint's record (what a next one would link to): set by
  /// `CheckpointLinksCheck`.
  var lastLink = Checkpoint.noPrevious

  /// During the scan: entries before the current one (after it: all of them), advanced by the verifier.
  var count: UInt64 = 0
  /// During the scan: the chain value stored before the current entry (the genesis value before
  /// the first); after it, the head. Once the chain breaks it follows the stored values.
  var chain: [UInt8]
  /// Set by `EntryChainCheck` at the first broken link; later links are judged only against
  /// the entry stored before them, and signed heads are no longer compared.
  var chainBroken = false
  /// The first broken link, set by `EntryChainCheck`.
  var firstBreak: LogVerifier.ChainBreak?
  /// Entries after the first break that are intact and fail only because of it (each follows
  /// the one stored before it): counted by `EntryChainCheck`, not listed one by one.
  var cutOff: UInt64 = 0
  /// The position of the last entry counted in `cutOff`: a later check that finds a fault of
  /// the entry's own (it does not decrypt) lists it and takes it out of the count.
  var cutOffAt: UInt64?
  /// The number stored in the last record read (nil before the first).
  var lastStoredSeq: UInt64?
  /// After the scan: why it stopped.
  var end = LogScanEnd.complete
  /// After the scan: entries after the last checkpoint.
  var unsigned: UInt64 = 0

  init(log: AccessLog, unlocked: UnlockedVault?, savedHead: String?) throws {
    self.log = log
    self.unlocked = unlocked
    self.savedHead = savedHead
    chain = try LogRecord.genesis(vault: log.config.vaultID)
    entriesSize = try log.fileSize(log.layout.logEntries)
    possibleEntries = entriesSize > UInt64(FileHeader.size)
      ? (entriesSize - UInt64(FileHeader.size)) / UInt64(LogRecord.overhead + LogRecord.minimumBody) : 0
    checkpoints = try CheckpointCursor(log: log)
  }

  /// The vault's id.
  var vaultID: RandomID { log.config.vaultID }
  /// The head each checkpoint signed, by the count it covers (read once, when a sealed entry names someone).
  lazy var checkpointHeads: [UInt64: [UInt8]] = Dictionary(
    ((try? log.checkpoints().checkpoints) ?? []).map { ($0.count, $0.head) }, uniquingKeysWith: { first, _ in first })
}
