import CVaultSystem
import Foundation
import Glibc
import VaultCrypto

/// The current user's kernel keyring (@u): opaque bytes under a description, with a kernel-enforced
/// timeout. Keys are "user" keys that only their possessor and their uid may view, read, search and
/// time out (no group or other access, no update: a session is replaced, never rewritten).
public struct Keyring: Sendable {
  /// The environment variable that turns the keyring off: VAULT_KEYRING=off makes it unavailable
  /// (tests of the fallback, or a user who wants no sessions).
  public static let environmentVariable = "VAULT_KEYRING"

  /// Possessor: view, read, search, link, setattr; user: view, read, search, setattr; nothing else.
  public static let permissions: UInt32 = 0x3b2b_0000

  /// False when VAULT_KEYRING=off: every call then throws `.unavailable(.turnedOff)`.
  public let isEnabled: Bool

  /// The user keyring, unless `environment` has VAULT_KEYRING=off.
  public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    isEnabled = environment[Self.environmentVariable] != "off"
  }

  /// Stores `payload` under `description` in @u, expiring `timeout` seconds from now, and
  /// invalidates the key it replaces. The key is built in this thread's keyring and only linked
  /// into @u once its permissions and timeout are set, so a crash never leaves a key without expiry.
  @discardableResult
  public func store(_ payload: SecureBytes, description: String, timeout: Int64) throws -> KeySerial {
    try checkEnabled()
    guard timeout >= 1, timeout <= Int64(UInt32.max) else {
      throw KeyringError.invalidSession("timeout of \(timeout) s is out of range")
    }
    let earlier = try find(description)
    let serial = payload.withUnsafeBytes { p in
      vault_key_add(description, p.baseAddress, p.count, vault_KEY_SPEC_THREAD_KEYRING)
    }
    guard serial > 0 else { throw KeyringError.from(errno: errno, operation: "add a key") }
    let key = KeySerial(rawValue: serial)
    func abandon(_ operation: String) -> KeyringError {
      let e = KeyringError.from(errno: errno, operation: operation)
      _ = vault_key_invalidate(serial)
      return e
    }
    guard vault_key_set_permissions(serial, Self.permissions) == 0 else { throw abandon("set a key's permissions") }
    guard vault_key_set_timeout(serial, UInt32(timeout)) == 0 else { throw abandon("set a key's timeout") }
    guard vault_key_link(serial, vault_KEY_SPEC_USER_KEYRING) == 0 else { throw abandon("link a key into the user keyring") }
    _ = vault_key_unlink(serial, vault_KEY_SPEC_THREAD_KEYRING)
    // Linking displaced the earlier key from @u; invalidating it has the kernel destroy it now.
    if let earlier, earlier != key { _ = vault_key_invalidate(earlier.rawValue) }
    return key
  }

  /// The live key `description` in @u, or nil if there is none (or it expired or was removed).
  public func find(_ description: String) throws -> KeySerial? {
    try checkEnabled()
    let serial = vault_key_search(vault_KEY_SPEC_USER_KEYRING, description)
    if serial > 0 { return KeySerial(rawValue: serial) }
    if Self.isGone(errno) { return nil }
    throw KeyringError.from(errno: errno, operation: "search the user keyring")
  }

  /// The key's payload in secure memory, or nil if the key is gone. A payload longer than
  /// `maxBytes` is `damagedSession` (it is never copied out whole).
  public func read(_ key: KeySerial, maxBytes: Int) throws -> SecureBytes? {
    try checkEnabled()
    let buffer = try SecureBytes(count: maxBytes + 1)
    let n = buffer.withUnsafeMutableBytes { vault_key_read(key.rawValue, $0.baseAddress, $0.count) }
    if n < 0 {
      if Self.isGone(errno) { return nil }
      throw KeyringError.from(errno: errno, operation: "read a key")
    }
    guard n <= maxBytes else { throw KeyringError.damagedSession("\(n) bytes, at most \(maxBytes) expected") }
    return try buffer.prefix(n)
  }

  /// Sets the key to expire `seconds` from now (at least 1); false if the key is gone.
  @discardableResult
  public func setTimeout(_ key: KeySerial, seconds: Int64) throws -> Bool {
    try checkEnabled()
    guard seconds >= 1, seconds <= Int64(UInt32.max) else {
      throw KeyringError.invalidSession("timeout of \(seconds) s is out of range")
    }
    if vault_key_set_timeout(key.rawValue, UInt32(seconds)) == 0 { return true }
    if Self.isGone(errno) { return false }
    throw KeyringError.from(errno: errno, operation: "set a key's timeout")
  }

  /// Invalidates the key: unreadable at once, destroyed by the kernel promptly. False if it was already gone.
  @discardableResult
  public func remove(_ key: KeySerial) throws -> Bool {
    try checkEnabled()
    if vault_key_invalidate(key.rawValue) == 0 { return true }
    if Self.isGone(errno) { return false }
    throw KeyringError.from(errno: errno, operation: "remove a key")
  }

  /// The key's permission mask as the kernel reports it (KEYCTL_DESCRIBE), or nil if it is gone.
  public func permissions(of key: KeySerial) throws -> UInt32? {
    try checkEnabled()
    var buffer = [CChar](repeating: 0, count: 512)
    let n = vault_key_describe(key.rawValue, &buffer, buffer.count)
    if n < 0 {
      if Self.isGone(errno) { return nil }
      throw KeyringError.from(errno: errno, operation: "describe a key")
    }
    // "type;uid;gid;perm;description"
    let text = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let fields = text.split(separator: ";", maxSplits: 4, omittingEmptySubsequences: false)
    guard fields.count == 5 else { return nil }
    return UInt32(fields[3], radix: 16)
  }

  /// The key as /proc/keys shows it, or nil if it is not listed (destroyed, or /proc/keys unreadable).
  public func state(of key: KeySerial) -> KernelKeyState? {
    guard let text = Self.readProcKeys() else { return nil }
    let wanted = key.description
    for line in text.split(separator: "\n") {
      let f = line.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: true)
      guard f.count == 5, f[0] == wanted else { continue }
      return KernelKeyState.parse(flags: f[1], timeout: f[3])
    }
    return nil
  }

  private func checkEnabled() throws {
    guard isEnabled else { throw KeyringError.unavailable(.turnedOff) }
  }

  /// The errors that mean "no such live key": absent, expired, revoked or invalidated.
  private static func isGone(_ code: Int32) -> Bool {
    code == ENOKEY || code == EKEYEXPIRED || code == EKEYREVOKED
  }

  private static func readProcKeys() -> String? {
    let fd = open("/proc/keys", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out = [UInt8]()
    var chunk = [UInt8](repeating: 0, count: 16384)
    while true {
      let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      guard n >= 0 else { return nil }
      if n == 0 { break }
      out += chunk[0..<n]
    }
    return String(decoding: out, as: UTF8.self)
  }
}
