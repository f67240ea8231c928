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
      let context = try CommandContext.open(location, lock: lock, access: .keyless)
      let head = try context.record("log-head")
      context.output.emit(head)
      context.output.line("entries:    \(head.count)")
      context.output.line("head:       \(head.head)")
      if let c = head.lastCheckpoint {
        let date = LogEntry.format(Date(timeIntervalSince1970: TimeInterval(c.time)))
        let signed = c.isAuthentic(for: context.vault.config) ? "signed" : "signature does NOT verify (run 'vault log verify'), dated"
        context.output.line("checkpoint: \(c.count) entries, \(signed) \(date) (index generation \(c.generation))")
      } else {
        context.output.line("checkpoint: none yet")
      }
    }
  }
}
