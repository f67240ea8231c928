import ArgumentParser
import Foundation
import VaultCore

extension VaultCommand {
  /// `vault practitioner`: the practice's people and roles.
  struct PractitionerGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "practitioner",
      abstract: "Add, list, rename and remove the practice's practitioners.",
      discussion: """
        Each practitioner has their own passphrase and key, and a role:
          owner       everything: every client, the log, practitioners, keys
          clinician   the clients assigned to them (and those they add)
          supervisor  reads their supervisees' clients; writes nothing
          auditor     the log, disclosures, consent status, requests; no notes
        Roles are enforced by keys, not only by checks: a clinician's passphrase cannot open an \
        unassigned client's record even with a modified vault binary. docs/ROLES.md has the \
        table, command by command. Only owners manage practitioners.

        Unlock as someone with --as NAME (or VAULT_PRACTITIONER=NAME); each practitioner changes \
        their own passphrase with 'vault passwd'.
        """,
      subcommands: [PractitionerAdd.self, PractitionerList.self, PractitionerRename.self, PractitionerSupervise.self, PractitionerRemove.self])
  }

  /// `vault practitioner add`.
  struct PractitionerAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add",
      abstract: "Add a practitioner with a role and their first passphrase.",
      discussion: """
        Run by an owner. Asks for the owner's passphrase, then for the new practitioner's \
        twice (they type it; they change it later with 'vault passwd --as NAME'). The first \
        practitioner added to a vault moves it to the practice layout (docs/FORMAT.md §17): \
        every client's key file is rewritten; nothing is re-encrypted. An auditor receives the \
        register of every client at once.

        EXAMPLES
          vault practitioner add dana --role clinician
          vault practitioner add sam --role supervisor
          vault practitioner add lee --role clinician --supervisor sam
          vault practitioner add audit --role auditor --new-passphrase-file audit.pass

        EXIT STATUS
          0   added    1   bad name, role or passphrase; name taken    3   wrong passphrase    6   not an owner
        """)
    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The practitioner's name, as they will type it with --as.", valueName: "name")) var name: String
    @Option(help: ArgumentHelp("owner, clinician, supervisor or auditor.", valueName: "role")) var role: String
    @Option(help: ArgumentHelp("For a clinician: the supervisor who reads their clients.", valueName: "name")) var supervisor: String?
    @Option(name: .long, help: ArgumentHelp("Read the new practitioner's passphrase from the first line of <file>.", valueName: "file"))
    var newPassphraseFile: String?
    @Option(name: .long, help: ArgumentHelp("Argon2id cost of their slot: moderate (default), sensitive or test.", valueName: "level"))
    var kdf: KDFLevel?

    func run() throws {
      // Checked before anyone types a passphrase.
      guard Role(name: role) != nil else { throw VaultError.access(.unknownRole(role)) }
      // Who is adding is checked before the new practitioner types a passphrase; the lock is not
      // held while they type.
      let unlocked = try CommandContext.unlock(location, unlock)
      try CommandContext.briefly(location, lock: lock, unlocked: unlocked) { try $0.practitioners.checkMayAdd() }
      let new = try PassphraseSource(file: newPassphraseFile, environment: [:]).readNewOrExplain(option: "--new-passphrase-file")
      let practice = try CommandContext.open(location, lock: lock, unlocked: unlocked, mode: .write)
      let added = try practice.practitioners.add(name, role: role, passphrase: new, cost: kdf, supervisor: supervisor)
      let out = location.output
      if kdf == .test { out.note("\(KDFLevel.testWarning)") }
      out.emit(added)
      out.line("Added \(added.name) as \(added.role)\(added.supervisor.map { ", supervised by \($0)" } ?? ""). They unlock with 'vault unlock --as \(added.name)'.")
    }
  }

  /// `vault practitioner list`.
  struct PractitionerList: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "List the practitioners, their roles and how many clients each holds.")
    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .read)
      let list = try practice.practitioners.list()
      let out = location.output
      out.emit(list)
      out.line("\("NAME".padding(20))  \("ROLE".padding(10))  \("CLIENTS".padding(7))  \("SUPERVISOR".padding(20))  ADDED")
      for p in list {
        out.line("\(p.name.padding(20))  \(p.role.padding(10))  \((p.clients.map(String.init) ?? "all").padding(7))  \((p.supervisor ?? "-").padding(20))  \(p.added)")
      }
    }
  }

  /// `vault practitioner rename`.
  struct PractitionerRename: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rename", abstract: "Rename a practitioner (the log keeps their earlier entries theirs).")
    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("Their current name.", valueName: "name")) var name: String
    @Argument(help: ArgumentHelp("Their new name.", valueName: "new-name")) var newName: String

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let p = try practice.practitioners.rename(name, to: newName)
      location.output.emit(p)
      location.output.line("Renamed \(name) to \(p.name).")
    }
  }

  /// `vault practitioner supervise`.
  struct PractitionerSupervise: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "supervise",
      abstract: "Set or clear a clinician's supervisor.",
      discussion: """
        The supervisor receives the keys of the clinician's clients; a former supervisor loses \
        them (those clients get new keys, so what is written from now on is out of their reach).

        EXAMPLES
          vault practitioner supervise lee --by sam
          vault practitioner supervise lee --none
        """)
    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The clinician.", valueName: "name")) var name: String
    @Option(help: ArgumentHelp("Their supervisor (a practitioner with the supervisor role).", valueName: "name")) var by: String?
    @Flag(help: "Clear their supervisor.") var none = false

    func validate() throws {
      guard (by == nil) != !none else { throw ValidationError("give either --by NAME or --none") }
    }

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let p = try practice.practitioners.supervise(name, by: by)
      location.output.emit(p)
      location.output.line("\(p.name) is now supervised by \(p.supervisor ?? "nobody").")
    }
  }

  /// `vault practitioner remove`.
  struct PractitionerRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "remove",
      abstract: "Remove a practitioner: their passphrases stop working, and every client they could open gets a new key.",
      discussion: """
        What is written from now on is out of the removed person's reach, even with a copy of \
        their old key slot. What they already saw or copied cannot be taken back \
        (docs/THREAT-MODEL.md, "Removing a practitioner"). The last owner cannot be removed.

        EXIT STATUS
          0   removed    1   unknown name, or the last owner    6   not an owner
        """)
    @OptionGroup var location: VaultOptions
    @OptionGroup var lock: LockOptions
    @OptionGroup var unlock: UnlockOptions
    @Argument(help: ArgumentHelp("The practitioner to remove.", valueName: "name")) var name: String

    func run() throws {
      let practice = try CommandContext.open(location, lock: lock, unlock: unlock, mode: .write)
      let r = try practice.practitioners.remove(name)
      location.output.emit(r)
      location.output.line("Removed \(r.name): \(r.slotsRemoved) key slot(s) deleted, \(r.clientsRekeyed) client key(s) replaced.")
    }
  }
}
