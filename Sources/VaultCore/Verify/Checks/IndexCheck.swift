import VaultCrypto

/// The index: its structure without keys; with keys, that it authenticates for this vault.
/// Keyed, it sets `context.index` for the checks that follow what it names.
struct IndexCheck: VaultCheck {
  let name = "index"

  func check(_ context: VaultCheckContext, _ findings: inout [Finding]) throws {
    do {
      let bytes = try FileSystem.readFile(context.layout.index, limit: VaultIndex.maximumFileSize)
      if let unlocked = context.unlocked {
        do {
          context.index = try VaultIndex.decode(bytes, keys: unlocked.keys, vault: context.vaultID)
        } catch CryptoError.authenticationFailed {
          findings.append(Finding(.error, "index", "index does not authenticate (modified, or from another vault)"))
        }
      } else {
        try VaultIndex.checkStructure(bytes)
      }
    } catch {
      findings.append(Finding(.error, "index", "\(error)"))
    }
  }
}
