/// Each entry carries the next number and the hash of its body chained to the entry before it;
/// the first broken link is reported (later ones follow from it). Then how log/entries ends:
/// a partial last record (an interrupted append) or damage that stops the reading.
struct EntryChainCheck: LogCheck {
  let name = "entry chain"

  func entry(_ record: LogRecord, _ context: LogCheckContext, _ findings: inout LogFindings) throws {
    guard !context.chainBroken else { return }
    let count = context.count
    if record.seq != count {
      findings.fail("entry \(count + 1): numbered \(record.seq &+ 1) (entries were deleted, inserted or reordered here)")
      context.chainBroken = true
    } else if try LogRecord.chain(previous: context.chain, seq: record.seq, body: record.body) != record.chain {
      findings.fail("entry \(count + 1): chain hash does not match (the entry or one before it was edited, inserted, deleted or reordered)")
      context.chainBroken = true
    }
  }

  func finish(_ context: LogCheckContext, _ findings: inout LogFindings) throws {
    switch context.end {
    case .complete: break
    case .torn(let bytes):
      findings.warn("log/entries", "incomplete last record of \(bytes) bytes (an interrupted append; the next append removes it)")
    case .malformed(let seq, let reason):
      findings.fail("entry \(seq + 1): \(reason); the entries after it cannot be read")
    }
  }
}
