internal import Clibsodium

/// An X25519 key pair for sealed boxes: anyone with the public key can seal, only the
/// holder of the secret key can open. Used so unattended jobs can write what they cannot read.
public struct BoxKeyPair: Sendable {
  /// The 32-byte public key, safe to store in the clear.
  public let publicKey: [UInt8]
  let secretKey: SecureBytes

  /// Derives the key pair deterministically from a 32-byte seed.
  public init(seed: SecretKey) throws {
    var pk = [UInt8](repeating: 0, count: Int(crypto_box_PUBLICKEYBYTES))
    let sk = try SecureBytes(count: Int(crypto_box_SECRETKEYBYTES))
    let rc = sk.withUnsafeMutableBytes { s in
      seed.withUnsafeBytes { sd in
        crypto_box_seed_keypair(&pk, s.baseAddress!.assumingMemoryBound(to: UInt8.self), sd.baseAddress!.assumingMemoryBound(to: UInt8.self))
      }
    }
    guard rc == 0 else { throw CryptoError.operationFailed("key pair derivation") }
    publicKey = pk
    secretKey = sk
  }
}

/// crypto_box_seal: anonymous public-key encryption (X25519, XSalsa20-Poly1305).
public enum SealedBox {
  /// Public key length.
  public static let publicKeySize = Int(crypto_box_PUBLICKEYBYTES)
  /// Bytes a sealed box adds to its plaintext.
  public static let overhead = crypto_box_sealbytes()

  /// Seals `message` to `publicKey`.
  public static func seal(_ message: [UInt8], to publicKey: [UInt8]) throws -> [UInt8] {
    try Sodium.ready()
    guard publicKey.count == publicKeySize else { throw CryptoError.invalidLength(expected: publicKeySize, actual: publicKey.count) }
    var out = [UInt8](repeating: 0, count: message.count + overhead)
    let rc = crypto_box_seal(&out, message, UInt64(message.count), publicKey)
    guard rc == 0 else { throw CryptoError.authenticationFailed }
    return out
  }

  /// Opens a sealed box with `keyPair`.
  public static func open(_ sealed: [UInt8], with keyPair: BoxKeyPair) throws -> [UInt8] {
    guard sealed.count >= overhead else { throw CryptoError.invalidLength(expected: overhead, actual: sealed.count) }
    var out = [UInt8](repeating: 0, count: sealed.count - overhead)
    let rc = keyPair.secretKey.withUnsafeBytes { sk in
      crypto_box_seal_open(&out, sealed, UInt64(sealed.count), keyPair.publicKey, sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }
    guard rc == 0 else { throw CryptoError.authenticationFailed }
    return out
  }

  /// Seals `prefix ‖ secrets…` to `publicKey`; the secrets are copied only into secure memory.
  public static func seal(prefix: [UInt8], secrets: [SecretKey], to publicKey: [UInt8]) throws -> [UInt8] {
    guard publicKey.count == publicKeySize else { throw CryptoError.invalidLength(expected: publicKeySize, actual: publicKey.count) }
    let message = try SecureBytes.joining(prefix, secrets)
    return try message.withUnsafeBytes { m in
      var out = [UInt8](repeating: 0, count: m.count + overhead)
      let rc = crypto_box_seal(&out, m.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(m.count), publicKey)
      guard rc == 0 else { throw CryptoError.operationFailed("sealed box") }
      return out
    }
  }

  /// Opens a box sealed by `seal(prefix:secrets:to:)`: the prefix, and the secrets that follow it
  /// (as many as fit) in secure memory.
  public static func openSecrets(_ sealed: [UInt8], prefixLength: Int, with keyPair: BoxKeyPair) throws -> (prefix: [UInt8], secrets: [SecretKey]) {
    let length = sealed.count - overhead - prefixLength
    guard length >= 0, length % SecretKey.size == 0 else {
      throw CryptoError.invalidLength(expected: overhead + prefixLength, actual: sealed.count)
    }
    let out = try SecureBytes(count: max(1, prefixLength + length))
    let rc = out.withUnsafeMutableBytes { o in
      keyPair.secretKey.withUnsafeBytes { sk in
        crypto_box_seal_open(
          o.baseAddress!.assumingMemoryBound(to: UInt8.self), sealed, UInt64(sealed.count), keyPair.publicKey,
          sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
      }
    }
    guard rc == 0 else { throw CryptoError.authenticationFailed }
    return try out.withUnsafeBytes { o in
      let secrets = try stride(from: prefixLength, to: prefixLength + length, by: SecretKey.size).map { at in
        try SecretKey(SecureBytes(copying: UnsafeRawBufferPointer(rebasing: o[at..<(at + SecretKey.size)])))
      }
      return (Array(o.prefix(prefixLength)), secrets)
    }
  }
}
