import Foundation
import VaultCore
import VaultCrypto

/// A temporary directory removed when the value is released.
final class TemporaryDirectory {
  let path: String

  init() throws {
    path = FileManager.default.temporaryDirectory.appendingPathComponent("vault-core-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Secure bytes holding `text`, as a passphrase source would produce them.
func secret(_ text: String) throws -> SecureBytes {
  try Array(text.utf8).withUnsafeBytes { try SecureBytes(copying: $0) }
}

/// A fresh vault with the cheap test KDF.
func makeVault(in dir: TemporaryDirectory, passphrase: String = "correct horse battery staple") throws -> Vault.Creation {
  try Vault.create(at: dir.path + "/v", passphrase: secret(passphrase), label: "tester", kdf: .insecureTest, now: 1_800_000_000)
}

/// The package's Tests/VaultCoreTests directory, found from this file's path.
let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
