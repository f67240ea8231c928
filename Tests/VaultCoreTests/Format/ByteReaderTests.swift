import Testing
import VaultCore

@Suite("ByteReader and ByteWriter")
struct ByteReaderTests {
  @Test("integers are little-endian")
  func littleEndian() throws {
    var r = ByteReader([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f])
    #expect(try r.readUInt8() == 0x01)
    #expect(try r.readUInt16() == 0x0302)
    #expect(try r.readUInt32() == 0x0706_0504)
    #expect(try r.readUInt64() == 0x0f0e_0d0c_0b0a_0908)
    try r.expectEnd()

    var w = ByteWriter()
    w.write(UInt8(0x01))
    w.write(UInt16(0x0302))
    w.write(UInt32(0x0706_0504))
    w.write(UInt64(0x0f0e_0d0c_0b0a_0908))
    #expect(w.bytes == Array(1...15))
  }

  @Test("values written by ByteWriter read back unchanged")
  func roundTrip() throws {
    var w = ByteWriter()
    w.write(UInt8.max)
    w.write(UInt16.max)
    w.write(UInt32(0xdead_beef))
    w.write(UInt64.max - 1)
    w.write(Int64(-2))
    w.writeString("Zoë 🔑")
    w.writeString("")
    w.write([0xaa, 0xbb])
    var r = ByteReader(w.bytes)
    #expect(try r.readUInt8() == .max)
    #expect(try r.readUInt16() == .max)
    #expect(try r.readUInt32() == 0xdead_beef)
    #expect(try r.readUInt64() == .max - 1)
    #expect(try r.readInt64() == -2)
    #expect(try r.readString(maxBytes: 64) == "Zoë 🔑")
    #expect(try r.readString(maxBytes: 0) == "")
    #expect(try r.read(2) == [0xaa, 0xbb])
    #expect(r.remaining == 0)
    try r.expectEnd()
  }

  @Test("reading past the end throws .truncated and consumes nothing")
  func truncated() throws {
    var r = ByteReader([1, 2, 3])
    _ = try r.readUInt8()
    #expect(throws: FormatError.truncated) { try r.readUInt32() }
    #expect(throws: FormatError.truncated) { try r.read(3) }
    #expect(throws: FormatError.truncated) { try r.read(-1) }
    #expect(r.offset == 1)
    #expect(r.remaining == 2)
    #expect(try r.readUInt16() == 0x0302)
    #expect(throws: FormatError.truncated) { try r.readUInt8() }
    #expect(try r.read(0) == [])

    var empty = ByteReader([])
    #expect(throws: FormatError.truncated) { try empty.readUInt64() }
    #expect(throws: FormatError.truncated) { try empty.readInt64() }
    #expect(throws: FormatError.truncated) { try empty.readString(maxBytes: 10) }
  }

  @Test("a string whose length prefix runs past the end is truncated")
  func stringPastEnd() throws {
    var r = ByteReader([5, 0, 0x61, 0x62])
    #expect(throws: FormatError.truncated) { try r.readString(maxBytes: 100) }
  }

  @Test("readString rejects invalid UTF-8")
  func invalidUTF8() throws {
    for raw: [UInt8] in [[0xff], [0xc3], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x61, 0x80]] {
      var r = ByteReader([UInt8(raw.count), 0] + raw)
      let error = #expect(throws: FormatError.self) { try r.readString(maxBytes: 16) }
      guard case .invalidField = error else {
        Issue.record("expected invalidField for \(raw), got \(String(describing: error))")
        continue
      }
    }
  }

  @Test("readString rejects strings longer than the limit before reading them")
  func tooLong() throws {
    var w = ByteWriter()
    w.writeString(String(repeating: "a", count: 257))
    var r = ByteReader(w.bytes)
    #expect(throws: FormatError.invalidField("string longer than 256 bytes")) { try r.readString(maxBytes: 256) }
    // The limit counts bytes, not characters: 129 two-byte characters are 258 bytes.
    var w2 = ByteWriter()
    w2.writeString(String(repeating: "é", count: 129))
    var r2 = ByteReader(w2.bytes)
    #expect(throws: FormatError.invalidField("string longer than 256 bytes")) { try r2.readString(maxBytes: 256) }
    // A length prefix claiming more than the limit fails even when the bytes are absent.
    var r3 = ByteReader([0xff, 0xff])
    #expect(throws: FormatError.invalidField("string longer than 256 bytes")) { try r3.readString(maxBytes: 256) }
    // Exactly the limit is fine.
    var w4 = ByteWriter()
    w4.writeString(String(repeating: "a", count: 256))
    var r4 = ByteReader(w4.bytes)
    #expect(try r4.readString(maxBytes: 256).utf8.count == 256)
  }

  @Test("expectEnd throws .trailingBytes until every byte is read")
  func expectEnd() throws {
    var r = ByteReader([1, 2])
    #expect(throws: FormatError.trailingBytes) { try r.expectEnd() }
    _ = try r.readUInt8()
    #expect(throws: FormatError.trailingBytes) { try r.expectEnd() }
    _ = try r.readUInt8()
    try r.expectEnd()
    try ByteReader([]).expectEnd()
  }
}
