/// objects/: nothing but object copies, each hashing to its name (no key needed).
struct ObjectCopiesCheck: BackupCheck {
  let name = "object copies"

  func check(_ context: BackupCheckContext, _ findings: inout [Finding]) throws {
    let (objects, strays) = try context.repo.objects.list()
    findings += strays.map { Finding(.warning, "objects/\($0)", "unexpected file in objects/") }
    context.objects = Set(objects)
    for (n, id) in objects.enumerated() {
      do { try context.repo.objects.checkHash(id) } catch {
        findings.append(Finding(.error, "objects/\(id.hex.prefix(2))/\(id.hex)", VaultVerifier.describe(error)))
      }
      context.progress(n + 1, objects.count)
    }
  }
}
