internal import Clibsodium

/// An Ed25519 signing key pair, derived from a seed held in secure memory.
public struct SigningKeyPair: Sendable {
  /// The 32-byte public key.
  public let publicKey: [UInt8]
  let secretKey: SecureBytes

  /// Derives the key pair deterministically from a 32-byte seed.
  public init(seed: SecretKey) throws {
    var pk = [UInt8](repeating: 0, count: Int(crypto_sign_PUBLICKEYBYTES))
    let sk = try SecureBytes(count: Int(crypto_sign_SECRETKEYBYTES))
    let rc = sk.withUnsafeMutableBytes { s in
      seed.withUnsafeBytes { sd in
        crypto_sign_seed_keypair(&pk, s.baseAddress!.assumingMemoryBound(to: UInt8.self), sd.baseAddress!.assumingMemoryBound(to: UInt8.self))
      }
    }
    guard rc == 0 else { throw CryptoError.operationFailed("key pair derivation") }
    publicKey = pk
    secretKey = sk
  }

  /// A detached 64-byte signature of `message`.
  public func sign(_ message: [UInt8]) -> [UInt8] {
    var sig = [UInt8](repeating: 0, count: Signing.signatureSize)
    let rc = secretKey.withUnsafeBytes { sk in
      crypto_sign_detached(&sig, nil, message, UInt64(message.count), sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }
    // Ed25519 signing cannot fail for a valid key pair, which init guarantees.
    precondition(rc == 0, "Ed25519 signing failed")
    return sig
  }
}

/// Ed25519 detached signatures.
public enum Signing {
  /// Signature length.
  public static let signatureSize = Int(crypto_sign_BYTES)
  /// Public key length.
  public static let publicKeySize = Int(crypto_sign_PUBLICKEYBYTES)

  /// Throws `.invalidSignature` unless `signature` is a valid signature of `message` by `publicKey`.
  public static func verify(_ signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) throws {
    try Sodium.ready()
    guard signature.count == signatureSize, publicKey.count == publicKeySize else { throw CryptoError.invalidSignature }
    guard crypto_sign_verify_detached(signature, message, UInt64(message.count), publicKey) == 0 else { throw CryptoError.invalidSignature }
  }
}
