import Foundation
import Testing
@testable import VaultCore
import VaultCrypto

@Suite("access log: verifying an intact log")
struct AccessLogVerifyIntactTests {
  @Test("an intact log verifies without findings, with and without the keys")
  func intact() throws {
    let f = try LogFixture()
    try f.fill(5, keyed: true)
    for keyed in [true, false] {
      let report = try f.verify(keyed: keyed)
      #expect(report.findings.isEmpty, "keyed: \(keyed)")
      #expect(report.entries == 5)
      #expect(report.checkpoints == 5)
      #expect(report.unsigned == 0)
      #expect(report.head == (try f.log.head().head))
    }
  }

  @Test("an empty or missing log verifies without findings")
  func empty() throws {
    let f = try LogFixture()
    let report = try f.verify()
    #expect(report.findings.isEmpty)
    #expect(report.entries == 0)
    #expect(report.head == Hex.encode(try f.genesis()))
    #expect(try f.verify(savedHead: report.head).findings.isEmpty)
  }

  @Test("entries after the last checkpoint give exactly one 'unsigned' warning with their count", arguments: [1, 3])
  func unsignedWarning(unsigned: Int) throws {
    let f = try LogFixture()
    try f.fill(2, keyed: true)
    try f.fill(unsigned, keyed: false)
    let report = try f.verify()
    #expect(report.errors.isEmpty)
    #expect(report.unsigned == UInt64(unsigned))
    let warnings = report.warnings.filter { $0.message.contains("unsigned") }
    #expect(warnings.count == 1)
    #expect(report.warnings.count == 1)
    let expected = unsigned == 1 ? "1 entry after the last checkpoint is unsigned" : "\(unsigned) entries after the last checkpoint are unsigned"
    #expect(warnings.first?.message.hasPrefix(expected) == true, "\(warnings)")

    // The next keyed append signs them.
    try f.append(keyed: true)
    #expect(try f.verify().findings.isEmpty)
  }

  @Test("a log with no checkpoint at all counts every entry as unsigned")
  func noCheckpoint() throws {
    let f = try LogFixture()
    try f.fill(4, keyed: false)
    let report = try f.verify()
    #expect(report.errors.isEmpty)
    #expect(report.unsigned == 4)
    #expect(report.checkpoints == 0)
    #expect(report.warnings.map(\.message).filter { $0.hasPrefix("4 entries after the last checkpoint are unsigned") }.count == 1)
  }

  @Test("a saved head from any point in the log's history is found")
  func savedHeadFound() throws {
    let f = try LogFixture()
    var heads: [String] = [try f.log.head().head]
    for i in 0..<4 { heads.append(try f.append(keyed: i % 2 == 0).head) }
    for h in heads {
      #expect(try f.verify(savedHead: h).errors.isEmpty)
      #expect(try f.verify(keyed: false, savedHead: h).errors.isEmpty)
    }
    let unknown = String(repeating: "ab", count: 32)
    #expect(try f.verify(savedHead: unknown).firstError.contains("is not in this log"))
  }
}

@Suite("access log: tampering is detected and names the first bad entry")
struct AccessLogTamperTests {
  /// Six entries: keyed, keyed, sealed, keyed, sealed, keyed (every keyed one checkpointed, the
  /// last checkpoint covering all six).
  static func sixEntries() throws -> LogFixture {
    let f = try LogFixture()
    for keyed in [true, true, false, true, false, true] { try f.append(keyed: keyed) }
    #expect(try f.verify().findings.isEmpty)
    try #require(try f.rawEntries().records.count == 6)
    return f
  }

  @Test("a byte of entry k's body edited in place: 'entry k'", arguments: [1, 3, 4, 6])
  func editBodyInPlace(k: Int) throws {
    let f = try Self.sixEntries()
    var raw = try f.rawEntries()
    raw.records[k - 1].body[raw.records[k - 1].body.count / 2] ^= 0x01
    try raw.write(to: f.entriesPath)

    let keyless = try f.verify(keyed: false)
    #expect(keyless.firstError.hasPrefix("entry \(k): chain hash does not match"), "\(keyless.findings)")
    let keyed = try f.verify()
    #expect(keyed.firstError.hasPrefix("entry \(k):"), "\(keyed.findings)")
    #expect(keyed.errors.contains { $0.message.hasPrefix("entry \(k): does not decrypt") })
    // Nothing before k is blamed.
    for j in 1..<k { #expect(!keyed.errors.contains { $0.message.hasPrefix("entry \(j):") }) }
  }

  @Test("a byte of entry k's stored chain value edited: 'entry k'", arguments: [2, 6])
  func editChainValue(k: Int) throws {
    let f = try Self.sixEntries()
    var raw = try f.rawEntries()
    raw.records[k - 1].chain[0] ^= 0x80
    try raw.write(to: f.entriesPath)
    #expect(try f.verify(keyed: false).firstError.hasPrefix("entry \(k): chain hash does not match"))
  }

  @Test("a body edited and every later chain value recomputed (no key needed) is caught by the checkpoint and by decryption", arguments: [2, 3, 6])
  func editAndRechain(k: Int) throws {
    let f = try Self.sixEntries()
    var raw = try f.rawEntries()
    raw.records[k - 1].body[raw.records[k - 1].body.count - 1] ^= 0x01
    try raw.rechain(from: k - 1, genesis: f.genesis())
    try raw.write(to: f.entriesPath)

    let keyless = try f.verify(keyed: false)
    #expect(!keyless.errors.contains { $0.message.contains("chain hash") }, "the chain itself is consistent again")
    // Checkpoints are at counts 1, 2, 4 and 6; the first one covering entry k is the first to object.
    let covering = [1, 2, 4, 6].first { $0 >= k }!
    #expect(keyless.firstError.hasPrefix("entries up to \(covering) do not match the head signed by checkpoint"), "\(keyless.findings)")
    let keyed = try f.verify()
    #expect(keyed.firstError == "entry \(k): does not decrypt (edited, or moved from another position or vault)", "\(keyed.findings)")
    #expect(keyed.errors.contains { $0.message.contains("do not match the head signed by checkpoint") })
  }

  @Test("a signed entry replaced by a forged sealed entry (valid ciphertext, chain recomputed) is caught by the checkpoint")
  func forgedSealedReplacement() throws {
    let f = try Self.sixEntries()
    var raw = try f.rawEntries()
    let forged = LogEntry(action: "client-read", actor: "someone-else", reason: "forged")
    let id = f.vault.config.vaultID
    raw.records[1].body = [2] + (try SealedBox.seal(entryBinding(vault: id, seq: 1) + entryJSON(forged), to: f.vault.config.logPublicKey))
    raw.records[1].length = UInt32(raw.records[1].body.count)
    raw.records[1].trailing = raw.records[1].length
    try raw.rechain(from: 1, genesis: f.genesis())
    try raw.write(to: f.entriesPath)

    #expect(try f.entries()[1].entry == forged, "the forgery decrypts: only the checkpoint can tell")
    let report = try f.verify()
    #expect(report.errors.contains { $0.message.hasPrefix("entries up to 2 do not match the head signed by checkpoint 2") }, "\(report.findings)")
    #expect(report.errors.contains { $0.message.hasPrefix("entry 2: written without the key but names") }, "\(report.findings)")
  }

  @Test("a forged replacement of an unsigned entry is NOT detected (limitation: entries after the last checkpoint are only as good as the files)")
  func forgedUnsignedReplacementIsALimitation() throws {
    let f = try Self.sixEntries()
    try f.append(keyed: false)
    var raw = try f.rawEntries()
    let forged = LogEntry(action: "verify", actor: LogEntry.system)
    raw.records[6].body = [2] + (try SealedBox.seal(entryBinding(vault: f.vault.config.vaultID, seq: 6) + entryJSON(forged), to: f.vault.config.logPublicKey))
    raw.records[6].length = UInt32(raw.records[6].body.count)
    raw.records[6].trailing = raw.records[6].length
    try raw.rechain(from: 6, genesis: f.genesis())
    try raw.write(to: f.entriesPath)
    let report = try f.verify()
    #expect(report.errors.isEmpty)
    #expect(report.unsigned == 1, "but it is flagged as unsigned")
  }

  @Test("a record deleted from the middle: error at its position", arguments: [1, 3, 5])
  func deleteRecord(k: Int) throws {
    let f = try Self.sixEntries()
    var raw = try f.rawEntries()
    raw.records.remove(at: k - 1)
    try raw.write(to: f.entriesPath)
    for keyed in [false, true] {
      let report = try f.verify(keyed: keyed)
      #expect(report.firstError.hasPrefix("entry \(k): numbered \(k + 1)"), "\(report.findings)")
    }
  }

  @Test("two records swapped: error at the first of them", arguments: [1, 4])
  func swapRecords(k: Int) throws {
    let f = try Self.sixEntries()
    var raw = try f.rawEntries()
    raw.records.swapAt(k - 1, k)
    try raw.write(to: f.entriesPath)
    for keyed in [false, true] {
      let report = try f.verify(keyed: keyed)
      #expect(report.firstError.hasPrefix("entry \(k): numbered \(k + 1)"), "\(report.findings)")
    }
  }

  @Test("two records swapped and renumbered with the chain recomputed: caught by decryption and checkpoints")
  func swapRenumberRechain() throws {
    let f = try Self.sixEntries()
    var raw = try f.rawEntries()
    raw.records.swapAt(1, 2)
    raw.records[1].seq = 1
    raw.records[2].seq = 2
    try raw.rechain(from: 1, genesis: f.genesis())
    try raw.write(to: f.entriesPath)
    #expect(try f.verify(keyed: false).firstError.hasPrefix("entries up to 2 do not match the head signed by checkpoint 2"))
    #expect(try f.verify().firstError.hasPrefix("entry 2: does not decrypt"))
  }

  @Test("a duplicate of record k inserted after it: error at the inserted position", arguments: [2, 6])
  func insertDuplicate(k: Int) throws {
    let f = try Self.sixEntries()
    var raw = try f.rawEntries()
    raw.records.insert(raw.records[k - 1], at: k)
    try raw.write(to: f.entriesPath)
    for keyed in [false, true] {
      let report = try f.verify(keyed: keyed)
      #expect(report.firstError.hasPrefix("entry \(k + 1): numbered \(k)"), "\(report.findings)")
    }
  }

  @Test("whole records cut from the end below the last checkpoint: 'entries were removed'", arguments: [1, 4])
  func truncateBelowCheckpoint(removed: Int) throws {
    let f = try Self.sixEntries()
    var raw = try f.rawEntries()
    raw.records.removeLast(removed)
    try raw.write(to: f.entriesPath)
    let remaining = 6 - removed
    for keyed in [false, true] {
      let report = try f.verify(keyed: keyed)
      #expect(report.firstError.hasPrefix("the log has \(remaining) entries but checkpoint"), "\(report.findings)")
      #expect(report.firstError.contains("entries were removed"))
      #expect(report.entries == UInt64(remaining))
    }
  }

  @Test("unsigned records cut from the end are NOT detected by the log alone (limitation), but a saved head from before the cut is")
  func truncateUnsignedTailIsALimitation() throws {
    let f = try Self.sixEntries()
    try f.fill(3, keyed: false)
    let saved = try f.log.head().head
    var raw = try f.rawEntries()
    raw.records.removeLast(3)
    try raw.write(to: f.entriesPath)

    let report = try f.verify()
    #expect(report.errors.isEmpty, "limitation: nothing signed the removed entries")
    #expect(report.entries == 6 && report.unsigned == 0)
    let withHead = try f.verify(savedHead: saved)
    #expect(withHead.firstError.hasPrefix("the saved head \(saved) is not in this log"), "\(withHead.findings)")
    #expect(try f.verify(keyed: false, savedHead: saved).firstError.contains("is not in this log"))
  }

  @Test("both files rolled back to an earlier copy: invisible without a saved head, an error with the later head")
  func rollBackBothFiles() throws {
    let f = try Self.sixEntries()
    let oldEntries = try RawFile.read(f.entriesPath)
    let oldCheckpoints = try RawFile.read(f.checkpointsPath)
    let earlier = try f.log.head().head
    try f.fill(3, keyed: true)
    let later = try f.log.head().head
    try RawFile.write(oldEntries, to: f.entriesPath)
    try RawFile.write(oldCheckpoints, to: f.checkpointsPath)

    #expect(try f.verify().errors.isEmpty)
    #expect(try f.verify(savedHead: earlier).errors.isEmpty)
    let report = try f.verify(savedHead: later)
    #expect(report.firstError.hasPrefix("the saved head \(later) is not in this log"), "\(report.findings)")
    #expect(report.firstError.contains("rolled back"))
  }

  @Test("only the entries file rolled back, a later checkpoint present: 'entries were removed'")
  func rollBackEntriesOnly() throws {
    let f = try Self.sixEntries()
    let oldEntries = try RawFile.read(f.entriesPath)
    try f.fill(2, keyed: true)
    try RawFile.write(oldEntries, to: f.entriesPath)
    let report = try f.verify()
    #expect(report.firstError.hasPrefix("the log has 6 entries but checkpoint 5"), "\(report.findings)")
  }

  /// Offsets into a checkpoint: count, head, time, generation, first and last signature byte.
  static let checkpointOffsets = [0, 8, 40, 48, RawCheckpoint.size - 64, RawCheckpoint.size - 1]

  @Test("a byte of the last checkpoint's signature or signed fields changed: 'signature does not verify'", arguments: checkpointOffsets)
  func forgedLastCheckpoint(offset: Int) throws {
    let f = try Self.sixEntries()
    var raw = try f.rawCheckpoints()
    try #require(raw.checkpoints.count == 4)
    raw.checkpoints[3].bytes[offset] ^= 0x01
    try RawFile.write(raw.encoded, to: f.checkpointsPath)
    for keyed in [false, true] {
      let report = try f.verify(keyed: keyed)
      #expect(report.firstError.hasPrefix("checkpoint 4 ("), "\(report.findings)")
      #expect(report.firstError.hasSuffix("signature does not verify (checkpoint forged or modified)"))
    }
  }

  @Test("a byte of an earlier checkpoint changed: an error naming checkpoint 3", arguments: checkpointOffsets)
  func forgedEarlierCheckpoint(offset: Int) throws {
    let f = try Self.sixEntries()
    var raw = try f.rawCheckpoints()
    try #require(raw.checkpoints.count == 4)
    raw.checkpoints[2].bytes[offset] ^= 0x01
    try RawFile.write(raw.encoded, to: f.checkpointsPath)
    let report = try f.verify()
    // Each checkpoint signed on its own ("checkpoint 3: signature does not verify"), or
    // checkpoints linked by hash and only the last verified ("checkpoint 4: does not follow checkpoint 3").
    let named = report.firstError.hasPrefix("checkpoint 3 (") && report.firstError.hasSuffix("signature does not verify (checkpoint forged or modified)")
      || report.firstError.contains("does not follow checkpoint 3")
    #expect(named, "\(report.findings)")
  }

  @Test("checkpoints reordered: signature intact, but one covers fewer entries than the one before")
  func reorderedCheckpoints() throws {
    let f = try Self.sixEntries()
    var raw = try f.rawCheckpoints()
    raw.checkpoints.swapAt(1, 2)
    try RawFile.write(raw.encoded, to: f.checkpointsPath)
    let report = try f.verify()
    #expect(report.errors.contains { $0.message.hasPrefix("checkpoint 3 covers fewer entries than checkpoint 2") }, "\(report.findings)")
  }

  @Test("index rolled back to a copy older than the last checkpoint: 'rolled back'")
  func indexRollback() throws {
    let f = try LogFixture()
    try f.append(keyed: true)
    let oldIndex = try RawFile.read(f.vault.layout.index)
    let before = try f.unlocked.readIndex().generation
    try f.unlocked.commit(f.unlocked.readIndex())
    try f.unlocked.commit(f.unlocked.readIndex())
    try f.append(keyed: true)
    #expect(try f.log.checkpoints().checkpoints.last?.generation == before + 2)
    #expect(try f.verify().findings.isEmpty)

    try RawFile.write(oldIndex, to: f.vault.layout.index)
    let report = try f.verify()
    #expect(report.firstError.hasPrefix("the index (generation \(before)) is older than the last checkpoint says (generation \(before + 2))"), "\(report.findings)")
    #expect(report.firstError.contains("rolled back"))
    #expect(try f.verify(keyed: false).errors.isEmpty, "needs the key to read the index")
  }

  @Test("a log copied from another vault fails at entry 1 and its checkpoints do not verify")
  func logFromAnotherVault() throws {
    let f = try Self.sixEntries()
    let other = try LogFixture()
    try other.append(keyed: true)
    try RawFile.write(RawFile.read(f.entriesPath), to: other.entriesPath)
    try RawFile.write(RawFile.read(f.checkpointsPath), to: other.checkpointsPath)
    let report = try other.verify()
    #expect(report.firstError.hasPrefix("checkpoint "), "\(report.findings)")
    #expect(report.firstError.hasSuffix("signature does not verify (checkpoint forged or modified)"))
    #expect(report.errors.contains { $0.message.hasPrefix("entry 1: chain hash does not match") })
    #expect(report.errors.contains { $0.message.hasPrefix("entry 1: does not decrypt") })
  }
}
