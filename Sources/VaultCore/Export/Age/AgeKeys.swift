import VaultCrypto

/// Why an age file could not be written or read; the kinds follow the age test vectors.
public enum AgeError: Error, Equatable, Sendable, CustomStringConvertible {
  /// No identity given opens any stanza.
  case noMatch
  /// The header's MAC does not verify: the header was modified.
  case hmacFailure
  /// The header is malformed or uses something this implementation refuses.
  case headerFailure(String)
  /// The payload is truncated, modified or extended.
  case payloadFailure(String)
  /// A recipient string is not an age X25519 recipient.
  case invalidRecipient(String)
  /// An identity string is not an age X25519 identity.
  case invalidIdentity

  public var description: String {
    switch self {
    case .noMatch: "none of the given keys or passphrases opens this file"
    case .hmacFailure: "the file's header was modified (its MAC does not verify)"
    case .headerFailure(let why): "not a valid age file: \(why)"
    case .payloadFailure(let why): "the encrypted content is damaged: \(why)"
    case .invalidRecipient(let text): "'\(text)' is not an age recipient (age1… followed by 58 characters)"
    case .invalidIdentity: "not an age identity (AGE-SECRET-KEY-1…)"
    }
  }
}

/// Whom an age file is encrypted to.
public enum AgeRecipient: Sendable {
  /// An X25519 public key (from "age1…").
  case x25519([UInt8])
  /// A passphrase, stretched with scrypt at cost 2^logN; must be the file's only recipient.
  case scrypt(SecureBytes, logN: Int)

  /// Parses "age1…".
  public static func parse(_ text: String) throws(AgeError) -> AgeRecipient {
    guard let (hrp, data) = Bech32.decode(text), hrp == "age", data.count == 32, text == text.lowercased() else {
      throw .invalidRecipient(text)
    }
    // A low-order point (all zeros, for one) would give every sender the same, public, shared secret.
    guard let probe = try? SecureBytes.random(count: 32), (try? X25519.sharedSecret(probe, data)) != nil else { throw .invalidRecipient(text) }
    return .x25519(data)
  }

  /// "age1…" for an X25519 public key.
  public static func encode(publicKey: [UInt8]) -> String { Bech32.encode(hrp: "age", publicKey) }
}

/// What opens an age file.
public enum AgeIdentity: Sendable {
  /// An X25519 secret key (from "AGE-SECRET-KEY-1…").
  case x25519(SecureBytes)
  /// A passphrase for an scrypt stanza.
  case passphrase(SecureBytes)

  /// Parses "AGE-SECRET-KEY-1…" (upper case, as age writes it).
  public static func parse(_ text: String) throws(AgeError) -> AgeIdentity {
    guard let (hrp, data) = Bech32.decode(text), hrp == "age-secret-key-", data.count == 32, text == text.uppercased() else {
      throw .invalidIdentity
    }
    do {
      return .x25519(try data.withUnsafeBytes { try SecureBytes(copying: $0) })
    } catch { throw .invalidIdentity }
  }

  /// A new X25519 identity: its text ("AGE-SECRET-KEY-1…") and its recipient ("age1…").
  public static func generate() throws -> (identity: String, recipient: String) {
    let secret = try SecureBytes.random(count: 32)
    let bytes = secret.withUnsafeBytes { Array($0) }
    return (Bech32.encode(hrp: "age-secret-key-", bytes).uppercased(), AgeRecipient.encode(publicKey: try X25519.publicKey(of: secret)))
  }
}
