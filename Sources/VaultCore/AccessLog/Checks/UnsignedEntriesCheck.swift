/// Entries after the last checkpoint are unsigned (a warning: keyless commands append them, and
/// the next unlocked command signs them).
struct UnsignedEntriesCheck: LogCheck {
  let name = "unsigned entries"

  func finish(_ context: LogCheckContext, _ findings: inout LogFindings) throws {
    let n = context.unsigned
    if n > 0 {
      findings.warn(
        "log",
        "\(n) entr\(n == 1 ? "y" : "ies") after the last checkpoint \(n == 1 ? "is" : "are") unsigned (appended without the key, e.g. by keyless commands; the next unlocked command signs them)"
      )
    }
  }
}
