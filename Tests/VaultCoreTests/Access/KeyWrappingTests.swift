import Foundation
import Testing
import VaultCrypto
@testable import VaultCore

/// Roles enforced by keys, not only by checks (issue 14): what each practitioner's key material
/// can decrypt, tried directly against the files, as a modified binary would.
@Suite("access enforced by keys")
struct KeyWrappingTests {
  struct Fixture {
    let created: Vault.Creation
    let dir: TemporaryDirectory
    var vault: Vault { created.vault.vault }
    let dora: String
    let note: NoteSummary

    init() throws {
      dir = try TemporaryDirectory()
      created = try makeVault(in: dir)
      do {
        // Each practice holds the vault's lock while it lives.
        let owner = try Practice(created.vault.vault, unlocked: created.vault, mode: .write)
        for (name, role) in [("dana", "clinician"), ("lee", "clinician"), ("audit", "auditor")] {
          _ = try owner.practitioners.add(name, role: role, passphrase: TestBytes.secure(Array("\(name) passphrase 1234".utf8)), cost: .test, supervisor: nil)
        }
      }
      let danaUnlocked = try created.vault.vault.unlock(.passphrase(TestBytes.secure(Array("dana passphrase 1234".utf8))), as: "dana")
      (dora, note) = try {
        let dana = try Practice(danaUnlocked.vault, unlocked: danaUnlocked, mode: .write)
        let code = try dana.clients.add(ClientRecord(legalName: "Dora Dana", startDate: Day(year: 2026, month: 1, day: 5)!)).code
        return (code, try dana.notes.add(to: code, text: "Only for Dora's clinician.\n", kind: .progress, date: Day(year: 2026, month: 1, day: 6)!, minutes: 50, sign: false))
      }()
    }

    /// What `name`'s passphrase unwraps: their personal key (opened as a patched binary would, from the slot alone).
    func personalKey(_ name: String) throws -> PersonalKey {
      let registry = try #require(try vault.registry())
      let p = try #require(registry.named(name))
      let slot = try KeySlot.decode(FileSystem.readFile(vault.layout.slot(p.slots[0]), limit: 4096))
      return try PersonalKey(slot.unlock(.passphrase(TestBytes.secure(Array("\(name) passphrase 1234".utf8))), vault: vault.config.vaultID))
    }

    /// The object of Dora's note `number`, found by the owner.
    func noteObject(_ number: UInt32) throws -> ObjectID {
      let c = try Records(created.vault).client(dora)
      return try #require(c.index.note(number)?.versions.last?.object)
    }

    /// Dora's key file.
    func doraKeyFile() throws -> ClientKeyFile {
      let index = try created.vault.readIndex()
      let code = try ClientCode.derive(client: index.entries.last!.client, key: created.vault.keys.clientCodes)
      #expect(code.description == dora)
      return try ClientKeyFile.decode(FileSystem.readFile(vault.layout.clientKey(index.entries.last!.client), limit: ClientKeyFile.maximumFileSize))
    }
  }

  @Test("an unassigned clinician's key opens no sealed copy of the client's key, and their bundle holds no wrapping key")
  func unassignedClinician() throws {
    let f = try Fixture()
    let lee = try f.personalKey("lee")
    let file = try f.doraKeyFile()
    // Every sealed copy in the file (the owners' and each grant), tried with lee's key pair.
    for sealed in [file.ownerCopy] + file.grants.map(\.sealed) {
      #expect(throws: CryptoError.authenticationFailed) { try SealedBox.openSecrets(sealed, prefixLength: ClientKeyGrant.prefixSize, with: lee.box) }
    }
    #expect(try file.open(as: KeyHolder(id: nil, personal: lee), keys: try leeKeys(f, lee), vault: f.vault.config.vaultID) == nil)
    let bundle = try leeKeys(f, lee)
    #expect(bundle.master == nil && bundle.clientKeyWrap == nil && bundle.ownerBox == nil && bundle.logEntries == nil)
  }

  func leeKeys(_ f: Fixture, _ lee: PersonalKey) throws -> VaultKeys {
    let p = try #require(try f.vault.registry()?.named("lee"))
    return try VaultKeys(bundle: StaffBundle.open(p.bundle, practitioner: p.id, role: p.role, personal: lee, vault: f.vault.config.vaultID))
  }

  @Test("the auditor's key opens the client's register, never the key of their notes, and no note decrypts under it")
  func auditorHasNoClinicalKey() throws {
    let f = try Fixture()
    let audit = try f.personalKey("audit")
    let file = try f.doraKeyFile()
    let p = try #require(try f.vault.registry()?.named("audit"))
    let keys = try VaultKeys(bundle: StaffBundle.open(p.bundle, practitioner: p.id, role: p.role, personal: audit, vault: f.vault.config.vaultID))
    #expect(keys.master == nil && keys.clientKeyWrap == nil && keys.ownerBox == nil)
    let ring = try #require(try file.open(as: KeyHolder(id: p.id, personal: audit), keys: keys, vault: f.vault.config.vaultID))
    #expect(ring.clinical.isEmpty)
    // The owners' copy and the clinician's grant do not open with the auditor's key pair.
    for g in [file.ownerCopy] + file.grants.filter({ $0.practitioner != p.id }).map(\.sealed) {
      #expect(throws: CryptoError.authenticationFailed) { try SealedBox.openSecrets(g, prefixLength: ClientKeyGrant.prefixSize, with: audit.box) }
    }
    // The note's object, tried under the only key the auditor has.
    let noteObject = try f.noteObject(1)
    let client = try f.doraKeyFile().client
    #expect(throws: (any Error).self) {
      try f.vault.layout.objectStore.get(
        noteObject, binding: ObjectBinding(type: .note, client: client), key: ring.register, vault: f.vault.config.vaultID)
    }
  }

  @Test("the assigned clinician's key opens the note; a removal's new epoch shuts that key out of what follows")
  func assignedAndRemoved() throws {
    let f = try Fixture()
    let dana = try f.personalKey("dana")
    let p = try #require(try f.vault.registry()?.named("dana"))
    let file = try f.doraKeyFile()
    let keys = try VaultKeys(bundle: StaffBundle.open(p.bundle, practitioner: p.id, role: p.role, personal: dana, vault: f.vault.config.vaultID))
    let ring = try #require(try file.open(as: KeyHolder(id: p.id, personal: dana), keys: keys, vault: f.vault.config.vaultID))
    let noteObject = try f.noteObject(1)
    let text = try f.vault.layout.objectStore.get(
      noteObject, binding: ObjectBinding(type: .note, client: file.client), keys: ring.clinical, vault: f.vault.config.vaultID)
    #expect(String(decoding: text, as: UTF8.self) == "Only for Dora's clinician.\n")
    // Removed: the file gets a new epoch; dana's old key does not open it or what is written now.
    do {
      let owner = try Practice(f.vault, unlocked: f.created.vault, mode: .write)
      _ = try owner.practitioners.remove("dana")
      _ = try owner.notes.add(to: f.dora, text: "After dana left.\n", kind: .progress, date: Day(year: 2026, month: 1, day: 7)!, minutes: 50, sign: false)
    }
    let later = try f.noteObject(2)
    let newFile = try f.doraKeyFile()
    #expect(newFile.epochs == 2 && !newFile.grants(p.id))
    #expect(throws: (any Error).self) {
      try f.vault.layout.objectStore.get(
        later, binding: ObjectBinding(type: .note, client: file.client), keys: ring.clinical, vault: f.vault.config.vaultID)
    }
  }
}

/// What a practice with practitioners must survive: reclaims by anyone, backups and restores.
@Suite("a practice's files")
struct PracticeFilesTests {
  @Test("a clinician's writer never reclaims objects of clients they cannot open, and an owner's keeps every register")
  func reclaimNeedsEveryClient() throws {
    let f = try KeyWrappingTests.Fixture()
    let before = Set(try f.vault.layout.objectStore.list().objects)
    // An interrupted writer's marker: the next writer reclaims what nothing references.
    try Data().write(to: URL(fileURLWithPath: f.vault.layout.unfinishedMarker))
    let lee = try f.vault.unlock(.passphrase(TestBytes.secure(Array("lee passphrase 1234".utf8))), as: "lee")
    _ = try Practice(f.vault, unlocked: lee, mode: .write)
    #expect(Set(try f.vault.layout.objectStore.list().objects) == before, "lee's writer removed objects")
    _ = try Practice(f.vault, unlocked: f.created.vault, mode: .write)
    #expect(Set(try f.vault.layout.objectStore.list().objects) == before, "the owner's reclaim removed referenced objects")
    #expect(!FileStatus.exists(f.vault.layout.unfinishedMarker))
    let dana = try f.vault.unlock(.passphrase(TestBytes.secure(Array("dana passphrase 1234".utf8))), as: "dana")
    #expect(try Practice(f.vault, unlocked: dana, mode: .read).notes.show(f.note.id).text == "Only for Dora's clinician.\n")
  }

  @Test("a backup holds the registry: after a restore each practitioner unlocks and reads what they could")
  func backupAndRestore() throws {
    let f = try KeyWrappingTests.Fixture()
    let repo = f.dir.path + "/backups", restored = f.dir.path + "/restored"
    _ = try Backups.create(vault: f.vault.layout.root, to: repo)
    _ = try Backups.restore(from: repo, snapshot: nil, to: restored)
    let vault = try Vault.open(at: restored)
    let dana = try vault.unlock(.passphrase(TestBytes.secure(Array("dana passphrase 1234".utf8))), as: "dana")
    #expect(try Practice(vault, unlocked: dana, mode: .read).notes.show(f.note.id).text == "Only for Dora's clinician.\n")
  }
}

@Suite("practitioner changes and their log entries")
struct PractitionerChangeLoggingTests {
  @Test("a practitioner change whose log entry cannot be written does not happen: no slot, no registry change")
  func unrecordedChangeDoesNotHappen() throws {
    let dir = try TemporaryDirectory()
    let created = try makeVault(in: dir)
    let vault = created.vault.vault
    let slotsBefore = try Directories.list(vault.layout.slots).sorted()
    let writer = try Practice(vault, unlocked: created.vault, mode: .write)
    // After the writer's preflight, the log stops taking entries (its last record altered).
    var bytes = try Data(contentsOf: URL(fileURLWithPath: vault.layout.logEntries))
    bytes[bytes.count - 10] ^= 0x40
    try bytes.write(to: URL(fileURLWithPath: vault.layout.logEntries))
    #expect(throws: VaultError.self) {
      _ = try writer.practitioners.add("dana", role: "clinician", passphrase: TestBytes.secure(Array("dana passphrase 1234".utf8)), cost: .test, supervisor: nil)
    }
    #expect(!FileStatus.exists(vault.layout.practitioners), "the registry was written without its entry")
    #expect(try Directories.list(vault.layout.slots).sorted() == slotsBefore, "a slot was written without its entry")
    #expect(try Directories.list(vault.layout.tmp).filter { $0.hasPrefix(AtomicFile.temporaryPrefix) }.isEmpty)
  }

  @Test("an assignment or unassignment whose entry cannot be written leaves the client's key file as it was")
  func unrecordedAssignmentDoesNotHappen() throws {
    let f = try KeyWrappingTests.Fixture()
    let keyFile = f.vault.layout.clientKey(try f.doraKeyFile().client)
    let before = try Data(contentsOf: URL(fileURLWithPath: keyFile))
    for change in ["assign", "unassign"] {
      let writer = try Practice(f.vault, unlocked: f.created.vault, mode: .write)
      let entries = try Data(contentsOf: URL(fileURLWithPath: f.vault.layout.logEntries))
      var broken = entries
      broken[broken.count - 10] ^= 0x40
      try broken.write(to: URL(fileURLWithPath: f.vault.layout.logEntries))
      #expect(throws: VaultError.self) {
        _ = try change == "assign" ? writer.practitioners.assign(f.dora, to: "lee") : writer.practitioners.unassign(f.dora, from: "dana")
      }
      #expect(try Data(contentsOf: URL(fileURLWithPath: keyFile)) == before, "\(change) changed the key file without its entry")
      try entries.write(to: URL(fileURLWithPath: f.vault.layout.logEntries))
    }
  }
}
