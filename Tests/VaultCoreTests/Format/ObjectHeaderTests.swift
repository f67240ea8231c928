import Testing
import VaultCore

@Suite("object header")
struct ObjectHeaderTests {
  static func header(chunkSize: UInt32 = 1024) throws -> ObjectHeader {
    ObjectHeader(type: .note, client: try RandomID(bytes: Array(1...16)), chunkSize: chunkSize)
  }

  @Test("the header encodes as file header, type, client and little-endian chunk size")
  func layout() throws {
    let encoded = try Self.header(chunkSize: 0x0001_0400).encoded
    #expect(ObjectHeader.size == 29)
    #expect(encoded == FileHeader.encode(.object) + [3] + Array(1...16) + [0x00, 0x04, 0x01, 0x00])
  }

  @Test("every type round-trips")
  func roundTrip() throws {
    for type in ObjectType.allCases {
      let header = ObjectHeader(type: type, client: try RandomID.generate(), chunkSize: ObjectHeader.defaultChunkSize)
      #expect(try ObjectHeader.decode(header.encoded) == header)
    }
  }

  @Test("unknown object types are rejected", arguments: [UInt8(0), 5, 0xff])
  func unknownType(raw: UInt8) throws {
    var bytes = try Self.header().encoded
    bytes[FileHeader.size] = raw
    #expect(throws: FormatError.invalidField("unknown object type \(raw)")) { try ObjectHeader.decode(bytes) }
  }

  @Test("chunk sizes outside 1 KiB...16 MiB are rejected", arguments: [UInt32(0), 1, 1023, (16 << 20) + 1, .max])
  func chunkSizeOutOfRange(size: UInt32) throws {
    #expect(throws: FormatError.invalidField("chunk size \(size) out of range")) { try ObjectHeader.decode(Self.header(chunkSize: size).encoded) }
  }

  @Test("the chunk size limits themselves are accepted", arguments: [UInt32(1024), 64 << 10, 16 << 20])
  func chunkSizeLimits(size: UInt32) throws {
    #expect(try ObjectHeader.decode(Self.header(chunkSize: size).encoded).chunkSize == size)
  }

  @Test("a header that is short, long or of another kind is rejected")
  func malformed() throws {
    let bytes = try Self.header().encoded
    for length in 0..<bytes.count {
      #expect(throws: FormatError.truncated, "length \(length)") { try ObjectHeader.decode(Array(bytes.prefix(length))) }
    }
    #expect(throws: FormatError.trailingBytes) { try ObjectHeader.decode(bytes + [0]) }
    var index = bytes
    index[6] = FileKind.index.rawValue
    #expect(throws: FormatError.wrongKind(expected: .object, found: 3)) { try ObjectHeader.decode(index) }
  }

  @Test("the associated data binds the vault and every header field")
  func associatedData() throws {
    let vault = try RandomID.generate()
    let base = try Self.header()
    let ad = base.associatedData(vault: vault)
    #expect(ad == Array("vault.v1/object".utf8) + vault.bytes + base.encoded)
    #expect(ad != base.associatedData(vault: try RandomID.generate()))
    var other = base
    other.type = .document
    #expect(ad != other.associatedData(vault: vault))
    other = base
    other.client = RandomID.none
    #expect(ad != other.associatedData(vault: vault))
    other = base
    other.chunkSize = 2048
    #expect(ad != other.associatedData(vault: vault))
  }
}
