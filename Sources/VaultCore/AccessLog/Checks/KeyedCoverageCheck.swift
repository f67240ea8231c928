/// Every entry written with the key is followed by a checkpoint when written; more than one
/// (a crash can leave one) after the last checkpoint means checkpoints were deleted or rolled back.
struct KeyedCoverageCheck: LogCheck {
  let name = "keyed entries covered"

  /// Keyed entries after the last checkpoint: the first, the last, how many.
  private var uncovered: (first: UInt64, last: UInt64, count: Int)?

  mutating func entry(_ record: LogRecord, _ context: LogCheckContext, _ findings: inout LogFindings) throws {
    let n = context.count + 1
    if record.body.first == LogRecord.Mode.keyed.rawValue, n > (context.lastCheckpoint?.count ?? 0) {
      uncovered = (uncovered?.first ?? n, n, (uncovered?.count ?? 0) + 1)
    }
  }

  func finish(_ context: LogCheckContext, _ findings: inout LogFindings) throws {
    guard !context.checkpointsRejected, let keyed = uncovered else { return }
    if context.lastCheckpoint == nil {
      findings.fail("there are no checkpoints although entry \(keyed.first) was written with the key (which always adds one): the checkpoints were deleted")
    } else if keyed.count > 1 {
      findings.fail("entries \(keyed.first) to \(keyed.last) were written with the key but no checkpoint covers them: checkpoints were deleted or rolled back")
    }
  }
}
