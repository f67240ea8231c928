import Testing
import VaultCore
import VaultCrypto

@Suite("file header and checksum")
struct FileHeaderTests {
  @Test("the header is \"vault\", version 1, the kind byte and a zero flags byte")
  func encoding() {
    #expect(FileHeader.encode(.keySlot) == [0x76, 0x61, 0x75, 0x6c, 0x74, 1, 2, 0])
    #expect(FileHeader.size == 8)
    let kinds: [FileKind: UInt8] = [.config: 1, .keySlot: 2, .index: 3, .object: 4, .clientKey: 5]
    for (kind, raw) in kinds { #expect(FileHeader.encode(kind)[6] == raw) }
  }

  @Test("a valid header is consumed")
  func readsValid() throws {
    var r = ByteReader(FileHeader.encode(.index) + [0x99])
    try FileHeader.read(.index, from: &r)
    #expect(r.offset == FileHeader.size)
  }

  @Test("each header field is checked")
  func rejectsBadFields() throws {
    let good = FileHeader.encode(.index)
    func read(_ bytes: [UInt8], as kind: FileKind = .index) throws(FormatError) {
      var r = ByteReader(bytes)
      try FileHeader.read(kind, from: &r)
    }
    for i in 0..<5 {
      #expect(throws: FormatError.badMagic, "magic byte \(i)") { try read(TestBytes.flipping(good, bit: i * 8 + 5)) }
    }
    #expect(throws: FormatError.badMagic) { try read(Array("VAULT".utf8) + [1, 3, 0]) }
    #expect(throws: FormatError.unsupportedVersion(2)) { try read(Array("vault".utf8) + [2, 3, 0]) }
    #expect(throws: FormatError.unsupportedVersion(0)) { try read(Array("vault".utf8) + [0, 3, 0]) }
    #expect(throws: FormatError.wrongKind(expected: .index, found: 2)) { try read(FileHeader.encode(.keySlot)) }
    #expect(throws: FormatError.wrongKind(expected: .index, found: 0)) { try read(Array("vault".utf8) + [1, 0, 0]) }
    for flags: UInt8 in [1, 0x80, 0xff] {
      #expect(throws: FormatError.invalidField("reserved header flags are not zero")) { try read(Array("vault".utf8) + [1, 3, flags]) }
    }
    for length in 0..<FileHeader.size {
      #expect(throws: FormatError.truncated) { try read(Array(good.prefix(length))) }
    }
  }

  @Test("a checksummed file round-trips its body and ends in the BLAKE2b-256 of the rest")
  func checksumRoundTrip() throws {
    for body in [[], Array("body".utf8), TestBytes.pattern(count: 300)] {
      let file = try ChecksummedFile.encode(.clientKey, body: body)
      #expect(file.count == FileHeader.size + body.count + 32)
      #expect(Array(file.suffix(32)) == (try Hasher.blake2b256(Array(file.dropLast(32)))))
      #expect(try ChecksummedFile.decode(.clientKey, file) == body)
    }
  }

  @Test("a flipped bit anywhere in a checksummed file is detected")
  func everyBitFlip() throws {
    let file = try ChecksummedFile.encode(.keySlot, body: Array("ten bytes!".utf8))
    for bit in 0..<(file.count * 8) {
      #expect(throws: FormatError.self, "bit \(bit)") { try ChecksummedFile.decode(.keySlot, TestBytes.flipping(file, bit: bit)) }
    }
    // Past the header, the checksum is what catches it.
    #expect(throws: FormatError.checksumMismatch) { try ChecksummedFile.decode(.keySlot, TestBytes.flipping(file, bit: 9 * 8)) }
    #expect(throws: FormatError.checksumMismatch) { try ChecksummedFile.decode(.keySlot, TestBytes.flipping(file, bit: file.count * 8 - 1)) }
  }

  @Test("every truncation of a checksummed file, and an appended byte, is detected")
  func truncation() throws {
    let file = try ChecksummedFile.encode(.keySlot, body: Array("ten bytes!".utf8))
    for length in 0..<file.count {
      #expect(throws: FormatError.self, "length \(length)") { try ChecksummedFile.decode(.keySlot, Array(file.prefix(length))) }
    }
    #expect(throws: FormatError.truncated) { try ChecksummedFile.decode(.keySlot, Array(file.prefix(FileHeader.size + 31))) }
    #expect(throws: FormatError.checksumMismatch) { try ChecksummedFile.decode(.keySlot, Array(file.dropLast())) }
    #expect(throws: FormatError.checksumMismatch) { try ChecksummedFile.decode(.keySlot, file + [0]) }
  }

  @Test("a checksummed file of another kind is rejected by kind, even when short")
  func wrongKind() throws {
    let file = try ChecksummedFile.encode(.index, body: [1, 2, 3])
    #expect(throws: FormatError.wrongKind(expected: .keySlot, found: 3)) { try ChecksummedFile.decode(.keySlot, file) }
    #expect(throws: FormatError.wrongKind(expected: .keySlot, found: 3)) { try ChecksummedFile.decode(.keySlot, Array(file.prefix(10))) }
  }
}
