import ArgumentParser
import VaultCore

extension VaultCommand {
  /// `vault client assign`.
  struct ClientAssign: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "assign",
      abstract: "Give a clinician a client's key (and their supervisor).",
      discussion: """
        Run by an owner. The clinician can then list, read and write the client's record.

        EXAMPLE
          vault client assign K7F3-2Q --to dana
        """)
    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("Client code or name.", valueName: "client"), completion: .clientCodes) var client: String
    @Option(help: ArgumentHelp("The clinician.", valueName: "name")) var to: String

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let a = try practice.practitioners.assign(client, to: to)
      location.output.emit(a)
      location.output.line("\(a.client) is assigned to \(a.assignedTo.joined(separator: ", ")).")
    }
  }

  /// `vault client unassign`.
  struct ClientUnassign: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "unassign",
      abstract: "Take a client's key back from a clinician (the client gets a new key).",
      discussion: """
        What is written about the client from now on is out of the clinician's reach; what they \
        already read cannot be taken back.
        """)
    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("Client code or name.", valueName: "client"), completion: .clientCodes) var client: String
    @Option(help: ArgumentHelp("The clinician.", valueName: "name")) var from: String

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let a = try practice.practitioners.unassign(client, from: from)
      location.output.emit(a)
      location.output.line("\(a.client) is no longer assigned to \(a.practitioner); its key was replaced.")
    }
  }

  /// `vault emergency`: break the glass.
  struct Emergency: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Emergency access: give a clinician a client's record when the assigned one is unavailable.",
      discussion: """
        The emergency access procedure (HIPAA 164.312(a)(2)(ii); docs/OPERATIONS.md, \
        "Emergency access"). Run by an owner, or with the recovery key when no owner is \
        available. The reason is required; the entry is flagged in the access log and listed \
        by 'vault log show --flagged'. Take the access back with 'vault client unassign' when \
        the emergency is over.

        EXAMPLE
          vault emergency K7F3-2Q --to lee --reason "Dana on leave; client in crisis"

        EXIT STATUS
          0   access given    1   unknown client or practitioner    6   not an owner
        """)
    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("Client code or name.", valueName: "client"), completion: .clientCodes) var client: String
    @Option(help: ArgumentHelp("The clinician who needs the record.", valueName: "name")) var to: String

    func validate() throws {
      guard location.reason != nil else { throw ValidationError("emergency access needs --reason TEXT: why, in a few words (it is recorded)") }
    }

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let a = try practice.practitioners.assign(client, to: to, emergency: location.reason ?? "")
      location.output.emit(a)
      location.output.line("Emergency access to \(a.client) given to \(a.practitioner); flagged in the access log.")
    }
  }
}
