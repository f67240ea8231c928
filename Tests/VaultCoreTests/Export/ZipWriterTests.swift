import Foundation
import Testing
import VaultCore

/// The streaming ZIP writer, checked with Info-ZIP's `unzip` (`make test` installs it).
@Suite("zip writer")
struct ZipWriterTests {
  @Test("unzip tests and extracts every entry byte for byte, with and without ZIP64 records", arguments: [false, true])
  func roundTrip(zip64: Bool) throws {
    let dir = try TemporaryDirectory()
    var archive: [UInt8] = []
    let zip = ZipWriter(forceZip64: zip64) { archive += $0 }
    let entries: [(String, [UInt8])] = [
      ("index.html", Array("<html>ok</html>".utf8)), ("notes/2026-01-12 note 1.md", Array("Schön — 🙂\n".utf8)),
      ("documents/C1-Größe.pdf", (0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }), ("empty.txt", []),
    ]
    for (name, bytes) in entries {
      try zip.begin(name)
      // Written in pieces, as documents stream.
      var i = 0
      repeat {
        let n = min(10_000, bytes.count - i)
        try bytes[i..<i + n].withUnsafeBytes { try zip.write($0) }
        i += n
      } while i < bytes.count
      try zip.end()
    }
    try zip.finish()
    let path = dir.path + "/a.zip"
    try Data(archive).write(to: URL(fileURLWithPath: path))
    #expect(try AgeInteropTests.sh("unzip -tq a.zip", in: dir.path).status == 0)
    #expect(try AgeInteropTests.sh("unzip -q a.zip -d out", in: dir.path).status == 0)
    for (name, bytes) in entries {
      #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.path + "/out/" + name))) == bytes, "\(name)")
    }
  }
}
