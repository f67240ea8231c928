/// objects/: nothing but object files, and every object's content hashes to its name (no key
/// needed). Sets `context.objects` and `context.damaged`; reports progress.
struct ObjectsCheck: VaultCheck {
  let name = "objects"

  func check(_ context: VaultCheckContext, _ findings: inout [Finding]) throws {
    let store = context.store
    let (objects, strays) = try store.list()
    context.objects = objects
    findings += strays.map { Finding(.warning, "objects/\($0)", "unexpected file in objects/") }
    for (n, id) in objects.enumerated() {
      do { try store.checkHash(id) } catch {
        context.damaged.insert(id)
        findings.append(Finding(.error, context.path(of: id), VaultVerifier.describe(error)))
      }
      context.progress(n + 1, objects.count)
    }
  }
}
