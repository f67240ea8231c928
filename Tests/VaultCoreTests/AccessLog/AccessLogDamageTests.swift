import Foundation
import Testing
@testable import VaultCore
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

// Damage that earlier versions of the log code mishandled (crashes, entries cut by a "repair",
// a shorter log signed): each test pins the fixed behaviour.
@Suite("access log: damage is reported, never repaired away")
struct AccessLogDamageTests {
  /// A log whose record `index` has its stored seq set to UInt64.max (one edited field).
  static func maxSeq(at index: Int) throws -> LogFixture {
    let f = try LogFixture()
    try f.fill(3, keyed: false)
    var raw = try f.rawEntries()
    raw.records[index].seq = UInt64.max
    try raw.write(to: f.entriesPath)
    return f
  }

  @Test("a record numbered UInt64.max is reported, not a crash: head()")
  func maxSeqHead() async {
    await #expect(processExitsWith: .success) {
      guard let f = try? AccessLogDamageTests.maxSeq(at: 2) else { exit(2) }
      _ = try? f.log.head()
      exit(0)
    }
  }

  @Test("a record numbered UInt64.max is reported, not a crash: verify")
  func maxSeqVerify() async {
    await #expect(processExitsWith: .success) {
      guard let f = try? AccessLogDamageTests.maxSeq(at: 1) else { exit(2) }
      let report = try? f.verify(keyed: false)
      exit(report?.firstError.hasPrefix("entry 2:") == true ? 0 : 1)
    }
  }

  @Test("a record numbered UInt64.max is reported, not a crash: entries()")
  func maxSeqEntries() async {
    await #expect(processExitsWith: .success) {
      guard let f = try? AccessLogDamageTests.maxSeq(at: 1) else { exit(2) }
      _ = try? f.entries()
      exit(0)
    }
  }

  @Test("a middle record's length field enlarged (still under 1 MiB) is damage naming it, not a torn append; the next append must not delete the records after it")
  func enlargedLengthInTheMiddle() throws {
    let f = try LogFixture()
    try f.fill(2, keyed: true)
    try f.fill(4, keyed: false)
    let raw = try f.rawEntries()
    var bytes = try RawFile.read(f.entriesPath)
    let offset = 8 + raw.records[0..<3].reduce(0) { $0 + $1.encoded.count }
    bytes.replaceSubrange(offset..<offset + 4, with: LE.u32(100_000))
    try RawFile.write(bytes, to: f.entriesPath)

    #expect(try f.verify().firstError.hasPrefix("entry 4:"))
    // Then a crash leaves a torn tail: the next append must refuse rather than "repair" it away.
    try RawFile.append([1, 2, 3], to: f.entriesPath)
    #expect(throws: VaultError.self) { try f.append(keyed: true) }
    let after = try RawFile.read(f.entriesPath)
    let lastOriginal = raw.records[5].body
    let stillThere = (0...(after.count - lastOriginal.count)).contains { after[$0..<$0 + lastOriginal.count].elementsEqual(lastOriginal) }
    #expect(stillThere)
    #expect(!(try f.verify().errors.isEmpty))
  }

  @Test("a malformed middle record plus a torn tail: the next append must not cut signed entries nor sign a shorter log")
  func malformedMiddleAndTornTail() throws {
    let f = try LogFixture()
    try f.fill(6, keyed: true)
    let raw = try f.rawEntries()
    var bytes = try RawFile.read(f.entriesPath)
    let offset = 8 + raw.records[0..<2].reduce(0) { $0 + $1.encoded.count }
    bytes.replaceSubrange(offset..<offset + 4, with: LE.u32(0xFFFF_FFFF))
    try RawFile.write(bytes + [9, 9, 9, 0xFF, 0xFF, 0xFF, 0xFF], to: f.entriesPath)
    #expect(try f.verify().firstError.hasPrefix("entry 3: record length 4294967295 is out of range"))

    _ = try? f.append(keyed: true)
    #expect(try FileStatus.size(f.entriesPath) >= bytes.count)
    let counts = try f.log.checkpoints().checkpoints.map(\.count)
    #expect(counts == counts.sorted(), "\(counts)")
  }

  @Test("an empty checkpoints file (a crash between creating it and writing its header) is no checkpoints, not a failure")
  func emptyCheckpointsFile() throws {
    let f = try LogFixture()
    try f.fill(2, keyed: false)
    #expect(FileManager.default.createFile(atPath: f.checkpointsPath, contents: Data()))
    #expect(try f.log.head().count == 2)
    #expect(try f.verify().errors.isEmpty)
    try f.append(keyed: false)
    #expect(try f.rawEntries().records.count == 3, "the entry landed either way")
    try f.append(keyed: true)
    #expect(try f.verify().findings.isEmpty, "a keyed append writes the header and repairs it")
  }
}
