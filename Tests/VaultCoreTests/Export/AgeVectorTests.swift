import Foundation
import Testing
import VaultCore
import VaultCrypto

/// The public age test vectors (C2SP CCTV, copied into Fixtures/age-vectors with their README):
/// the decryptor accepts every valid file and refuses every invalid one with the kind of failure
/// the vector names. Left out of the copy, by design: the ASCII armor (`armor_*`: vault reads and
/// writes binary age files only) and the post-quantum hybrid recipients (`hybrid*`: not supported).
@Suite("age test vectors")
struct AgeVectorTests {
  static let directory = testsDirectory.appendingPathComponent("Fixtures/age-vectors")

  static var names: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
      .filter { $0 != "README.md" && !$0.hasPrefix(".") && !$0.hasPrefix("armor") && !$0.hasPrefix("hybrid") }.sorted()
  }

  struct Vector {
    var fields: [(String, String)] = []
    var body: [UInt8] = []
    func values(_ key: String) -> [String] { fields.filter { $0.0 == key }.map(\.1) }
  }

  static func load(_ name: String) throws -> Vector {
    let data = try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
    var v = Vector()
    var i = 0
    while let nl = data[i...].firstIndex(of: 10) {
      let line = String(decoding: data[i..<nl], as: UTF8.self)
      i = nl + 1
      if line.isEmpty { break }
      let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      v.fields.append((parts[0], parts.count > 1 ? parts[1] : ""))
    }
    v.body = Array(data[i...])
    if v.values("compressed").first == "zlib" { v.body = try inflate(v.body) }
    return v
  }

  /// zlib-decompresses with python3 (Foundation on Linux has no zlib API).
  static func inflate(_ bytes: [UInt8]) throws -> [UInt8] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", "import sys,zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))"]
    let input = Pipe()
    let output = Pipe()
    p.standardInput = input
    p.standardOutput = output
    try p.run()
    input.fileHandleForWriting.write(Data(bytes))
    try input.fileHandleForWriting.close()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0, "python3 could not inflate a vector")
    return [UInt8](out)
  }

  @Test("the vector directory is there and holds the expected cases")
  func present() {
    #expect(Self.names.count > 90, "found \(Self.names.count) vectors in \(Self.directory.path)")
  }

  @Test("each vector decrypts or fails as it says", arguments: names)
  func vector(_ name: String) throws {
    let v = try Self.load(name)
    let expect = v.values("expect").first ?? ""
    var identities: [AgeIdentity] = try v.values("identity").map { try AgeIdentity.parse($0) }
    identities += try v.values("passphrase").map { p in try Array(p.utf8).withUnsafeBytes { .passphrase(try SecureBytes(copying: $0)) } }
    var offset = 0
    let body = v.body
    var released: [UInt8] = []
    let result = Result {
      try AgeReader(identities: identities).decrypt({ buffer in
        let n = min(buffer.count, body.count - offset)
        body.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + n])) }
        offset += n
        return n
      }) { released += $0 }
    }
    switch (expect, result) {
    case ("success", .success): break
    case ("no match", .failure(AgeError.noMatch)), ("HMAC failure", .failure(AgeError.hmacFailure)): break
    case ("header failure", .failure(AgeError.headerFailure)), ("payload failure", .failure(AgeError.payloadFailure)): break
    default: Issue.record("\(name): expected \(expect), got \(result)")
    }
    if let payload = v.values("payload").first {
      #expect(Hex.encode(released.withUnsafeBytes { SHA256.hash($0) }) == payload, "\(name): released plaintext differs")
    }
  }
}
