/// Files a vault does not hold: unexpected names in the vault directory, and leftovers of
/// interrupted writes in tmp/ (warnings: the next writer removes or reclaims them).
struct LayoutCheck: VaultCheck {
  let name = "layout"

  func check(_ context: VaultCheckContext, _ findings: inout [Finding]) throws {
    let layout = context.layout
    for name in (try? Directories.list(layout.root)) ?? [] where !VaultLayout.topLevelNames.contains(name) {
      findings.append(Finding(.warning, name, "unexpected file in the vault directory"))
    }
    for name in (try? Directories.list(layout.tmp)) ?? [] {
      let what = "tmp/\(name)" == "tmp/" + SystemPath.lastComponent(layout.unfinishedMarker)
        ? "a command was interrupted after writing objects it had not committed; the next command that writes reclaims them"
        : "leftover of an interrupted write; the next command that writes removes it"
      findings.append(Finding(.warning, "tmp/\(name)", what))
    }
  }
}
