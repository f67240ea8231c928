import Foundation
import Testing
@testable import VaultCore
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

@Suite("access log: interrupted appends")
struct AccessLogCrashSafetyTests {
  /// Where to cut the last record: after this many of its bytes (negative: from its end).
  static let cuts = [1, 4, 11, 12, 13, 40, -37, -33, -4, -1]

  @Test("the last record cut short is a warning, not an error; the next append repairs it and logs the repair", arguments: cuts)
  func tornLastRecord(cut: Int) throws {
    let f = try LogFixture()
    try f.fill(2, keyed: true)
    try f.append("backup", keyed: false)
    let raw = try f.rawEntries()
    let lastSize = raw.records[2].encoded.count
    let kept = cut > 0 ? cut : lastSize + cut
    let fileSize = try FileStatus.size(f.entriesPath)
    try RawFile.truncate(f.entriesPath, to: fileSize - lastSize + kept)

    let report = try f.verify()
    #expect(report.errors.isEmpty, "\(report.findings)")
    #expect(report.warnings.map(\.message) == ["incomplete last record of \(kept) bytes (an interrupted append; the next append removes it)"])
    #expect(report.entries == 2)
    let head = try f.log.head()
    #expect(head.count == 2)
    #expect(head.head == Hex.encode(raw.records[1].chain))
    #expect(try f.entries().count == 2)

    try f.append("client-read", keyed: true)
    let after = try f.rawEntries()
    #expect(after.rest.isEmpty)
    #expect(after.records.map(\.seq) == [0, 1, 2, 3])
    let entries = try f.entries()
    #expect(entries.map(\.entry.action) == ["client-read", "client-read", "log-repair", "client-read"])
    #expect(entries[2].entry.actor == LogEntry.system)
    #expect(entries[2].entry.detail?.contains("\(kept) bytes") == true)
    let clean = try f.verify()
    #expect(clean.findings.isEmpty, "\(clean.findings)")
  }

  @Test("a sealed append also repairs a torn record")
  func sealedAppendRepairs() throws {
    let f = try LogFixture()
    try f.fill(3, keyed: false)
    let size = try FileStatus.size(f.entriesPath)
    try RawFile.truncate(f.entriesPath, to: size - 20)
    try f.append("backup", keyed: false)
    #expect(try f.entries().map(\.entry.action) == ["client-read", "client-read", "log-repair", "backup"])
    let report = try f.verify()
    #expect(report.errors.isEmpty && report.warnings.count == 1 && report.unsigned == 4)
  }

  @Test("only a partial first record (or only the header) is an empty log plus a warning")
  func tornFirstRecord() throws {
    let f = try LogFixture()
    try f.append(keyed: false)
    try RawFile.truncate(f.entriesPath, to: 8 + 30)
    #expect(try f.log.head().count == 0)
    #expect(try f.log.head().head == Hex.encode(try f.genesis()))
    #expect(try f.verify().warnings.first?.message.hasPrefix("incomplete last record of 30 bytes") == true)
    try f.append(keyed: true)
    #expect(try f.entries().map(\.entry.action) == ["log-repair", "client-read"])
    #expect(try f.verify().findings.isEmpty)

    try RawFile.truncate(f.entriesPath, to: 8)
    #expect(try f.log.head().count == 0)
  }

  @Test("a torn checkpoint file is a warning; a sealed append leaves it, the next keyed append fixes it", arguments: [1, 60, 119, 151])
  func tornCheckpoint(extra: Int) throws {
    let f = try LogFixture()
    try f.fill(3, keyed: true)
    // A crash while the third checkpoint was written leaves its first `extra` bytes.
    let good = try RawFile.read(f.checkpointsPath)
    try RawFile.write(Array(good.prefix(8 + 2 * RawCheckpoint.size + extra)), to: f.checkpointsPath)

    let listed = try f.log.checkpoints()
    #expect(listed.torn && listed.checkpoints.count == 2)
    let report = try f.verify()
    #expect(report.errors.isEmpty, "\(report.findings)")
    #expect(report.warnings.map(\.message) == [
      "incomplete last checkpoint (an interrupted write; the next checkpoint replaces it)",
      "1 entry after the last checkpoint is unsigned (appended without the key, e.g. by keyless commands; the next unlocked command signs them)",
    ])

    try f.append(keyed: false)
    #expect(try f.log.checkpoints().torn)
    try f.append(keyed: true)
    let fixed = try f.log.checkpoints()
    #expect(!fixed.torn && fixed.checkpoints.map(\.count) == [1, 2, 5])
    #expect(try FileStatus.size(f.checkpointsPath) == 8 + 3 * RawCheckpoint.size)
    #expect(try f.verify().findings.isEmpty)
  }

  @Test("bytes appended to the checkpoints that cannot start the next checkpoint are an error, not a torn write",
    arguments: [[UInt8](repeating: 0xA5, count: 100), Array(repeating: 0x01, count: 8) + [UInt8](repeating: 0, count: 100)])
  func garbageAfterCheckpoints(garbage: [UInt8]) throws {
    let f = try LogFixture()
    try f.fill(3, keyed: true)
    try RawFile.append(garbage, to: f.checkpointsPath)
    #expect(try f.verify().firstError.contains("after the last checkpoint are not the start of one"))
  }

  @Test("appended garbage that is not a torn record: verify reports an error at the next entry, the next append cuts it and logs the repair",
    arguments: [
      [UInt8](repeating: 0xA5, count: 100),
      LE.u32(0xFFFF_FFFF) + [UInt8](repeating: 7, count: 60),
      LE.u32(200) + [UInt8](repeating: 0, count: 240) + LE.u32(201),
    ])
  func garbageTail(garbage: [UInt8]) throws {
    let f = try LogFixture()
    try f.fill(3, keyed: false)
    let head = try f.log.head()
    try RawFile.append(garbage, to: f.entriesPath)

    #expect(try f.log.head() == head)
    let report = try f.verify()
    #expect(report.firstError.hasPrefix("entry 4: "), "\(report.findings)")
    #expect(report.entries == 3)

    try f.append("verify", keyed: true)
    #expect(try f.rawEntries().rest.isEmpty)
    #expect(try f.entries().map(\.entry.action) == ["client-read", "client-read", "client-read", "log-repair", "verify"])
    #expect(try f.verify().findings.isEmpty)
  }

  @Test("a tail of zeros (a crash that extended the file but lost its data) is never taken for a record")
  func zeroFilledTail() throws {
    let f = try LogFixture()
    try f.fill(3, keyed: false)
    let head = try f.log.head()
    try RawFile.append([UInt8](repeating: 0, count: 300), to: f.entriesPath)

    #expect(try f.verify().firstError.hasPrefix("entry 4: "))
    #expect(try f.log.head() == head)
    try f.append("verify", keyed: true)
    #expect(try f.entries().map(\.entry.action) == ["client-read", "client-read", "client-read", "log-repair", "verify"])
    #expect(try f.verify().findings.isEmpty)
  }

  @Test("a length field over 1 MiB is malformed, not a read of megabytes, and never a crash")
  func oversizedLength() throws {
    let f = try LogFixture()
    try f.fill(2, keyed: true)
    try f.append(keyed: false)
    let big: UInt32 = (1 << 20) + 1
    // A complete-looking record whose two length fields claim 1 MiB + 1 (the file is far shorter).
    try RawFile.append(LE.u32(big) + LE.u64(3) + [UInt8](repeating: 1, count: 100) + LE.u32(big), to: f.entriesPath)

    #expect(try f.log.head().count == 3)
    let report = try f.verify()
    #expect(report.firstError == "entry 4: record length \(big) is out of range; the entries after it cannot be read", "\(report.findings)")
    // Reading stops being silent about damage: the readable entries are delivered, then it throws.
    #expect(throws: VaultError.self) { try f.entries() }

    try f.append(keyed: true)
    #expect(try f.entries().map(\.entry.action).suffix(2) == ["log-repair", "client-read"])
    #expect(try f.verify().findings.isEmpty)
  }

  @Test("a middle record whose length field is over 1 MiB is an error naming it")
  func oversizedLengthInTheMiddle() throws {
    let f = try LogFixture()
    try f.fill(5, keyed: true)
    var bytes = try RawFile.read(f.entriesPath)
    let raw = try f.rawEntries()
    let offset = 8 + raw.records[0..<2].reduce(0) { $0 + $1.encoded.count }
    bytes.replaceSubrange(offset..<offset + 4, with: LE.u32(0x7FFF_FFFF))
    try RawFile.write(bytes, to: f.entriesPath)
    let report = try f.verify()
    #expect(report.firstError.hasPrefix("entry 3: record length 2147483647 is out of range"), "\(report.findings)")
    // The checkpoints beyond the damage are its consequence, not separate findings.
    #expect(!report.errors.contains { $0.message.contains("entries were removed") })
  }

  @Test("a crash after the entry but before its checkpoint leaves an unsigned entry that the next keyed append signs")
  func crashBeforeCheckpoint() throws {
    let f = try LogFixture()
    try f.fill(2, keyed: true)
    let checkpoints = try RawFile.read(f.checkpointsPath)
    try f.append(keyed: true)
    try RawFile.write(checkpoints, to: f.checkpointsPath)
    let report = try f.verify()
    #expect(report.errors.isEmpty && report.unsigned == 1)
    try f.append(keyed: true)
    #expect(try f.verify().findings.isEmpty)
  }
}

@Suite("access log: appends read only the end of the log")
struct AccessLogScaleTests {
  @Test("after 2,000 appends the head is right, damage early in the log does not move the next append, and a torn tail takes the scan path")
  func twoThousandAppends() throws {
    let f = try LogFixture()
    for i in 0..<2000 { try f.log.append(LogEntry(action: "note-read", actor: LogEntry.system, detail: "\(i)")) }
    let raw = try f.rawEntries()
    #expect(raw.records.count == 2000)
    #expect(raw.records.map(\.seq) == (0..<2000).map(UInt64.init))
    var chain = try f.genesis()
    for r in raw.records { chain = try chainValue(previous: chain, seq: r.seq, body: r.body) }
    let head = try f.log.head()
    #expect(head.count == 2000)
    #expect(head.head == Hex.encode(chain))

    // Appending reads only the last record: a framing error in entry 10 does not change where
    // the next record goes (a full scan would stop at entry 10); verify still finds it.
    let offset = 8 + raw.records[0..<9].reduce(0) { $0 + $1.encoded.count }
    var bytes = try RawFile.read(f.entriesPath)
    let original = Array(bytes[offset..<offset + 4])
    bytes.replaceSubrange(offset..<offset + 4, with: LE.u32(0xFFFF_FFFF))
    try RawFile.write(bytes, to: f.entriesPath)
    #expect(try f.log.head().count == 2000)
    #expect(try f.verify().firstError.hasPrefix("entry 10: record length"))
    bytes.replaceSubrange(offset..<offset + 4, with: original)
    try RawFile.write(bytes, to: f.entriesPath)

    // A torn record at the end: the trailing length is not a record's, so the scan finds the end.
    let next = try f.rawEntries().records.last!.encoded
    try RawFile.append(Array(next.prefix(next.count - 5)), to: f.entriesPath)
    #expect(try f.log.head() == head)
    try f.append("verify", keyed: true)
    let after = try f.rawEntries()
    #expect(after.records.count == 2002 && after.rest.isEmpty)
    #expect(after.records.map(\.seq).suffix(3) == [1999, 2000, 2001])
    #expect(try f.entries().suffix(2).map(\.entry.action) == ["log-repair", "verify"])
    let report = try f.verify()
    #expect(report.findings.isEmpty, "\(report.findings)")
    #expect(report.entries == 2002)
  }
}

@Suite("access log: concurrent appenders")
struct AccessLogConcurrencyTests {
  @Test("two threads appending 200 sealed entries each: all 400 land, numbered 0..399, chain intact")
  func twoThreads() throws {
    let f = try LogFixture()
    let log = f.log
    let errors = Locked<[String]>([])
    let group = DispatchGroup()
    for name in ["A", "B"] {
      group.enter()
      Thread {
        for i in 0..<200 {
          // Keyless entries are all "system"; the thread is told apart by the detail.
          do { try log.append(LogEntry(action: "note-read", actor: "thread-\(name)", detail: "\(name) \(i)")) } catch {
            errors.with { $0.append("\(name) \(i): \(error)") }
          }
        }
        group.leave()
      }.start()
    }
    group.wait()
    #expect(errors.with { $0 }.isEmpty)

    let raw = try f.rawEntries()
    #expect(raw.rest.isEmpty)
    #expect(raw.records.map(\.seq) == (0..<400).map(UInt64.init))
    let report = try f.verify()
    #expect(report.errors.isEmpty, "\(report.findings)")
    #expect(report.entries == 400 && report.unsigned == 400)
    let entries = try f.entries()
    #expect(entries.map(\.number) == (1...400).map(UInt64.init))
    for name in ["A", "B"] {
      #expect(entries.allSatisfy { $0.entry.actor == LogEntry.system })
      let mine = entries.compactMap { e -> Int? in
        let parts = (e.entry.detail ?? "").split(separator: " ")
        return parts.first.map(String.init) == name ? Int(parts.last ?? "") : nil
      }
      #expect(mine == Array(0..<200), "each thread's entries in its own order")
    }
  }

  @Test("a keyed and a sealed appender at once: every keyed append is checkpointed and the log verifies")
  func keyedAndSealedTogether() throws {
    let f = try LogFixture()
    let log = f.log
    let unlocked = f.unlocked
    let errors = Locked<[String]>([])
    let group = DispatchGroup()
    for keyed in [true, false] {
      group.enter()
      Thread {
        for i in 0..<50 {
          do { try log.append(LogEntry(action: "note-read", actor: keyed ? "tester" : "system", detail: "\(i)"), unlocked: keyed ? unlocked : nil) } catch {
            errors.with { $0.append("\(keyed) \(i): \(error)") }
          }
        }
        group.leave()
      }.start()
    }
    group.wait()
    #expect(errors.with { $0 }.isEmpty)
    let report = try f.verify()
    #expect(report.errors.isEmpty, "\(report.findings)")
    #expect(report.entries == 100 && report.checkpoints == 50)
    let counts = try log.checkpoints().checkpoints.map(\.count)
    #expect(counts == counts.sorted())
  }
}
