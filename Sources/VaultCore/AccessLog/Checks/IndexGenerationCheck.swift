/// Keyed: the index is not older than the last checkpoint says (a vault rolled back to an older
/// copy). An index that does not open is reported by the vault verifier; here only its
/// generation matters.
struct IndexGenerationCheck: LogCheck {
  let name = "index generation"

  func finish(_ context: LogCheckContext, _ findings: inout LogFindings) throws {
    guard let unlocked = context.unlocked, let last = context.lastCheckpoint,
      let generation = try? unlocked.committedIndex().generation
    else { return }
    if generation < last.generation {
      findings.fail(
        "the index (generation \(generation)) is older than the last checkpoint says (generation \(last.generation)): the vault was rolled back to an older copy"
      )
    }
  }
}
