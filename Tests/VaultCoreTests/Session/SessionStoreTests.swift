import Testing
import VaultCore
import VaultCrypto

// These run against the real kernel keyring (@u of the user running the tests): every test uses
// its own random vault id and removes its key before returning.
@Suite("unlock sessions in the kernel keyring")
struct SessionStoreTests {
  let store = SessionFixture.store
  let keyring = SessionFixture.keyring

  @Test("start, current and end round trip; the key is the user's alone")
  func roundTrip() throws {
    let s = try SessionFixture.session(kind: 3)
    defer { _ = try? store.end(vault: s.vault) }
    let key = try store.start(s)
    #expect(try keyring.find(SessionStore.description(for: s.vault)) == key)
    #expect(try keyring.permissions(of: key) == 0x3b2b_0000)
    let got = try #require(try store.current(vault: s.vault))
    #expect(got.secret.isEqual(to: s.secret))
    #expect(got.practitioner == s.practitioner && got.practitionerName == "Ann Lee" && got.kind == 3)
    #expect(got.started == s.started && got.expires == s.expires && got.idle == s.idle)
    #expect(try store.end(vault: s.vault))
    #expect(try store.current(vault: s.vault) == nil)
    #expect(try keyring.read(key, maxBytes: 1000) == nil)
    #expect(try store.end(vault: s.vault) == false)
  }

  @Test("the key's kernel timeout is the idle time, and each use sets it back")
  func idleRefresh() throws {
    let s = try SessionFixture.session(lasting: 3600, idle: 50)
    defer { _ = try? store.end(vault: s.vault) }
    let key = try store.start(s)
    #expect(try #require(SessionFixture.remaining(key)).upperBound <= 50)
    #expect(try #require(SessionFixture.remaining(key)).lowerBound >= 40)
    // Stand in for 47 idle seconds: the kernel now ends the session in 3 s.
    try keyring.setTimeout(key, seconds: 3)
    #expect(try #require(SessionFixture.remaining(key)).upperBound <= 3)
    #expect(try store.current(vault: s.vault) != nil)
    #expect(try #require(SessionFixture.remaining(key)).lowerBound >= 40)
  }

  @Test("status reads the session without refreshing its timer")
  func statusDoesNotRefresh() throws {
    let s = try SessionFixture.session(idle: 50)
    defer { _ = try? store.end(vault: s.vault) }
    let key = try store.start(s)
    try keyring.setTimeout(key, seconds: 5)
    let status = try #require(try store.status(vault: s.vault))
    #expect(status.session.secret.isEqual(to: s.secret))
    guard case .expiresIn(let left) = status.kernel else { Issue.record("kernel state \(String(describing: status.kernel))"); return }
    #expect(left.upperBound <= 5)
    #expect(try #require(SessionFixture.remaining(key)).upperBound <= 5)
  }

  @Test("the absolute end caps the idle time, and a session past it is removed")
  func absoluteEnd() throws {
    let now = SessionStore.now()
    let s = try SessionFixture.session(started: now, lasting: 20, idle: 600)
    defer { _ = try? store.end(vault: s.vault) }
    let key = try store.start(s, now: now)
    #expect(try #require(SessionFixture.remaining(key)).upperBound <= 20)
    #expect(try store.current(vault: s.vault, now: now + 12) != nil)
    #expect(try #require(SessionFixture.remaining(key)).upperBound <= 8)
    #expect(try store.status(vault: s.vault, now: now + 20) == nil)
    #expect(try keyring.find(SessionStore.description(for: s.vault)) == nil)
    #expect(try keyring.read(key, maxBytes: 1000) == nil)
    #expect(throws: KeyringError.self) { try store.start(s, now: now + 20) }
  }

  @Test("at its timeout the kernel drops the session, with no vault process involved")
  func kernelExpiry() throws {
    // The kernel counts whole seconds: a 2 s timeout leaves the key alive for more than 1 s.
    let s = try SessionFixture.session(idle: 2)
    defer { _ = try? store.end(vault: s.vault) }
    let key = try store.start(s)
    let description = SessionStore.description(for: s.vault)
    #expect(try keyring.read(key, maxBytes: 1000) != nil)
    #expect(try #require(SessionFixture.remaining(key)).upperBound <= 2)
    let gone = try SessionFixture.eventually(within: 10) {
      try keyring.find(description) == nil && keyring.read(key, maxBytes: 1000) == nil
    }
    #expect(gone, "the key was still readable 10 s after a 2 s timeout")
    #expect(SessionFixture.remaining(key) == nil)
    #expect(try store.status(vault: s.vault) == nil)
    #expect(try store.current(vault: s.vault) == nil)
  }

  @Test("starting again replaces the earlier session and destroys its key")
  func replace() throws {
    let first = try SessionFixture.session()
    defer { _ = try? store.end(vault: first.vault) }
    let old = try store.start(first)
    let second = try SessionFixture.session(vault: first.vault, name: "Bo Chen")
    let new = try store.start(second)
    #expect(old != new)
    #expect(try keyring.read(old, maxBytes: 1000) == nil)
    let got = try #require(try store.current(vault: first.vault))
    #expect(got.practitionerName == "Bo Chen" && got.secret.isEqual(to: second.secret))
  }

  @Test("two vaults do not see each other's session")
  func isolation() throws {
    let a = try SessionFixture.session(name: "A")
    let b = try SessionFixture.session(name: "B")
    let c = try RandomID.generate()
    defer {
      _ = try? store.end(vault: a.vault)
      _ = try? store.end(vault: b.vault)
    }
    try store.start(a)
    try store.start(b)
    #expect(try store.current(vault: a.vault)?.practitionerName == "A")
    #expect(try store.current(vault: b.vault)?.practitionerName == "B")
    #expect(try store.current(vault: c) == nil)
    #expect(try store.end(vault: a.vault))
    #expect(try store.current(vault: a.vault) == nil)
    #expect(try store.current(vault: b.vault)?.secret.isEqual(to: b.secret) == true)
  }

  @Test("bytes under a vault's description that are not its session are rejected, without the secret in the message")
  func damaged() throws {
    let s = try SessionFixture.session()
    let description = SessionStore.description(for: s.vault)
    defer { _ = try? store.end(vault: s.vault) }
    let good = SessionFixture.bytes(try s.encoded())
    let other = SessionFixture.bytes(try SessionFixture.session().encoded())
    let payloads: [[UInt8]] = [
      [0x01], Array(good.dropLast()), good + [0], [9] + good.dropFirst(), other,
      Array(repeating: 0x5a, count: 100), Array(repeating: 0x01, count: 2000),
    ]
    let secretHex = Hex.encode(SessionFixture.bytes(s.secret))
    for payload in payloads {
      try keyring.store(SessionFixture.secure(payload), description: description, timeout: 30)
      let error = #expect(throws: KeyringError.self) { try store.current(vault: s.vault) }
      guard case .damagedSession = error else { Issue.record("expected damagedSession, got \(String(describing: error))"); continue }
      #expect(error?.description.contains("vault lock") == true)
      #expect(error?.description.contains(secretHex) == false)
      #expect(throws: KeyringError.self) { try store.status(vault: s.vault) }
    }
    #expect(try store.end(vault: s.vault))
    #expect(try store.current(vault: s.vault) == nil)
  }

  @Test("VAULT_KEYRING=off: start says why and that vault will ask, current finds nothing")
  func turnedOff() throws {
    let off = SessionStore(keyring: Keyring(environment: ["VAULT_KEYRING": "off"]))
    #expect(off.keyring.isEnabled == false)
    #expect(Keyring(environment: ["VAULT_KEYRING": "on"]).isEnabled)
    let s = try SessionFixture.session()
    defer { _ = try? store.end(vault: s.vault) }
    let error = #expect(throws: KeyringError.unavailable(.turnedOff)) { try off.start(s) }
    #expect(error?.description.contains("ask for the passphrase on every command") == true)
    try store.start(s)
    #expect(try off.current(vault: s.vault) == nil)
    #expect(throws: KeyringError.unavailable(.turnedOff)) { try off.status(vault: s.vault) }
    #expect(try off.end(vault: s.vault) == false)
    #expect(try store.current(vault: s.vault) != nil)
  }

  @Test("every unavailability message says vault will ask for the passphrase")
  func messages() {
    let all: [KeyringError] = [
      .unavailable(.turnedOff), .unavailable(.notSupported), .unavailable(.refused(code: 1)), .unavailable(.quotaExceeded),
    ]
    for e in all { #expect(e.description.contains("vault will ask for the passphrase on every command"), "\(e)") }
    #expect(KeyringError.unavailable(.refused(code: 1)).description.contains("not available here"))
  }
}
