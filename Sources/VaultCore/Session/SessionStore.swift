import Glibc

/// Unlock sessions, one per vault, kept in the user's kernel keyring under "vault:<vault id hex>".
///
/// The kernel timeout of the key is always min(idle, expires − now): it is set when the session
/// starts and again each time a command uses it, so the key vanishes after `idle` seconds without
/// use, or at `expires`, whichever comes first, even if no vault process is running then.
public struct SessionStore: Sendable {
  /// The keyring the sessions are kept in.
  public let keyring: Keyring

  /// Sessions in `keyring` (by default the user keyring, or none with VAULT_KEYRING=off).
  public init(keyring: Keyring = Keyring()) { self.keyring = keyring }

  /// The key description of `vault`'s session.
  public static func description(for vault: RandomID) -> String { "vault:\(vault.hex)" }

  /// Unix seconds now.
  public static func now() -> Int64 { Int64(time(nil)) }

  /// Starts `session`, replacing any earlier session of its vault. Throws `KeyringError`:
  /// `.unavailable` where the keyring cannot be used (say so and ask for the passphrase instead),
  /// `.invalidSession` if the session has already ended at `now`.
  @discardableResult
  public func start(_ session: UnlockSession, now: Int64 = SessionStore.now()) throws -> KeySerial {
    guard let timeout = Self.timeout(session, now: now) else {
      throw KeyringError.invalidSession("it would already have ended")
    }
    return try keyring.store(try session.encoded(), description: Self.description(for: session.vault), timeout: timeout)
  }

  /// The session of `vault`, its idle timer refreshed; nil if there is none, it has ended (it is
  /// then removed), or the keyring is unavailable (the caller asks for the passphrase). Throws
  /// `KeyringError.damagedSession` for bytes under the vault's description that are not its session.
  public func current(vault: RandomID, now: Int64 = SessionStore.now()) throws -> UnlockSession? {
    do {
      guard let (key, session) = try load(vault: vault, now: now), let timeout = Self.timeout(session, now: now) else { return nil }
      return try keyring.setTimeout(key, seconds: timeout) ? session : nil
    } catch KeyringError.unavailable {
      return nil
    }
  }

  /// The session of `vault` and the kernel's view of its expiry, without refreshing it; nil if
  /// there is none or it has ended (one past its absolute end is removed, as by `current`). Throws
  /// `KeyringError`, `.unavailable` included, so that `vault status` can say why there can be no session.
  public func status(vault: RandomID, now: Int64 = SessionStore.now()) throws -> SessionStatus? {
    guard let (key, session) = try load(vault: vault, now: now) else { return nil }
    return SessionStatus(session: session, kernel: keyring.state(of: key))
  }

  /// Ends `vault`'s session; false if there was none (or the keyring is unavailable, so there can be none).
  @discardableResult
  public func end(vault: RandomID) throws -> Bool {
    do {
      guard let key = try keyring.find(Self.description(for: vault)) else { return false }
      return try keyring.remove(key)
    } catch KeyringError.unavailable {
      return false
    }
  }

  /// The live session's key and contents; a session past its absolute end is removed.
  private func load(vault: RandomID, now: Int64) throws -> (KeySerial, UnlockSession)? {
    guard let key = try keyring.find(Self.description(for: vault)),
      let payload = try keyring.read(key, maxBytes: UnlockSession.maxPayloadBytes)
    else { return nil }
    let session = try UnlockSession.decode(payload)
    guard session.vault == vault else { throw KeyringError.damagedSession("it names another vault") }
    guard Self.timeout(session, now: now) != nil else {
      try keyring.remove(key)
      return nil
    }
    return (key, session)
  }

  /// min(idle, expires − now), or nil once the session has reached its absolute end.
  static func timeout(_ session: UnlockSession, now: Int64) -> Int64? {
    let left = session.expires &- now
    guard left >= 1 else { return nil }
    return min(session.idle, left)
  }
}
