import Foundation
import VaultCrypto

/// Named Argon2id cost levels for a key slot.
public enum KDFLevel: String, Sendable, CaseIterable {
  case moderate, sensitive, test

  /// Said whenever a slot is written with the test cost.
  public static let testWarning = "warning: --kdf test makes the passphrase easy to brute-force; use it only for tests and demos"

  var parameters: KDFParameters {
    switch self {
    case .moderate: .moderate
    case .sensitive: .sensitive
    case .test: .insecureTest
    }
  }
}

extension Vault {
  /// Creates a vault at `path` whose first key slot, labelled `label`, opens with `passphrase` at `cost`.
  public static func create(at path: String, passphrase: SecureBytes, label: String, cost: KDFLevel, reason: String? = nil) throws -> Creation {
    try create(at: path, passphrase: passphrase, label: label, kdf: cost.parameters, now: Int64(Date().timeIntervalSince1970), reason: reason)
  }
}
