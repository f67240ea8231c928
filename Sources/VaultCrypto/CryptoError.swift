/// Failures of a cryptographic operation; VaultCore maps them to what they mean for the user.
public enum CryptoError: Error, Equatable, Sendable {
  /// libsodium could not be initialised.
  case initializationFailed
  /// Secure memory could not be allocated (sodium_malloc failed or mlock limit reached).
  case outOfSecureMemory
  /// A key, nonce, salt or sealed value had the wrong length.
  case invalidLength(expected: Int, actual: Int)
  /// Authentication failed: wrong key, or the ciphertext or its associated data was modified.
  case authenticationFailed
  /// A stream ended before its final chunk.
  case truncated
  /// Bytes followed the final chunk of a stream.
  case trailingData
  /// Password-hashing parameters were out of the accepted range.
  case invalidKDFParameters
  /// The password hash could not be computed (usually not enough memory for its limits).
  case kdfFailed
  /// A signature did not verify.
  case invalidSignature
  /// libsodium reported a failure for an operation that should not fail on valid input.
  case operationFailed(String)
}

extension CryptoError: CustomStringConvertible {
  /// A short lowercase phrase; VaultCore adds what the failure means for the user.
  public var description: String {
    switch self {
    case .initializationFailed: "libsodium could not be initialised"
    case .outOfSecureMemory: "secure memory could not be allocated (raise the memlock limit)"
    case .invalidLength(let e, let a): "wrong length (expected \(e) bytes, found \(a))"
    case .authenticationFailed: "does not authenticate (wrong key, or modified)"
    case .truncated: "truncated"
    case .trailingData: "data after the end"
    case .invalidKDFParameters: "Argon2id parameters outside the accepted range"
    case .kdfFailed: "the key could not be derived (not enough memory for its Argon2id cost)"
    case .invalidSignature: "signature does not verify"
    case .operationFailed(let what): "\(what) failed"
    }
  }
}
