/// What the file system says about each file rather than its content: directories and files
/// other users can reach (warnings), and symbolic links, which a vault never has (errors).
struct PermissionsCheck: VaultCheck {
  let name = "permissions and symbolic links"

  func check(_ context: VaultCheckContext, _ findings: inout [Finding]) throws {
    let l = context.layout
    for dir in [l.root] + l.directories {
      if let m = try? FileStatus.mode(dir), m & 0o077 != 0 {
        findings.append(Finding(.warning, context.relative(dir), "directory is accessible to other users (mode \(String(m, radix: 8))); run chmod 700"))
      }
    }
    var files = [l.config, l.index, l.lock, l.logEntries, l.logCheckpoints]
    for dir in [l.slots, l.clientKeys] { files += ((try? Directories.list(dir)) ?? []).map { "\(dir)/\($0)" } }
    for sub in (try? Directories.list(l.objects)) ?? [] {
      let subPath = "\(l.objects)/\(sub)"
      if FileStatus.isSymbolicLink(subPath) {
        findings.append(Finding(.error, context.relative(subPath), Vault.symlinkMessage))
        continue
      }
      if let m = try? FileStatus.mode(subPath), m & 0o077 != 0 {
        findings.append(Finding(.warning, context.relative(subPath), "directory is accessible to other users (mode \(String(m, radix: 8))); run chmod 700"))
      }
      files += ((try? Directories.list(subPath)) ?? []).map { "\(subPath)/\($0)" }
    }
    files += ((try? Directories.list(l.log)) ?? []).map { "\(l.log)/\($0)" } + ((try? Directories.list(l.tmp)) ?? []).map { "\(l.tmp)/\($0)" }
    // Commands refuse to follow a symlink anywhere in a vault; verify names each one.
    for path in Set(files) where FileStatus.isSymbolicLink(path) {
      findings.append(Finding(.error, context.relative(path), Vault.symlinkMessage))
    }
    for file in files where !FileStatus.isSymbolicLink(file) {
      if let m = try? FileStatus.mode(file), m & 0o077 != 0 {
        findings.append(Finding(.warning, context.relative(file), "file is accessible to other users (mode \(String(m, radix: 8))); run chmod 600"))
      }
    }
  }
}
