#if canImport(Glibc)
  import Glibc
#endif
import Foundation

/// What keyless commands append in normal operation, and the signing of it when the vault is
/// next unlocked: a nightly `vault backup` must not leave a warning for every `vault verify`.
///
/// Only entries that pass every check below are signed, all of them or none; anything else
/// stays unsigned and `vault log verify` goes on reporting it, naming the first entry that was
/// not signed and why (THREAT-MODEL.md, "The access log").
extension AccessLog {
  /// The actions keyless commands write: `backup`, `info`, keyless `verify`, `log-head`,
  /// `unlock-failed`, `session-end` (`Action.mode == .keyless`).
  static let routineKeylessActions: Set<String> = Set(Action.allCases.filter { $0.mode == .keyless }.map(\.rawValue))

  /// How far an entry's time may lie before the last checkpoint or after now (clocks differ a little).
  static let routineClockSlack: Int64 = 300

  /// Why `entry`, sealed without the key after the last checkpoint (signed at `after`), is not
  /// one a keyless command writes in normal operation; nil when it is: an action of
  /// `routineKeylessActions`, the actor `system`, no practitioner, client or objects, no flag
  /// but `unlock-failed`'s own, and a time between the last checkpoint and now.
  static func notRoutine(_ entry: LogEntry, after: Int64?, now: Int64) -> String? {
    guard routineKeylessActions.contains(entry.action) else { return "'\(entry.action)' is not an action of a keyless command" }
    guard entry.actor == LogEntry.system, entry.practitioner == nil else { return "it names an actor" }
    guard entry.client == nil, entry.objects == nil else { return "keyless commands name no client or object" }
    if let flag = entry.flag, !(entry.action == Action.unlockFailed.rawValue && flag == "failed unlock") { return "it is flagged '\(flag)'" }
    guard let t = LogEntry.parse(entry.time).map({ Int64($0.timeIntervalSince1970) }) else { return "its time is invalid" }
    if let after, t < after - routineClockSlack { return "it is dated before the last checkpoint" }
    if t > now + routineClockSlack { return "it is dated in the future" }
    return nil
  }

  /// Signs a checkpoint over the entries appended without the key since the last checkpoint,
  /// when every one of them is what a keyless command writes (`notRoutine`), each is a sealed
  /// record that opens at its position in this vault, and they chain from the head the last
  /// checkpoint signed. Called by the keyed verifications before they read the log
  /// (`Practice.signRoutineKeylessEntries`), so a keyless backup's entry is signed before the
  /// next `vault verify` looks; every other unlocked command covers such entries with its own
  /// entry's checkpoint. Returns how many entries the new
  /// checkpoint took in (0: nothing to sign, or something that is left for verification to
  /// report). Needs the log keys (an owner's or an auditor's unlock); never writes an entry.
  @discardableResult
  func signRoutineTail(unlocked: UnlockedVault, limit: UInt64 = 10_000) throws -> UInt64 {
    guard startsWithInit, unlocked.keys.logEntries != nil, unlocked.keys.logBox != nil, FileStatus.exists(layout.logEntries) else { return 0 }
    do {
      let file = try LogFile(path: layout.logEntries, kind: .logEntries, lock: LOCK_EX)
      return try withExtendedLifetime(file) {
        let tail = try file.tail(vault: config.vaultID)
        guard tail.tornBytes == nil, let covered = try lastCheckpoint(), covered.count < tail.count, tail.count - covered.count <= limit,
          covered.count > 0
        else { return 0 }
        // The same refusals as an append: never sign over a forged checkpoint, a shorter log or an older index.
        let generation = try unlocked.committedIndex().generation
        try checkSigning(after: covered, entries: tail.count, generation: generation, file: file)
        // The unsigned records, read back from the end, must chain from the signed head.
        var records: [LogRecord] = []
        var end = tail.end
        while UInt64(records.count) < tail.count - covered.count {
          guard let (record, start) = try file.record(endingAt: end) else { return 0 }
          records.append(record)
          end = start
        }
        guard let (signed, _) = try file.record(endingAt: end), signed.seq == covered.count - 1, signed.chain == covered.head else { return 0 }
        var chain = covered.head
        let now = Int64(Date().timeIntervalSince1970)
        for (i, record) in records.reversed().enumerated() {
          let seq = covered.count + UInt64(i)
          guard record.seq == seq, record.body.first == LogRecord.Mode.sealed.rawValue,
            try LogRecord.chain(previous: chain, seq: seq, body: record.body) == record.chain,
            let entry = try? LogRecord.open(record.body, seq: seq, vault: config.vaultID, keys: unlocked.keys),
            Self.notRoutine(entry, after: covered.time, now: now) == nil
          else { return 0 }
          chain = record.chain
        }
        let cp = try LogFile(path: layout.logCheckpoints, kind: .logCheckpoints, lock: nil)
        try withExtendedLifetime(cp) {
          try cp.truncate(to: cp.alignedEnd(recordSize: Checkpoint.size))
          let c = Checkpoint.sign(
            count: tail.count, head: tail.chain, time: now, generation: generation, previous: try covered.link(), keys: unlocked.keys,
            vault: config.vaultID)
          try cp.append(c.encoded)
        }
        return tail.count - covered.count
      }
    } catch { throw VaultError.from(error) }
  }
}
