/// Keyed: what nothing refers to, once the index has been followed (warnings: an interrupted
/// write leaves these, and so does someone adding files): objects the index does not reach,
/// and client keys of no client in the index.
struct ReferencesCheck: VaultCheck {
  let name = "references"

  func check(_ context: VaultCheckContext, _ findings: inout [Finding]) throws {
    guard let index = context.index else { return }
    for id in context.objects where !context.referenced.contains(id) && !context.damaged.contains(id) {
      findings.append(
        Finding(.warning, context.path(of: id), "object is not referenced by the index (left by an interrupted write, or put there by someone else)"))
    }
    let known = Set(index.entries.map(\.client))
    for id in context.clientKeys.keys where !known.contains(id) {
      findings.append(Finding(.warning, "clientkeys/\(id.hex)", "client key belongs to no client in the index"))
    }
  }
}
