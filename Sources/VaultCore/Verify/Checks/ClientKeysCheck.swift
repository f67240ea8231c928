import VaultCrypto

/// clientkeys/: every file named by a client id and holding that client's key; keyed, that the
/// key unwraps. Keyed, it sets `context.clientKeys`.
struct ClientKeysCheck: VaultCheck {
  let name = "client keys"

  func check(_ context: VaultCheckContext, _ findings: inout [Finding]) throws {
    for name in try Directories.list(context.layout.clientKeys) {
      let rel = "clientkeys/\(name)"
      guard let id = RandomID(hex: name) else {
        findings.append(Finding(.warning, rel, "unexpected file in clientkeys/"))
        continue
      }
      do {
        let file = try ClientKeyFile.decode(FileSystem.readFile(context.layout.clientKey(id), limit: ClientKeyFile.maximumFileSize))
        guard file.client == id else {
          findings.append(Finding(.error, rel, "client id inside the file does not match its name"))
          continue
        }
        if let unlocked = context.unlocked {
          context.clientKeys[id] = try file.open(as: unlocked.holder, keys: unlocked.keys, vault: context.vaultID)
        }
      } catch CryptoError.authenticationFailed {
        findings.append(Finding(.error, rel, "client key does not authenticate (modified, or moved from another client)"))
      } catch {
        findings.append(Finding(.error, rel, "client key file is damaged: \(error)"))
      }
    }
  }
}
