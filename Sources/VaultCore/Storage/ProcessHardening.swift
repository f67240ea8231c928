import CVaultSystem

/// What the process does before it could hold a key or a note.
public enum ProcessHardening {
  /// Turns off core dumps and ptrace by other users; false if that failed (a crash could then
  /// write decrypted data to disk).
  public static func apply() -> Bool { vault_disable_core_dumps() == 0 }
}
