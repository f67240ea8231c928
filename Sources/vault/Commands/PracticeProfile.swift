import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault practice`: the practice's name, address, contact and time zone.
  struct PracticeGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "practice", abstract: "Set the practice's name, address, contact and time zone (the letterhead).",
      discussion: """
        The profile heads every record a client receives ('vault export') and every printed page \
        ('vault note print', 'vault client summary'); times on those pages are shown in its time \
        zone. It is stored encrypted in the vault.
        """,
      subcommands: [PracticeSet.self, PracticeShow.self], defaultSubcommand: PracticeShow.self)
  }

  /// `vault practice set`.
  struct PracticeSet: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "set", abstract: "Change the practice's profile (owners only).",
      discussion: """
        Give only what changes; an empty value clears a field. --address and --contact take one \
        line each and may be repeated, in order.

        EXAMPLE
          vault practice set --name 'Riverside Counseling' \\
            --address '12 Main Street' --address 'Springfield, IL 62701' \\
            --contact '(217) 555-0100' --contact 'office@riverside.example' \\
            --time-zone America/Chicago
        """)

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Option(name: .long, help: ArgumentHelp("The practice's name.", valueName: "name")) var name: String?
    @Option(name: .long, help: ArgumentHelp("A line of the postal address (repeatable).", valueName: "line")) var address: [String] = []
    @Option(name: .long, help: ArgumentHelp("A line of contact details: phone, e-mail, web site (repeatable).", valueName: "line"))
    var contact: [String] = []
    @Option(name: .long, help: ArgumentHelp("IANA time zone for the times clients read, e.g. America/Chicago ('' for UTC).", valueName: "zone"))
    var timeZone: String?

    var change: PracticeProfileChange {
      var change = PracticeProfileChange()
      change.name = name
      change.address = address.isEmpty ? nil : address
      change.contact = contact.isEmpty ? nil : contact
      change.timeZone = timeZone
      return change
    }

    func validate() throws {
      if change.isEmpty { throw ValidationError("give at least one of --name, --address, --contact, --time-zone") }
    }

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let profile = try practice.profile.set(change)
      location.output.emit(profile)
      location.output.line("Practice profile updated:")
      PracticeShow.describe(profile, to: location.output)
    }
  }

  /// `vault practice show`.
  struct PracticeShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the practice's profile.")

    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .read)
      let profile = try practice.profile.show()
      location.output.emit(profile)
      if profile.isEmpty { return location.output.line("No practice profile yet; set one with 'vault practice set --name …'.") }
      Self.describe(profile, to: location.output)
    }

    /// The profile as labelled lines.
    static func describe(_ p: PracticeProfile, to out: Output) {
      out.line("  Name:       \(p.name.isEmpty ? "(not set)" : p.name)")
      out.line("  Address:    \(multiline: p.address.isEmpty ? "(not set)" : p.address.replacingOccurrences(of: "\n", with: "\n              "))")
      out.line("  Contact:    \(multiline: p.contact.isEmpty ? "(not set)" : p.contact.replacingOccurrences(of: "\n", with: "\n              "))")
      out.line("  Time zone:  \(p.timeZone.isEmpty ? "UTC (not set)" : p.timeZone)")
    }
  }
}
