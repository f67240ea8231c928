/// `--head`: a head the user kept elsewhere must appear in the chain, or the log was rewritten
/// or rolled back since.
struct SavedHeadCheck: LogCheck {
  let name = "saved head"

  private var seen = false
  private var saved: [UInt8]?

  mutating func start(_ context: LogCheckContext, _ findings: inout LogFindings) throws {
    seen = context.savedHead == Hex.encode(context.chain)
    saved = context.savedHead.flatMap { Hex.decode($0) }
  }

  mutating func entry(_ record: LogRecord, _ context: LogCheckContext, _ findings: inout LogFindings) throws {
    if let saved, record.chain == saved { seen = true }
  }

  func finish(_ context: LogCheckContext, _ findings: inout LogFindings) throws {
    if let savedHead = context.savedHead, !seen {
      findings.fail("the saved head \(savedHead) is not in this log: the log was rewritten or rolled back to before it was saved")
    }
  }
}
