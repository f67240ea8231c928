/// What shell completion may offer: client codes and note ids, never names, and only while an
/// unlock session (`vault unlock`) is open for the vault.
///
/// Completion runs on every Tab press, so it never prompts, never takes the vault lock, never
/// writes (not the access log either), and answers nothing when the vault is locked or anything
/// fails. It does not record an access: a code or a note id is an identifier, not a record's
/// content; the person holding the session can list the same codes with `vault client list`
/// (which is recorded), and logging every Tab press would bury the accesses that matter
/// (THREAT-MODEL.md, "Shell completion").
public enum Completions {
  /// The codes of the clients this session's practitioner can open, starting with `prefix`
  /// (case-insensitive).
  public static func clientCodes(vault path: String, prefix: String = "") -> [String] {
    guard let unlocked = resumed(path) else { return [] }
    let records = Records(unlocked)
    guard let coded = try? records.codes(in: unlocked.readIndex()) else { return [] }
    let wanted = prefix.uppercased()
    return coded.filter { (try? records.keyRing($0.entry.client)) != nil }.map(\.code.description)
      .filter { $0.hasPrefix(wanted) }.sorted()
  }

  /// The ids of the notes ("K7F3-2Q.3") of the client whose code `prefix` starts with (up to
  /// the dot), starting with `prefix`; client codes followed by a dot while no client is chosen.
  public static func noteIDs(vault path: String, prefix: String = "") -> [String] {
    let wanted = prefix.uppercased()
    guard let dot = wanted.firstIndex(of: "."), let code = ClientCode(parsing: String(wanted[..<dot])) else {
      return clientCodes(vault: path, prefix: wanted).map { $0 + "." }
    }
    guard let unlocked = resumed(path) else { return [] }
    let records = Records(unlocked)
    guard let coded = try? records.codes(in: unlocked.readIndex()), let hit = coded.first(where: { $0.code == code }),
      let client = try? records.loadIfGranted(hit.entry, code: hit.code)
    else { return [] }
    return client.index.notes.map { "\(client.code).\($0.number)" }.filter { $0.hasPrefix(wanted) }
  }

  /// The vault as its open session unlocks it, read-only; nil when there is none or on any error.
  private static func resumed(_ path: String) -> UnlockedVault? {
    guard let vault = try? Vault.open(at: path) else { return nil }
    return Sessions().resume(vault)
  }
}
