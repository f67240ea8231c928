/// The key slots: each one readable and named by its id, at least one usable, and a recovery
/// slot so that a forgotten passphrase does not lose the vault.
struct KeySlotsCheck: VaultCheck {
  let name = "key slots"

  func check(_ context: VaultCheckContext, _ findings: inout [Finding]) throws {
    let (slots, slotFindings) = try context.vault.keySlots()
    findings += slotFindings
    if slots.isEmpty { findings.append(Finding(.error, "slots", "no usable key slot: the vault cannot be unlocked")) }
    if !slots.contains(where: { $0.kind == .recovery }) {
      findings.append(Finding(.warning, "slots", "no recovery-key slot: a forgotten passphrase would lose the vault"))
    }
  }
}
