import Testing
@testable import VaultCore
import VaultCrypto

@Suite("unlock session payload")
struct UnlockSessionTests {
  @Test("a session survives encoding and decoding, secret included")
  func roundTrip() throws {
    let s = try SessionFixture.session(name: "Dr. Zoë Ångström", kind: 7)
    let back = try UnlockSession.decode(s.encoded())
    #expect(back.vault == s.vault && back.practitioner == s.practitioner)
    #expect(back.practitionerName == s.practitionerName && back.kind == 7)
    #expect(back.started == s.started && back.expires == s.expires && back.idle == s.idle)
    #expect(back.secret.isEqual(to: s.secret))
  }

  @Test("the layout is version, secret, kind, ids, times, name")
  func layout() throws {
    let secret = try SessionFixture.secure(Array(0..<32))
    let vault = try RandomID(bytes: Array(repeating: 0xaa, count: 16))
    let who = try RandomID(bytes: Array(repeating: 0xbb, count: 16))
    let s = try UnlockSession(
      vault: vault, practitioner: who, practitionerName: "Al", kind: 2, secret: secret, started: 1, expires: 0x0102, idle: 3)
    var expected: [UInt8] = [1] + Array(0..<32) + [2] + Array(repeating: 0xaa, count: 16) + Array(repeating: 0xbb, count: 16)
    expected += [1, 0, 0, 0, 0, 0, 0, 0] + [2, 1, 0, 0, 0, 0, 0, 0] + [3, 0, 0, 0, 0, 0, 0, 0] + [2, 0, 0x41, 0x6c]
    #expect(SessionFixture.bytes(try s.encoded()) == expected)
    #expect(UnlockSession.maxPayloadBytes == expected.count - 2 + 200)
  }

  @Test("every truncation, a trailing byte and another version are rejected")
  func malformed() throws {
    let good = SessionFixture.bytes(try SessionFixture.session().encoded())
    for n in 0..<good.count {
      #expect(throws: KeyringError.self) { try UnlockSession.decode(SessionFixture.secure(Array(good.prefix(n)))) }
    }
    #expect(throws: KeyringError.damagedSession("bytes after the last field")) {
      try UnlockSession.decode(SessionFixture.secure(good + [0]))
    }
    #expect(throws: KeyringError.damagedSession("unknown payload version 2")) {
      try UnlockSession.decode(SessionFixture.secure([2] + good.dropFirst()))
    }
    #expect(throws: KeyringError.self) {
      try UnlockSession.decode(SessionFixture.secure(Array(repeating: 1, count: UnlockSession.maxPayloadBytes + 1)))
    }
  }

  @Test("a name length over 200 bytes, bad UTF-8 or an end before the start is rejected on decode")
  func outOfRange() throws {
    let good = SessionFixture.bytes(try SessionFixture.session(name: "").encoded())
    let nameAt = good.count - 2
    var long = Array(good.prefix(nameAt)) + [201, 0] + Array(repeating: 0x41, count: 201)
    #expect(throws: KeyringError.self) { try UnlockSession.decode(SessionFixture.secure(long)) }
    long = Array(good.prefix(nameAt)) + [1, 0, 0xff]
    #expect(throws: KeyringError.damagedSession("string is not UTF-8")) { try UnlockSession.decode(SessionFixture.secure(long)) }
    var zeroIdle = good
    for i in (nameAt - 8)..<nameAt { zeroIdle[i] = 0 }
    #expect(throws: KeyringError.self) { try UnlockSession.decode(SessionFixture.secure(zeroIdle)) }
  }

  @Test("a session refuses a secret other than 32 bytes, a long name, no idle time, an end not after its start")
  func invalid() throws {
    #expect(throws: KeyringError.self) { try SessionFixture.session(secret: SecureBytes.random(count: 31)) }
    #expect(throws: KeyringError.self) { try SessionFixture.session(name: String(repeating: "é", count: 101)) }
    _ = try SessionFixture.session(name: String(repeating: "é", count: 100))
    #expect(throws: KeyringError.self) { try SessionFixture.session(idle: 0) }
    #expect(throws: KeyringError.self) { try SessionFixture.session(lasting: 0) }
  }

  @Test("the kernel's timeout column parses to bounds in seconds")
  func kernelTimeoutColumn() {
    // /proc/keys prints whole units, rounded down (security/keys/proc.c).
    let cases: [(String, String, KernelKeyState?)] = [
      ("I--Q---", "perm", .permanent), ("I--Q---", "expd", .expired), ("I--Q---", "59s", .expiresIn(59...59)),
      ("I--Q---", "9m", .expiresIn(540...599)), ("I--Q---", "2h", .expiresIn(7200...10799)),
      ("I--Q---", "1d", .expiresIn(86400...172_799)), ("I--Q---", "1w", .expiresIn(604_800...1_209_599)),
      ("I--Q--i", "30s", .dead), ("IR-Q---", "perm", .dead), ("I--Q---", "soon", nil),
    ]
    for (flags, timeout, expected) in cases {
      #expect(KernelKeyState.parse(flags: Substring(flags), timeout: Substring(timeout)) == expected, "\(flags) \(timeout)")
    }
  }
}
