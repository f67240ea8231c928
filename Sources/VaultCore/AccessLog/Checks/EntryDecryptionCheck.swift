/// Keyed: every entry decrypts at its position in this vault's log, and entries written without
/// the key (sealed) do not claim someone who unlocked as their actor.
struct EntryDecryptionCheck: LogCheck {
  let name = "entry decryption"

  func entry(_ record: LogRecord, _ context: LogCheckContext, _ findings: inout LogFindings) throws {
    guard let unlocked = context.unlocked else { return }
    let count = context.count
    do {
      let plain = try LogRecord.plaintext(record.body, seq: count, vault: context.vaultID, keys: unlocked.keys)
      // Entries written without the key must not claim to be someone who unlocked.
      if record.body.first == LogRecord.Mode.sealed.rawValue, try LogEntry.decode(plain).actor != LogEntry.system {
        findings.fail("entry \(count + 1): written without the key but names someone as its actor (forged)")
      }
    } catch {
      findings.fail("entry \(count + 1): does not decrypt (edited, or moved from another position or vault)")
    }
  }
}
