/// The chain reaches the head each checkpoint signed, at the count it signed, and no checkpoint
/// covers entries the log no longer has. Walks a second cursor over the checkpoints in step
/// with the scan (pass 2), so neither list is held in memory.
struct SignedHeadsCheck: LogCheck {
  let name = "signed heads"

  private var heads: CheckpointCursor?
  /// The next checkpoint to compare, and its number.
  private var pending: (Checkpoint, [UInt8])?
  private var k = 1

  mutating func start(_ context: LogCheckContext, _ findings: inout LogFindings) throws {
    heads = context.checkpoints == nil ? nil : try CheckpointCursor(log: context.log)
    pending = try heads?.next()
    try compare(count: context.count, chain: context.chain, context, &findings)
  }

  mutating func entry(_ record: LogRecord, _ context: LogCheckContext, _ findings: inout LogFindings) throws {
    try compare(count: context.count + 1, chain: record.chain, context, &findings)
  }

  func finish(_ context: LogCheckContext, _ findings: inout LogFindings) throws {
    // A checkpoint beyond the end: the entries it covered are gone (after unreadable damage,
    // that is a consequence, not a new finding).
    guard let (c, _) = pending, c.count > context.count, context.end.isReadable else { return }
    guard context.chainBroken else {
      findings.fail(
        "the log has \(context.count) entries but checkpoint \(k) (\(LogVerifier.date(c.time))) covers \(c.count): entries were removed (entries \(context.count + 1) to \(c.count) are missing: truncated, or the log rolled back)"
      )
      return
    }
    // After a break, the entries the break reported missing are not missing again: only what
    // the last entry's own number does not reach was cut from the end.
    let numbered = context.lastStoredSeq.map { $0 &+ 1 } ?? 0
    if let last = context.lastCheckpoint, last.count > numbered {
      findings.fail(
        "the last entry is numbered \(numbered) but the last checkpoint (\(LogVerifier.date(last.time))) covers \(last.count): entries \(numbered + 1) to \(last.count) were removed from the end (truncated, or the log rolled back)"
      )
    }
  }

  /// Compares every checkpoint up to `count` entries with `chain`, the head after that many.
  private mutating func compare(count: UInt64, chain: [UInt8], _ context: LogCheckContext, _ findings: inout LogFindings) throws {
    while let (c, _) = pending, c.count <= count {
      // Past the listing limit, more comparisons only cost time.
      if findings.pastLimit {
        pending = nil
        return
      }
      if c.count == count, !context.chainBroken, c.head != chain {
        findings.fail("entries up to \(c.count) do not match the head signed by checkpoint \(k) (\(LogVerifier.date(c.time))): history was rewritten")
      }
      pending = try heads?.next()
      k += 1
    }
  }
}
