import Testing
import VaultCore
import VaultCrypto

/// Client codes are typed by people, so parsing forgives what people get wrong and nothing else.
@Suite("client code")
struct ClientCodeTests {
  static let crockford = Set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

  /// Values spread over the whole 30-bit range, including both ends.
  static var sampleValues: [UInt32] {
    var values: [UInt32] = [0, 1, 31, 32, 0x3FFF_FFFF, 0x2000_0000, 0x1555_5555, 0x2AAA_AAAA]
    var x: UInt32 = 0x1234_5678
    for _ in 0..<2000 {
      // xorshift: deterministic, so a failure reproduces.
      x ^= x << 13
      x ^= x >> 17
      x ^= x << 5
      values.append(x & 0x3FFF_FFFF)
    }
    return values
  }

  @Test("a code prints as four symbols, a dash and two symbols of the Crockford alphabet")
  func format() {
    for v in Self.sampleValues {
      let text = ClientCode(value: v).description
      let chars = Array(text)
      #expect(chars.count == 7, "\(text)")
      #expect(chars[4] == "-", "\(text)")
      #expect((chars[0..<4] + chars[5..<7]).allSatisfy { Self.crockford.contains($0) }, "\(text)")
    }
    #expect(ClientCode(value: 0).description == "0000-00")
    #expect(ClientCode(value: 0x3FFF_FFFF).description == "ZZZZ-ZZ")
  }

  @Test("only 30 bits are kept")
  func masksValue() {
    #expect(ClientCode(value: 0xFFFF_FFFF).value == 0x3FFF_FFFF)
    #expect(ClientCode(value: 0x4000_0001) == ClientCode(value: 1))
  }

  @Test("description and parsing are inverses")
  func roundTrip() throws {
    for v in Self.sampleValues {
      let code = ClientCode(value: v)
      let parsed = try #require(ClientCode(parsing: code.description))
      #expect(parsed == code)
      #expect(parsed.value == v)
    }
  }

  @Test("parsing ignores case, dashes and spaces")
  func forgiving() throws {
    let code = try #require(ClientCode(parsing: "K7F3-2Q"))
    for text in ["k7f3-2q", "K7F32Q", "k7f32q", "K7F3 2Q", " K7F3-2Q ", "K7-F3-2Q", "k7F3-2q"] {
      #expect(ClientCode(parsing: text) == code, "\(text)")
    }
  }

  @Test("the look-alikes I and L read as 1 and O as 0")
  func lookAlikes() throws {
    let code = try #require(ClientCode(parsing: "1100-01"))
    for text in ["IL00-01", "il00-01", "11OO-O1", "LIoo-oI", "1lo0-oi"] {
      #expect(ClientCode(parsing: text) == code, "\(text)")
    }
  }

  @Test("U, wrong lengths and punctuation are rejected", arguments: [
    "K7F3-2U", "U7F3-2Q", "K7F3-2", "K7F3-2QQ", "K7F", "", "-", "K7F3.2Q", "K7F3_2Q", "K7F3-2Q!", "K7F3/2Q", "K7F3-2Q.3", "Ä7F3-2Q",
    "K7F3-2Q0",
  ])
  func rejects(_ text: String) {
    #expect(ClientCode(parsing: text) == nil)
  }

  @Test("derive is deterministic for a client and key, and depends on both")
  func derive() throws {
    let key = try SecretKey.random()
    let other = try SecretKey.random()
    var collisionsAcrossKeys = 0
    var codes = Set<ClientCode>()
    for _ in 0..<50 {
      let client = try RandomID.generate()
      let a = try ClientCode.derive(client: client, key: key)
      #expect(try ClientCode.derive(client: client, key: key) == a)
      #expect(a.value <= 0x3FFF_FFFF)
      if try ClientCode.derive(client: client, key: other) == a { collisionsAcrossKeys += 1 }
      codes.insert(a)
    }
    // 30-bit codes: even one equal pair among 50 would be a one-in-twenty-million event.
    #expect(collisionsAcrossKeys == 0)
    #expect(codes.count == 50)
  }

  @Test("an equal key loaded separately derives the same code: codes survive a re-unlock")
  func deriveIsFixed() throws {
    let key = try TestBytes.key(TestBytes.pattern(count: 32, seed: 7))
    let client = try RandomID(bytes: TestBytes.pattern(count: 16, seed: 9))
    let first = try ClientCode.derive(client: client, key: key)
    let again = try ClientCode.derive(client: client, key: TestBytes.key(TestBytes.pattern(count: 32, seed: 7)))
    #expect(first == again)
  }

  @Test("codes order by their text")
  func ordering() throws {
    let a = try #require(ClientCode(parsing: "0000-01"))
    let b = try #require(ClientCode(parsing: "0000-0Z"))
    let c = try #require(ClientCode(parsing: "Z000-00"))
    #expect(a < b && b < c)
    #expect([c, a, b].sorted() == [a, b, c])
  }
}
