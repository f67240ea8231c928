import Foundation
import Testing

@testable import VaultCore

/// Every input with which `make fuzz` once made a target fail, fed to the code it broke
/// (Tests/Fuzz/regressions/<target>/; scripts/fuzz.sh also seeds the fuzzer with them).
@Suite("fuzz regressions")
struct FuzzRegressionTests {
  static let regressions = testsDirectory.deletingLastPathComponent().appendingPathComponent("Fuzz/regressions")

  static func input(_ target: String, _ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: regressions.appendingPathComponent("\(target)/\(name)")))
  }

  /// The properties the zip-name fuzz target checks on the name a document gets in an export.
  static func expectSafe(_ name: String) {
    let scalars = Array(name.unicodeScalars)
    #expect(!name.isEmpty && name.utf8.count <= 150)
    #expect(scalars.first != ".", "\(name.debugDescription) starts with a dot")
    #expect(scalars.last != "." && scalars.last != " ")
    #expect(!scalars.contains { "/\\:*?\"<>|".unicodeScalars.contains($0) || [.control, .format].contains($0.properties.generalCategory) })
  }

  /// zip-name, found by the fuzzer on its first run: a name over 150 bytes was cut from the front
  /// after the leading dots were removed, so the cut could expose a new leading dot.
  @Test("a document name shortened to 150 bytes does not start with a dot")
  func shortenedNameStartsWithDot() throws {
    let crash = try Self.input("zip-name", "leading-dot-after-shortening")
    Self.expectSafe(Records.safeFileName(String(decoding: crash, as: UTF8.self)))
    // The smallest case: one byte too long, with a dot right after the byte that is cut.
    let name = "a.b" + String(repeating: "c", count: 148)
    #expect(name.utf8.count == 151)
    #expect(Records.safeFileName(name) == "b" + String(repeating: "c", count: 148))
    Self.expectSafe(Records.safeFileName(name))
    // Multi-byte scalars are cut whole and counted in bytes.
    let wide = String(repeating: "é", count: 100) + ".pdf"
    #expect(Records.safeFileName(wide).utf8.count <= 150 && Records.safeFileName(wide).hasSuffix("é.pdf"))
  }

  /// snapshot, found on the first fuzz run after pack files: a manifest of revision 0 read back
  /// was unequal to itself once encoded again, since equality compared the file's revision.
  @Test("a manifest of revision 0 equals itself encoded again and read as revision 1")
  func manifestRevisionIsNotContent() throws {
    let json = try Self.input("snapshot", "revision-0-manifest")
    var old = try JSONDecoder().decode(Snapshot.self, from: Data(json))
    old.revision = 0
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    let again = try JSONDecoder().decode(Snapshot.self, from: e.encode(old))
    #expect(again == old && again.revision == 1 && old.objects != nil)
  }
}
