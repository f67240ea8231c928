import ArgumentParser

extension VaultCommand {
  /// `vault log`: the tamper-evident access log.
  struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Read and check the access log (who did what, when, and why).",
      discussion: """
        Every command that reads or changes the vault appends an encrypted entry to the log. \
        Entries form a hash chain, and each command that unlocks the vault signs a checkpoint \
        of it, so deleted, edited, reordered or inserted entries are detected by 'vault log verify'.
        """,
      subcommands: [LogShow.self, LogVerify.self, LogHead.self])
  }
}
