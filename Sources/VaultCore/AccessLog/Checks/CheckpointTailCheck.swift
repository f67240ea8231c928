/// Bytes after the last whole checkpoint: the start of one cut by a crash is a warning (the
/// next checkpoint replaces it); anything else was appended or damaged.
struct CheckpointTailCheck: LogCheck {
  let name = "checkpoints file tail"

  func start(_ context: LogCheckContext, _ findings: inout LogFindings) throws {
    guard let torn = context.checkpoints?.tornBytes, !torn.isEmpty else { return }
    if Self.isPlausiblyTorn(checkpoint: torn, after: context.lastCheckpoint, lastLink: context.lastLink, possibleEntries: context.possibleEntries) {
      findings.warn("log/checkpoints", "incomplete last checkpoint (an interrupted write; the next checkpoint replaces it)")
    } else {
      findings.fail("the \(torn.count) bytes after the last checkpoint are not the start of one (appended, or damaged)")
    }
  }

  /// Whether the bytes after the last whole checkpoint could be the start of the next one, cut
  /// by a crash: zeros (a size extended without its data), or fields that fit where they stand.
  static func isPlausiblyTorn(checkpoint torn: [UInt8], after last: Checkpoint?, lastLink: [UInt8], possibleEntries: UInt64) -> Bool {
    if torn.allSatisfy({ $0 == 0 }) { return true }
    if torn.count >= 8 {
      let count = LittleEndian.u64(Array(torn.prefix(8)))
      guard count >= (last?.count ?? 0), count <= possibleEntries else { return false }
    }
    // count, head, time, generation, then the link to the last checkpoint.
    if torn.count >= 88 {
      let previous = Array(torn[56..<min(88, torn.count)])
      guard previous == Array(lastLink.prefix(previous.count)) else { return false }
    }
    return true
  }
}
