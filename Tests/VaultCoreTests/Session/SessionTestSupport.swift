import Glibc
import VaultCore
import VaultCrypto

/// Sessions for the keyring tests: a fresh vault id each, so parallel tests never share a key.
enum SessionFixture {
  static let keyring = Keyring(environment: [:])
  static let store = SessionStore(keyring: keyring)

  static func session(
    vault: RandomID? = nil, name: String = "Ann Lee", kind: UInt8 = 1, secret: SecureBytes? = nil,
    started: Int64 = SessionStore.now(), lasting: Int64 = 3600, idle: Int64 = 600
  ) throws -> UnlockSession {
    try UnlockSession(
      vault: vault ?? RandomID.generate(), practitioner: RandomID.generate(), practitionerName: name, kind: kind,
      secret: secret ?? SecureBytes.random(count: 32), started: started, expires: started + lasting, idle: idle)
  }

  /// Secure bytes holding `bytes` (test payloads only).
  static func secure(_ bytes: [UInt8]) throws -> SecureBytes {
    try bytes.withUnsafeBytes { try SecureBytes(copying: $0) }
  }

  static func bytes(_ s: SecureBytes) -> [UInt8] { s.withUnsafeBytes { Array($0) } }

  /// Polls `condition` every 50 ms until it holds or `seconds` pass; true if it held.
  static func eventually(within seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    var start = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    while true {
      if try condition() { return true }
      var t = timespec()
      clock_gettime(CLOCK_MONOTONIC, &t)
      if Double(t.tv_sec - start.tv_sec) + Double(t.tv_nsec - start.tv_nsec) / 1e9 > seconds { return false }
      usleep(50_000)
    }
  }

  /// The upper bound of the kernel's remaining timeout for `key`, or nil if it is not a live, timed key.
  static func remaining(_ key: KeySerial) -> ClosedRange<Int64>? {
    if case .expiresIn(let r) = keyring.state(of: key) { return r }
    return nil
  }
}
