/// Keyed: every entry decrypts at its position in this vault's log, and entries written without
/// the key (sealed) do not claim someone who unlocked as their actor. A practitioner whose role
/// does not read the log seals their entries too, and signs a checkpoint right after each: a
/// sealed entry may name someone only if a checkpoint ends exactly at it, with its chain value
/// as the head (FORMAT.md §11.2).
struct EntryDecryptionCheck: LogCheck {
  let name = "entry decryption"

  func entry(_ record: LogRecord, _ context: LogCheckContext, _ findings: inout LogFindings) throws {
    guard let unlocked = context.unlocked else { return }
    let count = context.count
    // After a break (reported once by `EntryChainCheck`), an entry is opened at the number it
    // carries: one deleted entry must not make every later one "not decrypt". Its number is
    // bound into the encryption, so an entry that opens at it is authentic at that number.
    let seq = context.chainBroken ? record.seq : count
    do {
      let plain = try LogRecord.plaintext(record.body, seq: seq, vault: context.vaultID, keys: unlocked.keys)
      // Entries written without the key must not claim to be someone who unlocked.
      if record.body.first == LogRecord.Mode.sealed.rawValue, try LogEntry.decode(plain).actor != LogEntry.system,
        context.checkpointHeads[seq + 1] != record.chain
      {
        findings.fail("entry \(count + 1): written without the key but names someone as its actor, and no checkpoint was signed right after it (forged)")
      }
    } catch {
      // A fault of its own: listed, so not counted among the entries cut off only by the break.
      if context.cutOffAt == count + 1 { context.cutOff -= 1 }
      findings.fail(
        "entry \(count + 1)\(seq != count ? " (numbered \(seq &+ 1))" : ""): does not decrypt (edited, or moved from another position or vault)")
    }
  }
}
