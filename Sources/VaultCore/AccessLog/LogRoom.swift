/// The access log as people and scripts read it: its head, its entries, its verification.
public struct LogRoom {
  let practice: Practice

  /// Records this read and returns the head, which includes it.
  public func head() throws -> LogHead {
    try practice.authorize(.logHead, client: nil)
    return try practice.record(.logHead)
  }

  /// The entries `filter` matches (the last `limit` of them), oldest first. `filter.client` is a
  /// code or the start of a name; an unknown client throws `RecordError.clientNotFound`, a name
  /// matching several `.ambiguousClient`. Reading the log is recorded before anything is read. Damage stops the listing; what was read before it is kept.
  public func show(_ filter: LogFilter, limit: Int? = nil) throws -> LogListing {
    try practice.authorize(.logRead, client: nil)
    var filter = filter
    // A name or a code, as in every command; recorded (and matched) as the code.
    if let query = filter.client { filter.client = try practice.clientCode(query, for: .logRead).description }
    filter.practitionerID = filter.practitioner.flatMap { try? practice.unlockedKeys.registry?.named($0)?.id.hex }
    try practice.record(.logRead, detail: filter.summary)
    var shown: [NumberedEntry] = []
    var damage: VaultError?
    do {
      try AccessLog(vault: practice.vault).entries(unlocked: practice.unlockedKeys) { n, entry in
        guard filter.matches(entry) else { return }
        shown.append(NumberedEntry(seq: n, entry: entry))
        if let limit, shown.count > limit { shown.removeFirst() }
      }
    } catch let e as VaultError {
      damage = e
    }
    return LogListing(entries: shown, damage: damage)
  }

  /// Where a saved head for `verify` comes from.
  public enum SavedHead: Sendable {
    /// A head printed by `log head` earlier.
    case head(String)
    /// The head the latest snapshot in this backup directory recorded.
    case backup(String)
  }

  /// Recomputes the chain, checks every checkpoint, decrypts every entry, and checks that a
  /// saved head is still part of the log. Returns the report and, for `.backup`, the snapshot
  /// used. The check itself is recorded when the log can take it (`recorded` says whether).
  public func verify(against saved: SavedHead? = nil) throws -> (report: LogVerifier.Report, snapshot: Snapshot?, recorded: Error?) {
    try practice.authorize(.logVerify, client: nil)
    practice.signRoutineKeylessEntries()
    var head: String?
    var snapshot: Snapshot?
    switch saved {
    case .head(let h): head = h.lowercased()
    case .backup(let dir):
      let (repo, owner) = try BackupRepository.open(try BackupLocation.repository(dir))
      guard owner == practice.vault.config.vaultID else { throw BackupError.otherVault(dir) }
      guard let latest = try repo.latestSnapshot() else { throw BackupError.noSnapshots }
      snapshot = latest
      head = latest.logHead
    case nil: break
    }
    let report = try LogVerifier(log: AccessLog(vault: practice.vault)).run(unlocked: practice.unlocked, savedHead: head)
    let errors = report.findings.filter { $0.severity == .error }.count
    var failure: Error?
    do { try practice.record(.logVerify, detail: errors == 0 ? "ok" : "\(errors) problem(s) found") } catch {
      // A damaged log may refuse the entry: the report matters more; with no problems found it must not be lost.
      if errors == 0 { throw error }
      failure = error
    }
    return (report, snapshot, failure)
  }
}
