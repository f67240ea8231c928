internal import Clibsodium

/// Secret bytes held in libsodium secure memory (guard pages; mlock is attempted, and libsodium
/// carries on without it if RLIMIT_MEMLOCK is exhausted), zeroed when released.
///
/// A reference type on purpose: copying the handle never copies the secret, and the one
/// allocation is freed (and wiped by sodium_free) exactly once, in deinit.
public final class SecureBytes: @unchecked Sendable {
  private let pointer: UnsafeMutableRawPointer
  /// The number of bytes held.
  public let count: Int

  /// Allocates `count` zeroed bytes of secure memory.
  public init(count: Int) throws {
    try Sodium.ready()
    guard let p = sodium_malloc(Swift.max(count, 1)) else { throw CryptoError.outOfSecureMemory }
    sodium_memzero(p, Swift.max(count, 1))
    pointer = p
    self.count = count
  }

  /// Copies `bytes` into new secure memory. The caller remains responsible for its own copy.
  public convenience init(copying bytes: UnsafeRawBufferPointer) throws {
    try self.init(count: bytes.count)
    if let base = bytes.baseAddress, bytes.count > 0 { pointer.copyMemory(from: base, byteCount: bytes.count) }
  }

  /// Fresh random secret bytes.
  public static func random(count: Int) throws -> SecureBytes {
    let s = try SecureBytes(count: count)
    randombytes_buf(s.pointer, count)
    return s
  }

  deinit { sodium_free(pointer) }

  /// Read access; the buffer must not escape the closure.
  public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    try body(UnsafeRawBufferPointer(start: pointer, count: count))
  }

  /// Write access; the buffer must not escape the closure.
  public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
    try body(UnsafeMutableRawBufferPointer(start: pointer, count: count))
  }

  /// A new secure buffer holding the first `length` bytes (used to trim a line read into a larger buffer).
  public func prefix(_ length: Int) throws -> SecureBytes {
    try SecureBytes(copying: UnsafeRawBufferPointer(start: pointer, count: Swift.min(length, count)))
  }

  /// Constant-time equality.
  public func isEqual(to other: SecureBytes) -> Bool {
    count == other.count && sodium_memcmp(pointer, other.pointer, count) == 0
  }
}
