#if canImport(Glibc)
  import Glibc
#endif

/// Hidden sibling directories in which a new vault or a restore is built before it is renamed
/// into place (`.NAME.init-PID-…`, `.NAME.restore-PID-…`). A process killed while building one
/// leaves it behind; the next run for the same name removes those whose process is gone.
public enum StagingDirectory {
  /// Removes the directories in `parent` named `prefix` + PID + "-…" whose process no longer runs.
  public static func removeAbandoned(in parent: String, prefix: String) {
    for name in (try? FileSystem.list(parent)) ?? [] where name.hasPrefix(prefix) {
      let rest = name.dropFirst(prefix.count)
      guard let dash = rest.firstIndex(of: "-"), let pid = pid_t(rest[..<dash]), pid > 0 else { continue }
      // kill(pid, 0) fails with ESRCH only when no such process exists.
      if kill(pid, 0) != 0 && errno == ESRCH { FileSystem.removeTree("\(parent)/\(name)") }
    }
  }
}
