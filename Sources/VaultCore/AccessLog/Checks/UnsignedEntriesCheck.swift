import Foundation

/// Entries after the last checkpoint are unsigned (a warning). The next unlocked command signs
/// them with its own entry's checkpoint; a keyed verification first signs those that keyless
/// commands write (`signRoutineTail`), so only the others are left to report. With the key, the warning names the first entry that
/// is not what a keyless command writes, and why: left unsigned on purpose, it may be forged.
struct UnsignedEntriesCheck: LogCheck {
  let name = "unsigned entries"

  /// Sealed entries after the last checkpoint that keyless commands do not write: how many, and the first.
  private var unexpected: (count: Int, first: String)?

  mutating func entry(_ record: LogRecord, _ context: LogCheckContext, _ findings: inout LogFindings) throws {
    guard let unlocked = context.unlocked, !context.chainBroken, let last = context.lastCheckpoint, context.count >= last.count,
      record.body.first == LogRecord.Mode.sealed.rawValue,
      let entry = try? LogRecord.open(record.body, seq: context.count, vault: context.vaultID, keys: unlocked.keys),
      let why = AccessLog.notRoutine(entry, after: last.time, now: Int64(Date().timeIntervalSince1970))
    else { return }
    unexpected = ((unexpected?.count ?? 0) + 1, unexpected?.first ?? "entry \(context.count + 1), '\(entry.action)': \(why)")
  }

  func finish(_ context: LogCheckContext, _ findings: inout LogFindings) throws {
    let n = context.unsigned
    guard n > 0 else { return }
    var message =
      "\(n) entr\(n == 1 ? "y" : "ies") after the last checkpoint \(n == 1 ? "is" : "are") unsigned (appended without the key, e.g. by keyless commands; the next unlocked command signs them)"
    if let unexpected {
      message +=
        "; \(unexpected.count == 1 ? "one is" : "\(unexpected.count) are") not what a keyless command writes, so unlocking did not sign \(unexpected.count == 1 ? "it" : "them") (the first: \(unexpected.first)): if nobody ran such a command, someone who can write the vault's files may have added \(unexpected.count == 1 ? "it" : "them"); see 'vault log show' and THREAT-MODEL.md, \"The access log\""
    }
    findings.warn("log", message)
  }
}
