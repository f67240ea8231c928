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

/// A key slot as `passwd` and `info` describe it.
public struct SlotSummary: Encodable, Sendable, Equatable {
  /// The slot's id (hex); "id" in JSON, as in `info`'s slots.
  public let slot: String
  public let label: String
  /// Argon2id passes and memory in bytes.
  public let opsLimit: UInt64, memLimit: UInt64

  enum CodingKeys: String, CodingKey {
    case slot = "id"
    case label, opsLimit, memLimit
  }
}

/// Passphrases and key slots of an unlocked practice.
public struct Keys {
  let practice: Practice

  /// Rewraps the slot that unlocked with `passphrase` (its label changed to `label`, its cost to
  /// `cost` when given); the old passphrase no longer unlocks.
  public func changePassphrase(to passphrase: SecureBytes, label: String?, cost: KDFLevel?) throws -> SlotSummary {
    try practice.access(.keyChange) {
      let slot = try practice.unlockedKeys.changePassphrase(to: passphrase, label: label, kdf: cost?.parameters, now: practice.now)
      return .init(
        value: SlotSummary(slot: slot.id.hex, label: slot.label, opsLimit: slot.kdf.opsLimit, memLimit: slot.kdf.memLimit),
        detail: "key slot '\(slot.label)' rewrapped\(cost.map { " (Argon2id cost: \($0.rawValue))" } ?? "")")
    }
  }
}

extension Vault {
  /// Creates a vault at `path` whose first key slot, labelled `label`, opens with `passphrase` at `cost`.
  public static func create(at path: String, passphrase: SecureBytes, label: String, cost: KDFLevel, reason: String? = nil) throws -> Creation {
    try create(at: path, passphrase: passphrase, label: label, kdf: cost.parameters, now: Int64(Date().timeIntervalSince1970), reason: reason)
  }
}
