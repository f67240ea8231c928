import Testing
import VaultCore

@Suite("hex, object ids and random ids")
struct HexTests {
  @Test("hex encodes lowercase, two digits per byte")
  func encode() {
    #expect(Hex.encode([]) == "")
    #expect(Hex.encode([0x00, 0x01, 0x7f, 0x80, 0xab, 0xff]) == "00017f80abff")
  }

  @Test("every byte value round-trips through hex")
  func roundTrip() {
    let all = (0...255).map { UInt8($0) }
    #expect(Hex.decode(Hex.encode(all)) == all)
    #expect(Hex.decode("00017F80ABFF") == [0x00, 0x01, 0x7f, 0x80, 0xab, 0xff])
  }

  @Test("odd lengths and non-hex characters are rejected", arguments: ["0", "abc", "0g", "g0", "zz", " 00", "00 ", "0x00", "-1", "é0", "٠٠"])
  func rejects(text: String) {
    #expect(Hex.decode(text) == nil)
  }

  @Test("an object id parses from its lowercase 64-digit hex spelling only")
  func objectIDHex() throws {
    let bytes = TestBytes.pattern(count: 32)
    let id = try ObjectID(bytes: bytes)
    #expect(id.hex.count == 64)
    #expect(id.hex == Hex.encode(bytes))
    #expect(ObjectID(hex: id.hex) == id)
    #expect("\(id)" == id.hex)

    let upper = "ABCDEF" + String(id.hex.dropFirst(6))
    #expect(ObjectID(hex: upper) == nil)
    #expect(ObjectID(hex: id.hex.uppercased()) == nil)
    #expect(ObjectID(hex: String(id.hex.dropLast())) == nil)
    #expect(ObjectID(hex: String(id.hex.dropLast(2))) == nil)
    #expect(ObjectID(hex: id.hex + "00") == nil)
    #expect(ObjectID(hex: "") == nil)
    #expect(ObjectID(hex: String(id.hex.dropLast()) + "g") == nil)
  }

  @Test("an object id must be 32 bytes")
  func objectIDLength() {
    for length in [0, 16, 31, 33] {
      #expect(throws: FormatError.invalidField("object id must be 32 bytes")) { try ObjectID(bytes: [UInt8](repeating: 0, count: length)) }
    }
  }

  @Test("object ids order like their hex spellings")
  func ordering() throws {
    let ids = try (0..<20).map { try ObjectID(bytes: TestBytes.pattern(count: 32, seed: UInt32($0 + 1))) }
    #expect(ids.sorted().map(\.hex) == ids.map(\.hex).sorted())
  }

  @Test("a random id is 16 bytes, round-trips through hex, and is not reused")
  func randomID() throws {
    let a = try RandomID.generate()
    #expect(a.bytes.count == RandomID.size)
    #expect(a.hex.count == 32)
    #expect(RandomID(hex: a.hex) == a)
    #expect(a != (try RandomID.generate()))
    #expect(RandomID.none.bytes == [UInt8](repeating: 0, count: 16))
    #expect(RandomID(hex: String(a.hex.dropLast())) == nil)
    #expect(RandomID(hex: "ABCDEF0123456789ABCDEF0123456789") == nil)
    #expect(RandomID(hex: "abcdef0123456789abcdef0123456789")?.bytes.first == 0xab)
    #expect(throws: FormatError.self) { try RandomID(bytes: [UInt8](repeating: 1, count: 15)) }
    #expect(throws: FormatError.self) { try RandomID(bytes: [UInt8](repeating: 1, count: 17)) }
  }
}
