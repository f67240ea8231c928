/// Each entry carries the next number and the hash of its body chained to the entry before it.
/// The first broken link is reported, saying which entry and what is wrong. After it, each
/// entry is judged against the one stored before it (its own number, its own chain value): one
/// deleted, edited or inserted entry then makes one finding and a count of the intact entries
/// it cut off ("and 43 later entries no longer chain"), not one error per later entry; a
/// second, independent break is still reported on its own. Then how log/entries ends: a
/// partial last record (an interrupted append) or damage that stops the reading.
struct EntryChainCheck: LogCheck {
  let name = "entry chain"

  func entry(_ record: LogRecord, _ context: LogCheckContext, _ findings: inout LogFindings) throws {
    let position = context.count + 1
    guard context.chainBroken else {
      let count = context.count
      if record.seq != count {
        breakFound(at: position, record.seq > count
          ? "numbered \(record.seq &+ 1): \(Self.entries(record.seq - count)) before it \(record.seq - count == 1 ? "is" : "are") missing (deleted), or entries were reordered here"
          : "numbered \(record.seq &+ 1), a number an earlier entry holds (an entry was inserted or replayed here, or entries were reordered)",
          context, &findings)
      } else if try LogRecord.chain(previous: context.chain, seq: record.seq, body: record.body) != record.chain {
        breakFound(at: position, "chain hash does not match (the entry or one before it was edited, inserted, deleted or reordered)", context, &findings)
      }
      return
    }
    // After a break: an entry that follows the one stored before it, by number and by chain,
    // is intact and fails only because of the break; anything else is a break of its own.
    let expected = (context.lastStoredSeq ?? 0) &+ 1
    if record.seq == expected, try LogRecord.chain(previous: context.chain, seq: record.seq, body: record.body) == record.chain {
      context.cutOff += 1
      context.cutOffAt = position
    } else if record.seq != expected {
      findings.fail("entry \(position): numbered \(record.seq &+ 1) after an entry numbered \(expected) (deleted, inserted or reordered here too)")
    } else {
      findings.fail("entry \(position): chain hash does not match the entry before it (edited or replaced here too)")
    }
  }

  /// Records the first break: the finding, and where it is for `cutOff` and the JSON report.
  private func breakFound(at position: UInt64, _ what: String, _ context: LogCheckContext, _ findings: inout LogFindings) {
    let message = "entry \(position): \(what)"
    findings.fail(message)
    context.chainBroken = true
    context.firstBreak = LogVerifier.ChainBreak(entry: position, message: message, laterEntries: 0)
  }

  func finish(_ context: LogCheckContext, _ findings: inout LogFindings) throws {
    if context.cutOff > 0, let first = context.firstBreak {
      let n = context.cutOff
      findings.fail(
        "and \(n) later entr\(n == 1 ? "y" : "ies") no longer chain\(n == 1 ? "s" : "") to the signed history because of the break at entry \(first.entry) (each is intact and follows the one before it)")
    }
    context.firstBreak?.laterEntries = context.cutOff
    switch context.end {
    case .complete: break
    case .torn(let bytes):
      findings.warn("log/entries", "incomplete last record of \(bytes) bytes (an interrupted append; the next append removes it)")
    case .malformed(let seq, let reason):
      findings.fail("entry \(seq + 1): \(reason); the entries after it cannot be read")
    }
  }

  /// "1 entry", "3 entries".
  static func entries(_ n: UInt64) -> String { n == 1 ? "1 entry" : "\(n) entries" }
}
