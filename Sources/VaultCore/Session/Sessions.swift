import VaultCrypto

/// Unlock sessions of one vault: what `vault unlock` keeps in the kernel keyring, and how a later
/// command picks it up instead of asking (docs/OPERATIONS.md, "Unlock sessions").
///
/// The session holds the key that the practitioner's slot wraps (the master key for an owner, the
/// personal key for anyone else) and that slot's id. Everything else in the payload is a claim: a
/// resumed session is opened exactly as the slot would be (registry, bundle, config checked), so a
/// planted session can at most fail to open, never make anyone someone else.
public struct Sessions: Sendable {
  /// Where sessions are kept.
  public let store: SessionStore

  /// Sessions in the user's kernel keyring (none with VAULT_KEYRING=off).
  public init(store: SessionStore = SessionStore()) { self.store = store }

  /// The vault as the current session opened it (its idle timer refreshed), or nil: no session,
  /// the keyring unavailable, the session of someone other than `practitioner` (when given), or
  /// a session that no longer opens (removed, so the next command asks).
  public func resume(_ vault: Vault, as practitioner: String? = nil) -> UnlockedVault? {
    guard let session = try? store.current(vault: vault.config.vaultID) else { return nil }
    if let practitioner, practitioner.lowercased() != session.practitionerName.lowercased() { return nil }
    do {
      let slot = try KeySlot.decode(FileSystem.readFile(vault.layout.slot(session.practitioner), limit: 4096))
      guard slot.id == session.practitioner, slot.kind.rawValue == session.kind else { throw KeyringError.damagedSession("slot mismatch") }
      let registry = try PractitionerRegistry.read(vault.layout.practitioners)
      try vault.checkRegistryPresent(registry != nil)
      return try vault.opened(slot, secret: SecretKey(session.secret), registry: registry)
    } catch {
      // A removed practitioner, a replaced slot or a planted payload: forget it, and ask.
      _ = try? store.end(vault: vault.config.vaultID)
      return nil
    }
  }

  /// Starts a session for `unlocked` ending at `now + timeout`, or after `idle` seconds unused.
  func start(_ unlocked: UnlockedVault, timeout: Int64, idle: Int64) throws -> UnlockSession {
    let secret = unlocked.personal?.secret ?? unlocked.keys.master
    guard let secret else { throw VaultError.internalError("an unlocked vault without its slot's key") }
    let now = SessionStore.now()
    let session = try UnlockSession(
      vault: unlocked.vault.config.vaultID, practitioner: unlocked.slot.id, practitionerName: unlocked.actor.name,
      kind: unlocked.slot.kind.rawValue, secret: secret.withUnsafeBytes { try SecureBytes(copying: $0) }, started: now,
      expires: now + timeout, idle: idle)
    try store.start(session, now: now)
    return session
  }
}

/// What `vault status` and `vault unlock` report about a session (docs/JSON.md, "session").
public struct SessionReport: Encodable, Sendable, Equatable {
  /// Whether a session is open.
  public let unlocked: Bool
  /// Who opened it (a claim read from the keyring; commands check it when they use the session).
  public let practitioner: String?
  /// When it started, ISO 8601 UTC.
  public let started: String?
  /// When it ends at the latest (`--timeout`), ISO 8601 UTC.
  public let expires: String?
  /// Seconds without use after which it ends (`--idle`).
  public let idleSeconds: Int64?
  /// Seconds the kernel will keep it if nothing uses it (its timer now), when the kernel says.
  public let remainingSeconds: Int64?
  /// Why there can be no session here (the keyring is unavailable), else null.
  public let unavailable: String?

  init(_ session: UnlockSession?, kernel: KernelKeyState? = nil, unavailable: String? = nil) {
    self.unlocked = session != nil
    practitioner = session?.practitionerName
    started = session.map { LogEntry.format(seconds: $0.started) }
    expires = session.map { LogEntry.format(seconds: $0.expires) }
    idleSeconds = session?.idle
    if case .expiresIn(let range) = kernel { remainingSeconds = range.lowerBound } else { remainingSeconds = nil }
    self.unavailable = unavailable
  }
}
