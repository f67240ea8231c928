import Foundation
import Testing
@testable import VaultCore
import VaultCrypto

/// docs/FORMAT.md Appendix A.9: a pack and its index file, read out of the document and made
/// again by the code that writes backups, byte for byte.
@Suite("FORMAT.md test vectors: backup packs (A.9)")
struct BackupVectorTests {
  @Test("A.9: the pack writer makes the pack of the document, named as it says; the index file is what the repository writes and reads")
  func packAndIndex() throws {
    let doc = try FormatVectorTests.appendix("A.9")
    let values = doc.values
    let pack = try FormatVectorTests.Dump(try doc.block(after: "The pack,")).bytes
    let indexFile = try FormatVectorTests.Dump(try doc.block(after: "The index file naming it")).bytes
    let packID = try #require(ObjectID(hex: try values.text("pack id")))
    let entries = [Array("vault pack entry one\n".utf8), (0..<16).map { UInt8($0) }]

    let store = MemoryBlobStore()
    let writer = PackWriter(store: store)
    for (n, bytes) in entries.enumerated() { #expect(try writer.add(data: bytes).bytes == (try values.hex("entry \(n) id"))) }
    try writer.flush()
    #expect(writer.written.map(\.id) == [packID])
    #expect(try store.get(BackupRepository.packName(packID), limit: 1 << 20) == pack)

    let trailer = try #require(writer.written.first?.trailer)
    #expect(RepositoryIndex.encode(writer.written) == indexFile)
    #expect(Hex.encode(try Hasher.blake2b256(indexFile)) == (try values.text("index id")))
    let decoded = try RepositoryIndex.decode(indexFile, name: try values.text("index id"))
    #expect(decoded.count == 1 && decoded[0].id == packID && decoded[0].trailer == trailer)
    #expect(trailer.packSize == UInt64(pack.count))
    // The pack reads back through the reader every restore and check uses.
    var seen: [[UInt8]] = []
    try PackReader(store: store, id: packID, trailer: trailer).walk(wanted: { _ in true }) { entry, reader in
      var out: [UInt8] = []
      let matches = try reader.matches(entry.kind, entry.id) { out += $0 }
      #expect(matches)
      seen.append(out)
    }
    #expect(seen == entries)
  }

  @Test("a trailer or index that is cut, extended, misnamed or lists a pack under another id is refused")
  func refusals() throws {
    let doc = try FormatVectorTests.appendix("A.9")
    let indexFile = try FormatVectorTests.Dump(try doc.block(after: "The index file naming it")).bytes
    let name = Hex.encode(try Hasher.blake2b256(indexFile))
    #expect(throws: (any Error).self) { try RepositoryIndex.decode(indexFile, name: String(repeating: "0", count: 64)) }
    for bad in [Array(indexFile.dropLast()), indexFile + [0], Array(indexFile.prefix(12))] {
      #expect(throws: (any Error).self) { try RepositoryIndex.decode(bad, name: Hex.encode(try Hasher.blake2b256(bad))) }
    }
    var other = indexFile
    other[12] ^= 1  // the pack id no longer matches the trailer
    #expect(throws: (any Error).self) { try RepositoryIndex.decode(other, name: Hex.encode(try Hasher.blake2b256(other))) }
    #expect(try RepositoryIndex.decode(indexFile, name: name).count == 1)
    let trailer = Array(indexFile[0x30...])
    #expect(throws: (any Error).self) { try PackTrailer.decode(trailer + [0]) }
    #expect(throws: (any Error).self) { try PackTrailer.decode([0, 0, 0, 0]) }
    var unknownKind = trailer
    unknownKind[4] = 9
    #expect(throws: (any Error).self) { try PackTrailer.decode(unknownKind) }
  }
}
