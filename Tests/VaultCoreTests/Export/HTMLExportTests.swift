import Foundation
import Testing
@testable import VaultCore
import VaultCrypto

/// The self-decrypting HTML export's format (FORMAT.md, "HTML export"): the primitives against
/// published vectors, the page against FORMAT.md's test vector, and every part opened in Swift.
@Suite("html export format")
struct HTMLExportTests {
  static func hex(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    var i = s.startIndex
    while i < s.endIndex {
      let j = s.index(i, offsetBy: 2)
      out.append(UInt8(s[i..<j], radix: 16)!)
      i = j
    }
    return out
  }

  static func secret(_ s: String) throws -> SecureBytes { try Array(s.utf8).withUnsafeBytes { try SecureBytes(copying: $0) } }

  /// The base64 text of every `<script type="application/octet-stream" id=…>` element, decoded.
  static func elements(_ page: String) -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    let marker = "<script type=\"application/octet-stream\" id=\""
    var rest = Substring(page)
    while let start = rest.range(of: marker) {
      rest = rest[start.upperBound...]
      let idEnd = rest.firstIndex(of: "\"")!
      let id = String(rest[..<idEnd])
      let bodyStart = rest.index(idEnd, offsetBy: 2)
      let bodyEnd = rest.range(of: "</script>")!.lowerBound
      let text = rest[bodyStart..<bodyEnd].filter { !$0.isWhitespace }
      out[id] = Array(Data(base64Encoded: String(text))!)
      rest = rest[bodyEnd...]
    }
    return out
  }

  @Test("PBKDF2-HMAC-SHA-256 matches RFC 7914 §11 and AES-256-GCM matches the GCM specification's test cases 13 and 14")
  func primitives() throws {
    let key = try PBKDF2.sha256(passphrase: Self.secret("passwd"), salt: Array("salt".utf8), iterations: 1)
    #expect(key.withUnsafeBytes { Array($0) } == Self.hex("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"))
    let zero = try SecretKey(SecureBytes(count: 32))
    let iv = [UInt8](repeating: 0, count: 12)
    #expect(try AES256GCM.seal([], key: zero, nonce: iv, associatedData: []) == Self.hex("530f8afbc74536b9a963b4f1c4cb738b"))
    let sealed = try AES256GCM.seal([UInt8](repeating: 0, count: 16), key: zero, nonce: iv, associatedData: [])
    #expect(sealed == Self.hex("cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"))
    #expect(try AES256GCM.open(sealed, key: zero, nonce: iv, associatedData: []) == [UInt8](repeating: 0, count: 16))
    var bad = sealed
    bad[3] ^= 1
    #expect(throws: CryptoError.authenticationFailed) { try AES256GCM.open(bad, key: zero, nonce: iv, associatedData: []) }
    #expect(throws: CryptoError.authenticationFailed) { try AES256GCM.open(sealed, key: zero, nonce: iv, associatedData: [1]) }
    #expect(throws: CryptoError.invalidKDFParameters) { try PBKDF2.sha256(passphrase: Self.secret("x"), salt: [], iterations: 0) }
  }

  /// FORMAT.md's test vector: the same inputs must give the same bytes.
  static func vectorPage() throws -> String {
    var page: [UInt8] = []
    let w = try HTMLExportWriter(
      passphrase: secret("vault html test vector"), iterations: 1000, salt: Array(0..<16), noncePrefix: Array(0xA0...0xA7)
    ) { page += $0 }
    try w.add("notes/2026-01-02_K7F3-2Q.1_progress.md", Array("left out\n".utf8))
    try w.begin("documents/K7F3-2Q.C1_consent.txt", sizeHint: 6, mediaType: "text/plain")
    try Array("hel".utf8).withUnsafeBytes { try w.write($0) }
    try Array("lo\n".utf8).withUnsafeBytes { try w.write($0) }
    try w.end()
    try w.add("record.json", Array("{}\n".utf8))
    try w.add("index.html", Array("<p>Record</p>\n".utf8))
    try w.add("README.txt", Array("left out\n".utf8))
    try w.finish()
    return String(decoding: page, as: UTF8.self)
  }

  @Test("FORMAT.md's test vector: header, key check and every part, byte for byte; each part opens in Swift with its nonce and additional data")
  func vector() throws {
    let page = try Self.vectorPage()
    let e = Self.elements(page)
    #expect(Set(e.keys) == ["vault-header", "vault-check", "vault-part-0", "vault-part-1", "vault-part-2"])
    let header = try #require(e["vault-header"])
    #expect(Data(header).base64EncodedString() == "dmF1bHQtaHRtbC1leHBvcnQvMQoAAAPoAAECAwQFBgcICQoLDA0OD6ChoqOkpaan")
    let key = try PBKDF2.sha256(passphrase: Self.secret("vault html test vector"), salt: Array(0..<16), iterations: 1000)
    #expect(Hex.encode(key.withUnsafeBytes { Array($0) }) == "36fe2780e5ed66daeaa6330194be5967d4256cc23a72358237c302fd43d45427")
    func nonce(_ p: UInt32) -> [UInt8] { Array(0xA0...0xA7) + HTMLExportWriter.u32(p) }
    func ad(_ p: UInt32, _ last: Bool) -> [UInt8] { header + HTMLExportWriter.u32(p) + [last ? 1 : 0] }
    let b64CHECK = Data(try #require(e["vault-check"])).base64EncodedString()
    #expect(b64CHECK == "BlKI+H4H2mX+4i9kgrSfHA==")
    #expect(try AES256GCM.open(e["vault-check"]!, key: key, nonce: nonce(0xFFFF_FFFF), associatedData: ad(0xFFFF_FFFF, false)) == [])
    let b64PART1 = Data(try #require(e["vault-part-1"])).base64EncodedString()
    #expect(b64PART1 == "iCPtA1QqchBO3iaO1L1tblN5sdTiKw==")
    #expect(try AES256GCM.open(e["vault-part-1"]!, key: key, nonce: nonce(1), associatedData: ad(1, false)) == Array("hello\n".utf8))
    let b64PART2 = Data(try #require(e["vault-part-2"])).base64EncodedString()
    #expect(b64PART2 == "tc39tOy0XRC0EQzP4JESoey5wA==")
    #expect(try AES256GCM.open(e["vault-part-2"]!, key: key, nonce: nonce(2), associatedData: ad(2, true)) == Array("{}\n".utf8))
    let manifest = try AES256GCM.open(e["vault-part-0"]!, key: key, nonce: nonce(0), associatedData: ad(0, false))
    #expect(String(decoding: manifest, as: UTF8.self) == #"{"documents":[{"mediaType":"text/plain","name":"K7F3-2Q.C1_consent.txt","part":1,"path":"documents/K7F3-2Q.C1_consent.txt","sha256":"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03","size":6},{"mediaType":"application/json","name":"record.json","part":2,"path":"record.json","sha256":"ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356","size":3}],"format":"vault-html-export/1","parts":3,"record":"<p>Record</p>\n"}"#)
    #expect(Hex.encode(SHA256.hash(e["vault-part-0"]!.withUnsafeBytes { $0 })) == "a0b4abc4e40ad129913cdc6f263feb3b0f416a7ef480098457e5b7245ca9e407")
    // A part under another number, or with the last flag wrong, does not open.
    #expect(throws: CryptoError.authenticationFailed) { try AES256GCM.open(e["vault-part-1"]!, key: key, nonce: nonce(2), associatedData: ad(2, false)) }
    #expect(throws: CryptoError.authenticationFailed) { try AES256GCM.open(e["vault-part-2"]!, key: key, nonce: nonce(2), associatedData: ad(2, false)) }
  }

  @Test("the page pins its one script's SHA-256 in its Content-Security-Policy, loads nothing from elsewhere, and has no other executable script")
  func contentSecurityPolicy() throws {
    let page = try Self.vectorPage()
    let hash = Data(Array(HTMLExportPage.script.utf8).withUnsafeBytes { SHA256.hash($0) }).base64EncodedString()
    #expect(page.contains("content=\"default-src 'none'; script-src 'sha256-\(hash)'; "))
    #expect(page.contains("<script id=\"vault-decryptor\">\(HTMLExportPage.script)</script>"))
    let scripts = page.components(separatedBy: "<script").dropFirst()
    #expect(scripts.allSatisfy { $0.hasPrefix(" type=\"application/octet-stream\"") || $0.hasPrefix(" id=\"vault-decryptor\">") })
    #expect(!page.contains("http://") && !page.contains("https://") && !page.contains("eval(") && !page.contains("innerHTML"))
    #expect(!HTMLExportPage.script.contains("</"))
  }

  @Test("base64 in lines: every split of the input gives the same text, which Foundation decodes")
  func base64Lines() {
    let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    let whole = Base64Lines.encode(bytes)
    #expect(whole.split(separator: "\n").allSatisfy { $0.count <= 76 })
    #expect(Data(base64Encoded: whole, options: .ignoreUnknownCharacters).map(Array.init) == bytes)
    for cut in [1, 2, 3, 56, 57, 58, 500] {
      var b = Base64Lines()
      #expect(b.add(Array(bytes[..<cut])) + b.add(Array(bytes[cut...])) + b.flush() == whole)
    }
  }
}
