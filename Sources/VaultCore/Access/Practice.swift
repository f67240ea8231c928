import Foundation

/// The one door into a vault's records: every read and write of practice data goes through an
/// open `Practice` and one of its rooms (`clients`, `notes`, `consents`, `requests`, `log`,
/// `checks`, `keys`; `Backups` opens its own, keyless).
///
/// Each room method passes through `access`, which asks `AccessPolicy` whether this actor may
/// do this (to this client), runs the work, records it in the access log, and only then hands
/// the result back; where bytes stream out (a document, the log), the entry is written before
/// the first one. An access that cannot be recorded reveals nothing and, for a change, never
/// takes effect (the new index waits for its log entry, `UnlockedVault.commitWithLogEntries`).
///
/// Opening takes the vault lock (shared to read, exclusive to write) and holds it as long as
/// the practice lives; a writer first checks that the log can take an entry and reclaims what
/// interrupted writers left.
public final class Practice {
  /// How much of the vault the practice was opened for.
  public enum Mode: Int, Sendable, Comparable, CustomStringConvertible {
    /// Files only, no key, shared lock.
    case keyless
    /// Unlocked, shared lock.
    case read
    /// Unlocked, exclusive lock.
    case write

    public static func < (a: Mode, b: Mode) -> Bool { a.rawValue < b.rawValue }

    /// "keyless work", "reading", "writing".
    public var description: String { ["keyless work", "reading", "writing"][rawValue] }
  }

  /// The vault.
  public let vault: Vault
  /// Who is acting.
  public let actor: Actor
  /// What the practice was opened for.
  public let mode: Mode
  /// What interrupted writers had left, reclaimed when a writer opened the practice.
  public let reclaimed: Reclaimed
  /// The keys, when opened for reading or writing.
  let unlocked: UnlockedVault?
  /// `--reason`, recorded with every entry.
  let reason: String?
  /// Held for the practice's lifetime.
  private let lock: VaultLock
  /// Called when a name matches several clients, with their names, after that read is recorded:
  /// a person on a terminal chooses among them. Nil (the default) reveals no names.
  public var showCandidates: ((_ query: String, _ candidates: [ClientSummary]) -> Void)?
  /// The record engine (nil when keyless); one per practice, so reads share its buffer.
  private let engine: Records?

  /// Opens `vault` for `mode`, as the holder of `unlocked` (nil: keyless, as "system").
  ///
  /// The lock is taken here, after any passphrase was asked and Argon2id ran, so a prompt never
  /// holds the vault. `wait`: seconds to wait for the lock; `reason` goes into every entry.
  public init(_ vault: Vault, unlocked: UnlockedVault?, mode: Mode, wait: Double = 0, reason: String? = nil) throws {
    if mode != .keyless, unlocked == nil { throw AccessError.notUnlocked }
    self.vault = unlocked?.vault ?? vault
    self.unlocked = mode == .keyless ? nil : unlocked
    self.mode = mode
    self.reason = reason
    actor = self.unlocked?.actor ?? .system
    lock = try self.vault.lock(mode == .write ? .exclusive : .shared, wait: wait)
    engine = self.unlocked.map(Records.init)
    var reclaimed = Reclaimed()
    // A change takes effect only once its entry is written, whatever the practice was opened for.
    self.unlocked?.commitWithLogEntries()
    if mode == .write, let unlocked {
      // A change the log would refuse to record must not happen at all.
      try AccessLog(vault: self.vault).preflight(unlocked: unlocked)
      reclaimed = try unlocked.prepareForWriting(reason: reason)
    }
    self.reclaimed = reclaimed
  }

  /// Unlocks refused since the key was last used (newest last), for the person unlocking now.
  /// Ask before the first room access: that access is a keyed entry, after which they are past.
  /// Read back from the log's keyless tail only when asked, so library work pays nothing for it.
  public func failedUnlocks() throws -> [FailedUnlock] {
    guard let unlocked else { return [] }
    return try AccessLog(vault: vault).keylessTail(unlocked: unlocked)
      .filter { $0.action == Action.unlockFailed.rawValue }.map { FailedUnlock(time: $0.time, why: $0.detail ?? "") }
  }

  /// The clients: add, import, update, discharge, show, list, and candidates for an ambiguous name.
  public var clients: Clients { Clients(practice: self) }
  /// Session notes: add, edit, sign, amend, show, list, search.
  public var notes: Notes { Notes(practice: self) }
  /// Consent documents, forms, releases and disclosures.
  public var consents: Consents { Consents(practice: self) }
  /// Requests for records and the exports that answer them.
  public var requests: Requests { Requests(practice: self) }
  /// The access log: show, head, verify.
  public var log: LogRoom { LogRoom(practice: self) }
  /// Checks of the whole vault, and what anyone who can read its directory may count (`info`).
  public var checks: Checks { Checks(practice: self) }
  /// Passphrases and key slots.
  public var keys: Keys { Keys(practice: self) }
  /// Practitioners, their roles, and which clients each may open.
  public var practitioners: Practitioners { Practitioners(practice: self) }
  /// The practice's name, address, contact and time zone.
  public var profile: ProfileRoom { ProfileRoom(practice: self) }
  /// Printable pages: a note, a client summary.
  public var printing: Printing { Printing(practice: self) }

  // MARK: The gate

  /// What a room's work produced, and what the log records about it.
  struct Outcome<T> {
    var value: T
    var client: ClientCode?
    var objects: [ObjectID] = []
    var detail: String?
  }

  /// Asks the policy, runs `work`, records the access, then returns the result: nothing leaves
  /// the core unrecorded. `client` is checked by the policy before any work.
  func access<T>(_ action: Action, client: ClientCode? = nil, flag: String? = nil, _ work: () throws -> Outcome<T>) throws -> T {
    try authorize(action, client: client)
    let outcome = try work()
    try record(action, client: outcome.client ?? client, objects: outcome.objects, detail: outcome.detail, flag: flag)
    return outcome.value
  }

  /// Asks the policy for an action on `client`, and checks the practice was opened for it,
  /// before any work that would reveal that client's data.
  func authorize(_ action: Action, client: ClientCode?) throws {
    try AccessPolicy.check(actor, action, client: client)
    try AccessPolicy.check(action, in: mode)
  }

  /// Asks only the policy: for the checks a command makes before a person types (under a
  /// practice opened for reading), about a change it will make later under the write lock.
  func authorizeAhead(_ action: Action, client: ClientCode?) throws {
    try AccessPolicy.check(actor, action, client: client)
  }

  /// Appends one entry (keyed and checkpointed when unlocked, sealed as "system" otherwise).
  /// `flag`: why the entry is listed by `vault log show --flagged` (every use of the recovery key is).
  @discardableResult
  func record(_ action: Action, client: ClientCode? = nil, objects: [ObjectID] = [], detail: String? = nil, flag: String? = nil) throws -> LogHead {
    try AccessPolicy.check(action, in: mode)
    return try AccessLog(vault: vault).append(entry(action, client: client, objects: objects, detail: detail, flag: flag), unlocked: unlocked)
  }

  /// Signs what keyless commands appended since the last checkpoint (a nightly backup's entry),
  /// if it is only that (`AccessLog.signRoutineTail`), before a verification reads the log.
  /// Every other unlocked command covers those entries with its own entry's checkpoint; a
  /// verification reads the log before it appends, so without this every `vault verify` after
  /// a backup would warn. Best effort, and silent: what is not signed stays unsigned, and the
  /// verification that follows reports it.
  func signRoutineKeylessEntries() {
    guard let unlocked else { return }
    _ = try? AccessLog(vault: vault).signRoutineTail(unlocked: unlocked)
  }

  /// An entry to append with others (`record(batch:)`).
  struct PendingEntry {
    var action: Action
    var client: ClientCode?
    var objects: [ObjectID] = []
    var detail: String?
  }

  /// Appends the entries of one access together: in one write and under one checkpoint when
  /// this key encrypts log entries; one by one otherwise (a practitioner who does not read the
  /// log seals each entry and signs a checkpoint right after it, FORMAT.md §17.7).
  func record(batch: [PendingEntry]) throws {
    guard !batch.isEmpty else { return }
    for p in batch { try AccessPolicy.check(p.action, in: mode) }
    guard let unlocked, unlocked.keys.logEntries != nil, batch.count > 1 else {
      for p in batch { try record(p.action, client: p.client, objects: p.objects, detail: p.detail) }
      return
    }
    try AccessLog(vault: vault).append(contentsOf: batch.map { entry($0.action, client: $0.client, objects: $0.objects, detail: $0.detail, flag: nil) }, unlocked: unlocked)
  }

  /// The entry `record` appends.
  private func entry(_ action: Action, client: ClientCode?, objects: [ObjectID], detail: String?, flag: String?) -> LogEntry {
    var entry = LogEntry(
      action: action.rawValue, actor: actor.name, client: client?.description, objects: objects.isEmpty ? nil : objects.map(\.hex),
      reason: reason, detail: detail)
    entry.practitioner = actor.practitioner?.hex
    entry.flag = flag ?? (actor.isRecovery && unlocked != nil ? "recovery key used" : nil)
    return entry
  }

  /// The record engine; rooms that need keys call it only after `AccessPolicy` let them in.
  var records: Records {
    get throws {
      guard let engine else { throw AccessError.notUnlocked }
      return engine
    }
  }

  /// The unlocked vault; rooms that need keys call it only after `AccessPolicy` let them in.
  var unlockedKeys: UnlockedVault {
    get throws {
      guard let unlocked else { throw AccessError.notUnlocked }
      return unlocked
    }
  }

  /// Now, as Unix seconds, for record times.
  var now: Int64 { Int64(Date().timeIntervalSince1970) }

  /// The client a code or name prefix names, once the policy allows `action` on them (`ahead`:
  /// the policy only, see `authorizeAhead`). Resolving is part of the access it serves and has no
  /// entry of its own, except when a name matches several clients whose names are then shown.
  func client(_ query: String, for action: Action, ahead: Bool = false) throws -> Client {
    // The role first: a refused role learns nothing, not even whether the client exists.
    try AccessPolicy.check(actor, action, client: nil)
    let c: Client
    do {
      c = try records.client(query)
    } catch RecordError.ambiguousClient(let q, let codes) {
      if let showCandidates {
        let found = try access(.clientLookup) {
          Outcome(
            value: try records.clients(matching: codes).map(ClientSummary.init),
            detail: "'\(q)' matched \(codes.count) clients; their names were shown: \(codes.map(\.description).joined(separator: ", "))")
        }
        showCandidates(q, found)
      }
      throw RecordError.ambiguousClient(q, matches: codes)
    }
    try ahead ? authorizeAhead(action, client: c.code) : authorize(action, client: c.code)
    return c
  }

  /// The code a filter over the log names (`log show --client`): a code the index knows is taken
  /// as it is (entries name clients by code, so no key to the record is needed), anything else
  /// is resolved like every command's client argument (`client(_:for:)`), with the same
  /// ambiguity and unknown-client errors. A client the vault does not know is refused, never
  /// shown as an empty list.
  func clientCode(_ query: String, for action: Action) throws -> ClientCode {
    if let code = ClientCode(parsing: query), try records.codes(in: unlockedKeys.readIndex()).contains(where: { $0.code == code }) {
      try authorize(action, client: code)
      return code
    }
    return try client(query, for: action).code
  }

  /// The client and note an id names, once the policy allows `action` on that client.
  func note(_ id: String, for action: Action, ahead: Bool = false) throws -> (Client, NoteEntry) {
    let noteID = try NoteID(parsing: id)
    let c = try client(noteID.client.description, for: action, ahead: ahead)
    guard c.code == noteID.client, let note = c.index.note(noteID.number) else { throw RecordError.noteNotFound(noteID.description) }
    return (c, note)
  }

  /// Every client `action` may reach: the one place a list, a check or a search over the whole
  /// practice gets its clients (today every client; with roles, those the actor may see).
  func visibleClients(for action: Action) throws -> [Client] {
    try authorize(action, client: nil)
    return try records.allClients()
  }

  /// One client (`query`), or every visible client when it is nil; and the code to record.
  func clients(_ query: String?, for action: Action) throws -> (clients: [Client], code: ClientCode?) {
    guard let query else { return (try visibleClients(for: action), nil) }
    let c = try client(query, for: action)
    return ([c], c.code)
  }
}

/// An unlock that was refused (`Practice.failedUnlocks`).
public struct FailedUnlock: Sendable, Equatable {
  /// When, ISO 8601 UTC.
  public let time: String
  /// "wrong passphrase" or "wrong recovery key".
  public let why: String
}
