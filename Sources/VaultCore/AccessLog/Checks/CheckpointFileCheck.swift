/// Every checkpoint follows an entry, so a large checkpoints file holding more checkpoints than
/// the entries file could hold entries was padded or replaced: it is refused unread. (A small
/// one is read, so a log cut short gets its precise "entries were removed".)
struct CheckpointFileCheck: LogCheck {
  let name = "checkpoints file size"

  func start(_ context: LogCheckContext, _ findings: inout LogFindings) throws {
    guard let c = context.checkpoints, c.count > context.possibleEntries, c.count > LogVerifier.checkpointsReadWhenImpossible
    else { return }
    context.checkpointsRejected = true
    findings.fail(
      "log/checkpoints holds \(c.count) checkpoints, but log/entries (\(context.entriesSize) bytes) can hold at most \(context.possibleEntries) entries and every checkpoint follows one: the file was padded or replaced"
    )
    context.checkpoints = nil
  }
}
