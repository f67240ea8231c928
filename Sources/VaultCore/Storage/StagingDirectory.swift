#if canImport(Glibc)
  import Glibc
#endif

/// Hidden sibling directories in which a new vault or a restore is built before it is renamed
/// into place (`.NAME.init-PID-…`, `.NAME.restore-PID-…`). A process killed while building one
/// leaves it behind; the next run in the same directory removes those whose process is gone.
public enum StagingDirectory {
  /// The hidden staging name for `target`: `.NAME.<kind>-PID-<random hex>`.
  public static func name(for target: String, kind: String, random: String) -> String {
    "\(SystemPath.parent(target))/.\(SystemPath.lastComponent(target)).\(kind)-\(getpid())-\(random)"
  }

  /// Removes the `kind` staging directories in `parent` (for any NAME) whose process no longer runs.
  public static func removeAbandoned(in parent: String, kind: String) {
    let marker = ".\(kind)-"
    for name in (try? Directories.list(parent)) ?? [] where name.hasPrefix(".") {
      guard let range = name.range(of: marker, options: .backwards) else { continue }
      let rest = name[range.upperBound...]
      guard let dash = rest.firstIndex(of: "-"), let pid = pid_t(rest[..<dash]), pid > 0,
        rest[rest.index(after: dash)...].allSatisfy(\.isHexDigit), FileStatus.isDirectory("\(parent)/\(name)")
      else { continue }
      // kill(pid, 0) fails with ESRCH only when no such process exists.
      if kill(pid, 0) != 0 && errno == ESRCH { Directories.removeTree("\(parent)/\(name)") }
    }
  }
}
