import Foundation
import Testing
@testable import VaultCore
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

// The verifiers are ordered lists of checks (Verify/Checks/, AccessLog/Checks/). These tests
// prove that the list is what runs, and that every check in the standard lists can fail: each
// check's name is a test case, so a new check without a tamper case here fails this suite.

/// Which check made which findings, recorded by wrapping each check of a list.
final class Attribution: @unchecked Sendable {
  private let lock = NSLock()
  private var found: [String: [Finding]] = [:]

  func add(_ name: String, _ findings: some Collection<Finding>) {
    lock.lock()
    defer { lock.unlock() }
    found[name, default: []] += findings
  }

  func findings(of name: String) -> [Finding] {
    lock.lock()
    defer { lock.unlock() }
    return found[name] ?? []
  }
}

/// A vault check that passes everything through and records what its inner check added.
struct AttributedVaultCheck: VaultCheck {
  let inner: any VaultCheck
  let attribution: Attribution
  var name: String { inner.name }

  func check(_ context: VaultCheckContext, _ findings: inout [Finding]) throws {
    let before = findings.count
    try inner.check(context, &findings)
    attribution.add(name, findings[before...])
  }
}

/// A log check that passes everything through and records what its inner check added.
struct AttributedLogCheck: LogCheck {
  var inner: any LogCheck
  let attribution: Attribution
  var name: String { inner.name }

  mutating func start(_ context: LogCheckContext, _ findings: inout LogFindings) throws {
    let before = findings.findings.count
    try inner.start(context, &findings)
    attribution.add(name, findings.findings[before...])
  }

  mutating func entry(_ record: LogRecord, _ context: LogCheckContext, _ findings: inout LogFindings) throws {
    let before = findings.findings.count
    try inner.entry(record, context, &findings)
    attribution.add(name, findings.findings[before...])
  }

  mutating func finish(_ context: LogCheckContext, _ findings: inout LogFindings) throws {
    let before = findings.findings.count
    try inner.finish(context, &findings)
    attribution.add(name, findings.findings[before...])
  }
}

/// A check planted by a test: reports one finding, and (log) counts the entries it is shown.
struct PlantedCheck: VaultCheck, LogCheck {
  let name = "planted"
  let counter = Attribution()

  func check(_ context: VaultCheckContext, _ findings: inout [Finding]) throws {
    findings.append(Finding(.error, "planted", "planted by a test"))
  }

  func entry(_ record: LogRecord, _ context: LogCheckContext, _ findings: inout LogFindings) throws {
    counter.add("entries", [Finding(.warning, "\(context.count)", "")])
  }

  func finish(_ context: LogCheckContext, _ findings: inout LogFindings) throws {
    findings.fail("planted by a test after \(context.count) entries")
  }
}

/// A copy of the committed v1 fixture (FixtureMaker.swift), unlocked, with the ids its manifest names.
struct V1Vault {
  let dir: TemporaryDirectory
  let vault: Vault
  let unlocked: UnlockedVault
  let client: RandomID
  let clientIndex: ObjectID
  let document: ObjectID

  init() throws {
    dir = try TemporaryDirectory()
    let fixture = testsDirectory.appendingPathComponent("Fixtures/v1-vault")
    let path = dir.path + "/vault"
    try FileManager.default.copyItem(atPath: fixture.appendingPathComponent("vault").path, toPath: path)
    vault = try Vault.open(at: path)
    let pass = try String(contentsOf: fixture.appendingPathComponent("passphrase.txt"), encoding: .utf8)
    unlocked = try vault.unlock(.passphrase(secret(pass.trimmingCharacters(in: .newlines))))
    let manifest = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: fixture.appendingPathComponent("manifest.json"))) as? [String: String])
    client = try #require(RandomID(hex: manifest["client"] ?? ""))
    clientIndex = try #require(ObjectID(hex: manifest["clientIndexObject"] ?? ""))
    document = try #require(ObjectID(hex: manifest["documentObject"] ?? ""))
  }

  var layout: VaultLayout { vault.layout }
  func objectPath(_ id: ObjectID) -> String { layout.objectStore.path(for: id) }
  func relative(_ path: String) -> String { String(path.dropFirst(layout.root.count + 1)) }

  /// The standard checks, each wrapped to record its findings; returns the plain run's findings too.
  func attributed(keyed: Bool) throws -> (Attribution, [Finding]) {
    let attribution = Attribution()
    var verifier = VaultVerifier(vault: vault)
    verifier.checks = VaultVerifier.standardChecks.map { AttributedVaultCheck(inner: $0, attribution: attribution) }
    let found = try verifier.run(unlocked: keyed ? unlocked : nil)
    #expect(try VaultVerifier(vault: vault).run(unlocked: keyed ? unlocked : nil) == found, "wrapping changes nothing")
    return (attribution, found)
  }
}

/// XORs the last byte of a file, in place.
func flipLastByte(_ path: String) throws {
  var bytes = try RawFile.read(path)
  bytes[bytes.count - 1] ^= 0x01
  try RawFile.write(bytes, to: path)
}

@Suite("verifiers: lists of checks")
struct VerifierChecksTests {
  @Test("the standard lists, in order (findings are listed in this order)")
  func standardOrder() {
    #expect(
      VaultVerifier.standardChecks.map(\.name) == [
        "layout", "permissions and symbolic links", "key slots", "index", "client keys", "objects", "indexed objects", "references",
        "access log", "practitioner registry",
      ])
    #expect(
      LogVerifier.standardChecks.map(\.name) == [
        "checkpoints file size", "checkpoint links", "checkpoint signature", "checkpoints file tail", "entry chain", "entry decryption",
        "signed heads", "keyed entries covered", "unsigned entries", "index generation", "saved head",
      ])
  }

  @Test("the vault verifier runs its list: a planted check's finding, and nothing from an empty list on a damaged vault")
  func vaultListRuns() throws {
    let f = try V1Vault()
    try RawFile.truncate(f.layout.index, to: 10)
    #expect(try !VaultVerifier(vault: f.vault).run().isEmpty)
    var verifier = VaultVerifier(vault: f.vault)
    verifier.checks = []
    #expect(try verifier.run(unlocked: f.unlocked).isEmpty)
    verifier.checks = [PlantedCheck()]
    #expect(try verifier.run(unlocked: f.unlocked) == [Finding(.error, "planted", "planted by a test")])
    verifier.checks = VaultVerifier.standardChecks + [PlantedCheck()]
    let found = try verifier.run()
    #expect(found.contains { $0.path == "index" && $0.severity == .error } && found.last == Finding(.error, "planted", "planted by a test"), "\(found)")
  }

  @Test("the log verifier runs its list: a planted check sees every entry once, in order, and its finding is listed")
  func logListRuns() throws {
    let f = try LogFixture()
    for keyed in [true, false, true, false] { try f.append(keyed: keyed) }
    var raw = try f.rawEntries()
    raw.records[1].chain[0] ^= 0x01
    try raw.write(to: f.entriesPath)
    #expect(try !f.verify().errors.isEmpty)

    var verifier = LogVerifier(log: f.log)
    verifier.checks = []
    let none = try verifier.run(unlocked: f.unlocked)
    #expect(none.findings.isEmpty && none.entries == 4, "reading without checks still counts")
    let planted = PlantedCheck()
    verifier.checks = [planted]
    let report = try verifier.run(unlocked: f.unlocked)
    #expect(report.findings == [Finding(.error, "log", "planted by a test after 4 entries")])
    #expect(planted.counter.findings(of: "entries").map(\.path) == ["0", "1", "2", "3"])
  }

  @Test("the log verifier lists 200 errors and counts the rest")
  func errorCap() throws {
    // 250 sealed entries of one vault copied into another: none decrypts there.
    let a = try LogFixture()
    try a.fill(250, keyed: false)
    let b = try LogFixture()
    try b.append(keyed: false)
    try RawFile.write(RawFile.read(a.entriesPath), to: b.entriesPath)
    let report = try b.verify()
    #expect(report.entries == 250)
    #expect(report.errors.count == 201, "\(report.errors.count)")
    #expect(report.errors.first?.message.hasPrefix("entry 1: chain hash does not match") == true)
    #expect(report.errors.last?.message == "and 51 more problems like these (not listed)")
    #expect(report.warnings.map(\.message) == [
      "250 entries after the last checkpoint are unsigned (appended without the key, e.g. by keyless commands; the next unlocked command signs them)"
    ])
  }

  @Test("each vault check can fail", arguments: VaultVerifier.standardChecks.map(\.name))
  func vaultCheckFails(name: String) throws {
    let f = try V1Vault()
    var keyed = true
    let expected: (Finding) -> Bool
    switch name {
    case "layout":
      try RawFile.writeNew([1], to: f.layout.root + "/stray")
      expected = { $0 == Finding(.warning, "stray", "unexpected file in the vault directory") }
    case "permissions and symbolic links":
      let object = f.objectPath(f.document)
      try FileManager.default.moveItem(atPath: object, toPath: f.dir.path + "/moved")
      try FileManager.default.createSymbolicLink(atPath: object, withDestinationPath: f.dir.path + "/moved")
      keyed = false
      expected = { $0 == Finding(.error, f.relative(object), Vault.symlinkMessage) }
    case "key slots":
      let recovery = try #require(try f.vault.keySlots().slots.first { $0.kind == .recovery })
      try FileManager.default.removeItem(atPath: f.layout.slot(recovery.id))
      keyed = false
      expected = { $0 == Finding(.warning, "slots", "no recovery-key slot: a forgotten passphrase would lose the vault") }
    case "index":
      try flipLastByte(f.layout.index)
      keyed = false
      expected = { $0.severity == .error && $0.path == "index" }
    case "client keys":
      try flipLastByte(f.layout.clientKey(f.client))
      expected = { $0.severity == .error && $0.path == "clientkeys/\(f.client.hex)" }
    case "objects":
      try flipLastByte(f.objectPath(f.document))
      keyed = false
      expected = { $0.severity == .error && $0.path == f.relative(f.objectPath(f.document)) }
    case "indexed objects":
      try FileManager.default.removeItem(atPath: f.objectPath(f.clientIndex))
      expected = { $0 == Finding(.error, f.relative(f.objectPath(f.clientIndex)), "object named by the index is missing") }
    case "references":
      try FileManager.default.createDirectory(atPath: f.layout.tmp, withIntermediateDirectories: true)  // git keeps no empty tmp/
      let stray = try f.layout.objectStore.put(
        Array("unreferenced".utf8), binding: ObjectBinding(type: .document, client: .none), key: f.unlocked.keys.vaultObjects,
        vault: f.vault.config.vaultID)
      expected = {
        $0 == Finding(.warning, f.relative(f.objectPath(stray)), "object is not referenced by the index (left by an interrupted write, or put there by someone else)")
      }
    case "access log":
      try FileManager.default.removeItem(atPath: f.layout.logEntries)
      keyed = false
      expected = {
        $0 == Finding(.error, "log", "the access log is empty or missing: every vault's log starts with its init entry, so it was deleted")
      }
    case "practitioner registry":
      // The fixture is a format-1 vault: adding a practitioner makes it a practice, with a registry.
      do {
        let owner = try Practice(f.vault, unlocked: f.unlocked, mode: .write)
        _ = try owner.practitioners.add("dana", role: "clinician", passphrase: TestBytes.secure("dana passphrase 1234"), cost: .test, supervisor: nil)
      }
      try flipLastByte(f.layout.practitioners)
      keyed = false
      expected = { $0.severity == .error && $0.path == "practitioners" && $0.message.hasPrefix("the practitioner registry is damaged") }
    default:
      Issue.record("no tamper case for the vault check '\(name)': add one here")
      return
    }
    let (attribution, found) = try f.attributed(keyed: keyed)
    #expect(attribution.findings(of: name).contains(where: expected), "\(name): \(attribution.findings(of: name)); all: \(found)")
    #expect(found.contains(where: expected))
  }

  @Test("each log check can fail", arguments: LogVerifier.standardChecks.map(\.name))
  func logCheckFails(name: String) throws {
    let f = try AccessLogTamperTests.sixEntries()
    var keyed = true
    var savedHead: String?
    let expected: (Finding) -> Bool
    func error(_ prefix: String) -> (Finding) -> Bool { { $0.severity == .error && $0.path == "log" && $0.message.hasPrefix(prefix) } }
    switch name {
    case "checkpoints file size":
      // More checkpoints than the entries could account for, and more than are ever read anyway.
      let count = Int(LogVerifier.checkpointsReadWhenImpossible) + 1
      try RawFile.write(try f.rawCheckpoints().header + [UInt8](repeating: 0, count: count * RawCheckpoint.size), to: f.checkpointsPath)
      keyed = false
      expected = error("log/checkpoints holds \(count) checkpoints, but log/entries")
    case "checkpoint links":
      var raw = try f.rawCheckpoints()
      raw.checkpoints.swapAt(1, 2)
      try RawFile.write(raw.encoded, to: f.checkpointsPath)
      keyed = false
      expected = error("checkpoint 2 (")
    case "checkpoint signature":
      try flipLastByte(f.checkpointsPath)
      keyed = false
      expected = { $0.severity == .error && $0.message.hasSuffix("signature does not verify (checkpoint forged or modified)") }
    case "checkpoints file tail":
      try RawFile.append([UInt8](repeating: 0xFF, count: 20), to: f.checkpointsPath)
      keyed = false
      expected = error("the 20 bytes after the last checkpoint are not the start of one")
    case "entry chain":
      var raw = try f.rawEntries()
      raw.records[1].chain[5] ^= 0x01
      try raw.write(to: f.entriesPath)
      keyed = false
      expected = error("entry 2: chain hash does not match")
    case "entry decryption":
      var raw = try f.rawEntries()
      raw.records[2].body[raw.records[2].body.count / 2] ^= 0x01
      try raw.rechain(from: 2, genesis: f.genesis())
      try raw.write(to: f.entriesPath)
      expected = error("entry 3: does not decrypt")
    case "signed heads":
      var raw = try f.rawEntries()
      raw.records[4].body[raw.records[4].body.count / 2] ^= 0x01
      try raw.rechain(from: 4, genesis: f.genesis())
      try raw.write(to: f.entriesPath)
      keyed = false
      expected = error("entries up to 6 do not match the head signed by checkpoint 4")
    case "keyed entries covered":
      try FileManager.default.removeItem(atPath: f.checkpointsPath)
      keyed = false
      expected = error("there are no checkpoints although entry 1 was written with the key")
    case "unsigned entries":
      try f.append(keyed: false)
      keyed = false
      expected = { $0.severity == .warning && $0.message.hasPrefix("1 entry after the last checkpoint is unsigned") }
    case "index generation":
      let oldIndex = try RawFile.read(f.vault.layout.index)
      try f.unlocked.commit(f.unlocked.readIndex())
      try f.append(keyed: true)
      try RawFile.write(oldIndex, to: f.vault.layout.index)
      expected = error("the index (generation ")
    case "saved head":
      savedHead = String(repeating: "ab", count: 32)
      keyed = false
      expected = error("the saved head \(String(repeating: "ab", count: 32)) is not in this log")
    default:
      Issue.record("no tamper case for the log check '\(name)': add one here")
      return
    }
    let attribution = Attribution()
    var verifier = LogVerifier(log: f.log)
    verifier.checks = LogVerifier.standardChecks.map { AttributedLogCheck(inner: $0, attribution: attribution) }
    let report = try verifier.run(unlocked: keyed ? f.unlocked : nil, savedHead: savedHead)
    let plain = try f.verify(keyed: keyed, savedHead: savedHead)
    #expect(report.findings == plain.findings && report.entries == plain.entries && report.head == plain.head, "wrapping changes nothing")
    #expect(attribution.findings(of: name).contains(where: expected), "\(name): \(attribution.findings(of: name)); all: \(report.findings)")
    #expect(report.findings.contains(where: expected))
  }
}

extension RawFile {
  /// Creates a file (tests only).
  static func writeNew(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }
}
