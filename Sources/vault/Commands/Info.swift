import ArgumentParser
import Foundation
import VaultCore

extension VaultCommand {
  /// `vault info`: format, counts, sizes and key slots, without a passphrase.
  struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show the vault's format version, size and key slots (no passphrase needed).",
      discussion: """
        Shows nothing secret and nothing about any client: only what anyone who can read the \
        vault directory could count for themselves.

        EXIT STATUS
          0   shown
          1   no vault
          4   the vault is busy
          10  the config file or a key slot is damaged
        """)
    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, mode: .keyless)
      let info = try practice.checks.info()
      let out = location.output
      out.emit(info)
      out.line("""
        Vault:          \(info.path)
        Format version: \(info.formatVersion)
        Vault id:       \(info.vaultID)
        Created:        \(info.created)
        Objects:        \(info.objectCount) (\(Self.size(info.objectBytes)))
        Client keys:    \(info.clientKeyCount)
        Key slots:      \(info.slots.count)
        """)
      for s in info.slots {
        let cost = s.opsLimit == 0 ? "" : ", Argon2id \(s.opsLimit) passes, \(Self.size(Int(s.memLimit)))"
        out.line("  \(s.id.prefix(8))  \(s.kind)  '\(s.label)'  created \(s.created)\(cost)")
      }
    }

    static func size(_ bytes: Int) -> String { ByteCountFormatter.string(fromByteCount: Int64(bytes), countStyle: .binary) }
  }
}
