internal import Clibsodium

/// A 32-byte symmetric key in secure memory.
public struct SecretKey: Sendable {
  /// The size of every symmetric key in the vault.
  public static let size = 32
  let storage: SecureBytes

  /// Wraps existing secure bytes; they must be exactly 32 bytes long.
  public init(_ bytes: SecureBytes) throws {
    guard bytes.count == Self.size else { throw CryptoError.invalidLength(expected: Self.size, actual: bytes.count) }
    storage = bytes
  }

  /// A fresh random key.
  public static func random() throws -> SecretKey {
    try SecretKey(SecureBytes.random(count: size))
  }

  /// Read access to the key bytes; the buffer must not escape the closure.
  public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    try storage.withUnsafeBytes(body)
  }

  /// Derives an independent subkey (libsodium crypto_kdf, BLAKE2b) for one purpose.
  ///
  /// - Parameters:
  ///   - id: the subkey number within `context`.
  ///   - context: exactly 8 ASCII bytes naming the domain, so subkeys of different purposes never collide.
  public func derive(id: UInt64, context: StaticString) throws -> SecretKey {
    precondition(context.utf8CodeUnitCount == Int(crypto_kdf_CONTEXTBYTES), "KDF context must be 8 bytes")
    let out = try SecureBytes(count: Self.size)
    let rc = out.withUnsafeMutableBytes { o in
      storage.withUnsafeBytes { k in
        context.withUTF8Buffer { c in
          c.withMemoryRebound(to: CChar.self) { cc in
            crypto_kdf_derive_from_key(
              o.baseAddress!.assumingMemoryBound(to: UInt8.self), Self.size, id, cc.baseAddress!,
              k.baseAddress!.assumingMemoryBound(to: UInt8.self))
          }
        }
      }
    }
    guard rc == 0 else { throw CryptoError.kdfFailed }
    return try SecretKey(out)
  }

  /// Constant-time equality of two keys.
  public func isEqual(to other: SecretKey) -> Bool { storage.isEqual(to: other.storage) }
}

extension SecureBytes {
  /// `prefix ‖ secrets…` in secure memory: what a sealed bundle of keys encrypts.
  public static func joining(_ prefix: [UInt8], _ secrets: [SecretKey]) throws -> SecureBytes {
    let out = try SecureBytes(count: prefix.count + secrets.count * SecretKey.size)
    out.withUnsafeMutableBytes { m in
      m.copyBytes(from: prefix)
      for (i, secret) in secrets.enumerated() {
        let at = prefix.count + i * SecretKey.size
        secret.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: m[at..<(at + SecretKey.size)]).copyMemory(from: $0) }
      }
    }
    return out
  }
}
