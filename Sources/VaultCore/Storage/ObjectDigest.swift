import VaultCrypto

/// The hash that names an object (FORMAT.md §6.5), computed over its file's bytes in order.
///
/// Every keyless check of an object (`ObjectStore.checkHash`, backup copies, pack files) goes
/// through this one type, so the rule for which hash names which object lives in one place.
public final class ObjectDigest {
  private let hasher: Hasher

  /// Starts the digest of one object file.
  public init() throws { hasher = try Hasher() }

  /// Absorbs the next bytes of the file.
  public func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bytes) }

  /// The object id the bytes absorbed so far would have; the digest must not be used afterwards.
  public func finalize() -> [UInt8] { hasher.finalize() }
}
