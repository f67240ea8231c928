import VaultCrypto

/// Pass 1 over the checkpoints: each names the hash of the one before it, and none covers fewer
/// entries than its predecessor. Sets `lastCheckpoint`, `lastLink` and `checkpointsRead` (whose
/// signature, with the links, authenticates every checkpoint).
struct CheckpointLinksCheck: LogCheck {
  let name = "checkpoint links"

  func start(_ context: LogCheckContext, _ findings: inout LogFindings) throws {
    var last: Checkpoint?
    var lastLink = Checkpoint.noPrevious
    var k = 0
    while let (c, raw) = try context.checkpoints?.next() {
      k += 1
      if c.previous != lastLink {
        findings.fail(
          k == 1
            ? "checkpoint 1 (\(LogVerifier.date(c.time))): is not the first checkpoint (earlier checkpoints were removed)"
            : "checkpoint \(k) (\(LogVerifier.date(c.time))): does not follow checkpoint \(k - 1) (checkpoint \(k - 1) was modified, or checkpoints were removed, inserted or reordered)"
        )
      }
      if let last, c.count < last.count {
        findings.fail("checkpoint \(k) covers fewer entries than checkpoint \(k - 1) (checkpoints reordered or edited)")
      }
      last = c
      lastLink = try Hasher.blake2b256(raw)
      // Past the listing limit the rest of the chain adds nothing: jump to the last checkpoint.
      if findings.pastLimit, let cursor = context.checkpoints, let (final, finalRaw) = try cursor.last() {
        (last, lastLink, k) = (final, try Hasher.blake2b256(finalRaw), Int(cursor.count))
        break
      }
    }
    context.lastCheckpoint = last
    context.lastLink = lastLink
    context.checkpointsRead = k
  }
}
