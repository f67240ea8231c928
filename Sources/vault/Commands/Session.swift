import ArgumentParser
import Foundation
import VaultCore

/// A length of time typed as 90s, 15m or 8h.
struct TimeSpan: ExpressibleByArgument, CustomStringConvertible {
  let seconds: Int64

  init(seconds: Int64) { self.seconds = seconds }

  init?(argument: String) {
    let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600]
    guard let unit = argument.last.flatMap({ units[$0] }), let n = Int64(argument.dropLast()), n > 0, n <= 7 * 86_400 / unit else { return nil }
    seconds = n * unit
  }

  var description: String { seconds % 3600 == 0 ? "\(seconds / 3600)h" : seconds % 60 == 0 ? "\(seconds / 60)m" : "\(seconds)s" }
  var defaultValueDescription: String { description }
}

extension VaultCommand {
  /// `vault unlock`: an unlock session in the kernel keyring.
  struct Unlock: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Unlock once; later commands run without asking until the session ends.",
      discussion: """
        Asks for your passphrase once and keeps your unlocked key in the Linux kernel keyring \
        (never on disk). Every command then uses it without a prompt and restarts its idle \
        timer. The kernel itself deletes the key at --timeout, or after --idle without use, \
        even if no vault command runs: automatic logoff. 'vault lock' ends it at once; \
        'vault status' says who is unlocked and until when.

        Where the kernel keyring is unavailable (some containers, VAULT_KEYRING=off), vault says \
        so and asks for the passphrase on every command as before.

        EXAMPLES
          vault unlock --as dana                   (for 1 hour, or 15 minutes unused)
          vault unlock --timeout 8h --idle 10m

        EXIT STATUS
          0   unlocked    1   the keyring is unavailable    3   wrong passphrase    6   refused
        """)
    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Option(help: ArgumentHelp("End the session this long from now, used or not (90s, 15m, 8h; at most 7 days).", valueName: "time"))
    var timeout = TimeSpan(seconds: 3600)
    @Option(help: ArgumentHelp("End the session after this long without a vault command.", valueName: "time"))
    var idle = TimeSpan(seconds: 900)

    func run() throws {
      // A new session always asks: it must not extend itself.
      var fresh = unlock
      fresh.forceCredential = true
      let practice = try CommandContext.open(location, lock: lock, unlock: fresh, mode: .read)
      let report = try practice.keys.startSession(timeout: timeout.seconds, idle: min(idle.seconds, timeout.seconds))
      location.output.emit(report)
      location.output.line(
        "Unlocked as \(report.practitioner ?? "?") until \(report.expires ?? "?"), or \(TimeSpan(seconds: report.idleSeconds ?? 0)) without use. End it with 'vault lock'.")
    }
  }

  /// `vault lock`: ends the unlock session.
  struct Lock: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "End the unlock session now.",
      discussion: """
        Removes the unlocked key from the kernel keyring; the next command asks for a \
        passphrase. Needs no passphrase. Recorded in the access log.

        EXIT STATUS
          0   locked (or there was no session)
        """)
    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, mode: .keyless)
      let ended = try practice.keys.endSession()
      location.output.emit(["ended": ended != nil])
      location.output.line(ended.map { "Locked: \($0)'s session ended." } ?? "No session was open.")
    }
  }

  /// `vault status`: who is unlocked, and until when.
  struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show whether an unlock session is open, whose, and until when.",
      discussion: """
        Reads only the kernel keyring; asks for nothing and records nothing. The practitioner \
        shown is what the session claims: every command checks it when it uses the session.

        EXIT STATUS
          0   a session is open    1   none is open
        """)
    @OptionGroup var location: VaultOptions

    func run() throws {
      let report = Keys.sessionStatus(try Vault.open(at: location.path))
      let out = location.output
      out.emit(report)
      if let why = report.unavailable {
        out.line("No unlock session: \(why).")
      } else if report.unlocked {
        let left = report.remainingSeconds.map { ", \(TimeSpan(seconds: max(1, $0))) left if unused" } ?? ""
        out.line("Unlocked as \(report.practitioner ?? "?") since \(report.started ?? "?"), until \(report.expires ?? "?")\(left).")
      } else {
        out.line("Locked: no unlock session. 'vault unlock' starts one.")
      }
      if !report.unlocked { throw ExitStatus.Thrown(status: .failure) }
    }
  }
}
