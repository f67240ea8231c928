import ArgumentParser
import Foundation
import VaultCore

extension VaultCommand.Log {
  /// `vault log head`: the current head and checkpoint, to keep somewhere else.
  struct LogHead: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "head",
      abstract: "Print the log's current head and last checkpoint (no passphrase needed).",
      discussion: """
        Keep the printed head outside the vault (a note on paper, an e-mail to yourself): \
        'vault log verify --head HASH' later proves the log still contains everything up to \
        that point. This command's own entry is included in the head it prints.

        EXIT STATUS
          0   printed
          4   the vault is busy
          10  the log is damaged
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, mode: .keyless)
      let head = try practice.log.head()
      let out = location.output
      out.emit(head)
      out.line("entries:    \(head.count)")
      out.line("head:       \(head.head)")
      if let c = head.lastCheckpoint {
        let signed = c.isAuthentic(for: practice.vault.config) ? "signed" : "signature does NOT verify (run 'vault log verify'), dated"
        out.line("checkpoint: \(c.count) entries, \(signed) \(LogEntry.format(seconds: Int64(c.time))) (index generation \(c.generation))")
      } else {
        out.line("checkpoint: none yet")
      }
    }
  }
}
