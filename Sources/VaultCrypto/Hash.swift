internal import Clibsodium

/// BLAKE2b (crypto_generichash): object names, checksums and keyed MACs.
///
/// The unkeyed 32-byte output equals `b2sum -l 256`, so anyone can check an object's name.
public final class Hasher {
  /// Digest length used throughout the vault.
  public static let digestSize = 32
  // libsodium declares the state CRYPTO_ALIGN(64); Swift does not honour that on import, so
  // the state is allocated by hand with the alignment the vectorised BLAKE2b code expects.
  private let state: OpaquePointer

  private init(keyed key: SecretKey?) throws {
    try Sodium.ready()
    let raw = UnsafeMutableRawPointer.allocate(byteCount: crypto_generichash_statebytes(), alignment: 64)
    let st = OpaquePointer(raw)
    let rc =
      key?.withUnsafeBytes { k in
        crypto_generichash_init(st, k.baseAddress!.assumingMemoryBound(to: UInt8.self), k.count, Self.digestSize)
      } ?? crypto_generichash_init(st, nil, 0, Self.digestSize)
    state = st
    guard rc == 0 else { throw CryptoError.operationFailed("BLAKE2b initialisation") }
  }

  /// Starts an unkeyed hash.
  public convenience init() throws { try self.init(keyed: nil) }

  /// Starts a keyed hash (a MAC) under `key`.
  public convenience init(key: SecretKey) throws { try self.init(keyed: key) }

  deinit {
    // A keyed state holds the key; wipe it before the memory is returned.
    sodium_memzero(UnsafeMutableRawPointer(state), crypto_generichash_statebytes())
    UnsafeMutableRawPointer(state).deallocate()
  }

  /// Absorbs `bytes`.
  public func update(_ bytes: UnsafeRawBufferPointer) {
    guard bytes.count > 0 else { return }
    // Fails only when called after finalize: a programming error, not a condition to handle.
    let rc = crypto_generichash_update(state, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count))
    precondition(rc == 0, "BLAKE2b update after finalize")
  }

  /// Absorbs `bytes`.
  public func update(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { update($0) }
  }

  /// The 32-byte digest; the hasher must not be used afterwards.
  public func finalize() -> [UInt8] {
    var out = [UInt8](repeating: 0, count: Self.digestSize)
    let rc = crypto_generichash_final(state, &out, Self.digestSize)
    precondition(rc == 0, "BLAKE2b finalized twice")
    return out
  }

  /// The 32-byte digest as a key in secure memory (for keyed derivations); the hasher must not be used afterwards.
  public func finalizeKey() throws -> SecretKey {
    let out = try SecureBytes(count: Self.digestSize)
    let rc = out.withUnsafeMutableBytes { crypto_generichash_final(state, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), Self.digestSize) }
    precondition(rc == 0, "BLAKE2b finalized twice")
    return try SecretKey(out)
  }

  /// BLAKE2b-256 of `bytes` in one call.
  public static func blake2b256(_ bytes: [UInt8]) throws -> [UInt8] {
    let h = try Hasher()
    h.update(bytes)
    return h.finalize()
  }

  /// Keyed BLAKE2b-256 of `bytes` under `key`.
  public static func mac(_ bytes: [UInt8], key: SecretKey) throws -> [UInt8] {
    let h = try Hasher(key: key)
    h.update(bytes)
    return h.finalize()
  }
}
