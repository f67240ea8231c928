import Foundation
import Testing
import VaultCore
import VaultCrypto

/// Interoperability with the real `age` (Debian's; `make test` installs it): what vault writes,
/// age decrypts, and what age writes, vault decrypts, for X25519 recipients and passphrases.
/// age reads passphrases only from a terminal, so `script` gives it a pseudo-terminal.
@Suite("age interoperability")
struct AgeInteropTests {
  @discardableResult
  static func sh(_ command: String, input: String = "", in dir: String) throws -> (status: Int32, out: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    p.currentDirectoryURL = URL(fileURLWithPath: dir)
    let stdin = Pipe()
    let stdout = Pipe()
    p.standardInput = stdin
    p.standardOutput = stdout
    p.standardError = stdout
    try p.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let out = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return (p.terminationStatus, out)
  }

  static func encrypt(_ plain: [UInt8], to recipients: [AgeRecipient]) throws -> [UInt8] {
    var out: [UInt8] = []
    let w = try AgeWriter(recipients: recipients) { out += $0 }
    // Odd write sizes, so chunk boundaries do not line up with writes.
    var i = 0
    while i < plain.count {
      let n = min(7777, plain.count - i)
      try plain[i..<i + n].withUnsafeBytes { try w.write($0) }
      i += n
    }
    try w.finish()
    return out
  }

  static func decrypt(_ file: [UInt8], with identities: [AgeIdentity]) throws -> [UInt8] {
    var offset = 0
    var out: [UInt8] = []
    try AgeReader(identities: identities).decrypt({ buffer in
      let n = min(buffer.count, file.count - offset)
      file.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + n])) }
      offset += n
      return n
    }) { out += $0 }
    return out
  }

  /// Chunk edges, and the writer's batch of 32 chunks (sealed on every core): one batch exactly,
  /// one byte more, and several batches.
  static let sizes = [0, 1, 65_535, 65_536, 65_537, 200_000, 32 << 16, (32 << 16) + 1, 5_000_000]
  static func plaintext(_ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) } }
  static func secret(_ s: String) throws -> SecureBytes { try Array(s.utf8).withUnsafeBytes { try SecureBytes(copying: $0) } }

  @Test("age -d opens what vault encrypts to an X25519 recipient", arguments: sizes)
  func ageOpensOurs(_ size: Int) throws {
    let dir = try TemporaryDirectory()
    #expect(try Self.sh("age-keygen -o key 2>/dev/null", in: dir.path).status == 0)
    let recipient = try Self.sh("age-keygen -y key", in: dir.path).out.trimmingCharacters(in: .whitespacesAndNewlines)
    let plain = Self.plaintext(size)
    try Data(try Self.encrypt(plain, to: [try AgeRecipient.parse(recipient)])).write(to: URL(fileURLWithPath: dir.path + "/f.age"))
    #expect(try Self.sh("age -d -i key -o out f.age", in: dir.path).status == 0)
    // age creates its output lazily: an empty plaintext leaves no file.
    #expect(((try? [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.path + "/out")))) ?? []) == plain)
  }

  @Test("vault opens what age -r encrypts, and a generated identity works with age", arguments: [0, 65_536, 200_000])
  func weOpenAges(_ size: Int) throws {
    let dir = try TemporaryDirectory()
    let (identity, recipient) = try AgeIdentity.generate()
    try Data((identity + "\n").utf8).write(to: URL(fileURLWithPath: dir.path + "/key"))
    #expect(try Self.sh("age-keygen -y key", in: dir.path).out.trimmingCharacters(in: .whitespacesAndNewlines) == recipient)
    let plain = Self.plaintext(size)
    try Data(plain).write(to: URL(fileURLWithPath: dir.path + "/in"))
    #expect(try Self.sh("age -r \(recipient) -o f.age in", in: dir.path).status == 0)
    let file = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.path + "/f.age")))
    #expect(try Self.decrypt(file, with: [try AgeIdentity.parse(identity)]) == plain)
    #expect(throws: AgeError.noMatch) { try Self.decrypt(file, with: [try AgeIdentity.parse(try AgeIdentity.generate().identity)]) }
  }

  @Test("passphrases both ways: age -d (on a pseudo-terminal) opens vault's scrypt files, vault opens age -p's")
  func passphrases() throws {
    let dir = try TemporaryDirectory()
    let pass = "lantern maple orbit velvet"
    let plain = Self.plaintext(100_000)
    try Data(try Self.encrypt(plain, to: [.scrypt(try Self.secret(pass), logN: 15)])).write(to: URL(fileURLWithPath: dir.path + "/ours.age"))
    let r = try Self.sh("script -qec 'age -d -o out ours.age' /dev/null", input: pass + "\n", in: dir.path)
    #expect(r.status == 0, "\(r.out)")
    #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.path + "/out"))) == plain)

    try Data(plain).write(to: URL(fileURLWithPath: dir.path + "/in"))
    #expect(try Self.sh("script -qec 'age -p -o theirs.age in' /dev/null", input: pass + "\n" + pass + "\n", in: dir.path).status == 0)
    let theirs = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.path + "/theirs.age")))
    #expect(try Self.decrypt(theirs, with: [.passphrase(try Self.secret(pass))]) == plain)
    #expect(throws: AgeError.noMatch) { try Self.decrypt(theirs, with: [.passphrase(try Self.secret("wrong passphrase here"))]) }
  }

  @Test("recipient strings are checked")
  func recipients() throws {
    let (_, good) = try AgeIdentity.generate()
    _ = try AgeRecipient.parse(good)
    // The all-zero point is well-formed Bech32 but a low-order key: every sender would share a public secret.
    let zero = AgeRecipient.encode(publicKey: [UInt8](repeating: 0, count: 32))
    for bad in ["", "age1", good.uppercased(), String(good.dropLast()), good + "q", "ssh-ed25519 AAAA", "age1" + String(repeating: "q", count: 58), zero] {
      #expect(throws: AgeError.self) { try AgeRecipient.parse(bad) }
    }
    #expect(throws: AgeError.self) { try AgeWriter(recipients: [.scrypt(try Self.secret("p"), logN: 10), try AgeRecipient.parse(good)]) { _ in } }
  }
}
