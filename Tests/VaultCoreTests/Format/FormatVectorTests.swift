import Foundation
import Testing
@testable import VaultCore
@testable import VaultCrypto

/// The test vectors of docs/FORMAT.md (Appendix A, and the worked numbers of the text), read out
/// of the document itself and checked against the code: a vector edited in the document, or a
/// change of the code's encoding, fails here, so the two cannot drift apart.
///
/// The parser knows two shapes, both used throughout Appendix A inside fenced code blocks:
/// hex dumps (`0018  76 4c 07 6b …  comment`, each line starting at the offset where the one
/// before ended) and named values (`master key    d5e9…`, a name, two or more spaces, a value,
/// optionally a comment after two more spaces; `K   = bc88…` reads the same).
@Suite("FORMAT.md test vectors")
struct FormatVectorTests {
  // MARK: - The document

  struct DocError: Error, CustomStringConvertible {
    let description: String
  }

  /// Lines of docs/FORMAT.md, or of one section of it.
  struct Doc {
    let lines: [String]

    static let url = testsDirectory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/FORMAT.md")

    static func load() throws -> Doc {
      Doc(lines: try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n"))
    }

    /// The section whose heading starts with `heading` ("### A.5", "## Appendix A"), up to the next heading of the
    /// same or a higher level.
    func section(_ heading: String) throws -> Doc {
      guard let start = lines.firstIndex(where: { $0.hasPrefix(heading) }) else { throw DocError(description: "no section \(heading)") }
      let level = heading.prefix(while: { $0 == "#" }).count
      let end = lines[(start + 1)...].firstIndex { line in
        let hashes = line.prefix(while: { $0 == "#" }).count
        return hashes > 0 && hashes <= level && line.dropFirst(hashes).hasPrefix(" ")
      } ?? lines.endIndex
      return Doc(lines: Array(lines[start..<end]))
    }

    /// The first fenced code block that begins after the first line containing `marker`.
    func block(after marker: String) throws -> [String] {
      guard let at = lines.firstIndex(where: { $0.contains(marker) }) else { throw DocError(description: "no line contains '\(marker)'") }
      guard let open = lines[(at + 1)...].firstIndex(where: { $0.hasPrefix("```") }),
        let close = lines[(open + 1)...].firstIndex(where: { $0.hasPrefix("```") })
      else { throw DocError(description: "no code block after '\(marker)'") }
      return Array(lines[(open + 1)..<close])
    }

    /// Every fenced code block of this section.
    var blocks: [[String]] {
      var out: [[String]] = []
      var current: [String]?
      for line in lines {
        if line.hasPrefix("```") {
          if let c = current { out.append(c) }
          current = current == nil ? [] : nil
        } else if current != nil {
          current!.append(line)
        }
      }
      return out
    }

    /// The named values of every code block of this section (the first occurrence of a name wins).
    var values: Values {
      var all: [String: String] = [:]
      for block in blocks {
        for (k, v) in Values(block).raw where all[k] == nil { all[k] = v }
      }
      return Values(raw: all)
    }

    /// A Markdown table of this section as rows of trimmed cells, for the table whose header row
    /// starts with `firstColumn`.
    func table(_ firstColumn: String) throws -> [[String]] {
      guard let head = lines.firstIndex(where: { $0.hasPrefix("| \(firstColumn) ") }) else { throw DocError(description: "no table '\(firstColumn)'") }
      return lines[(head + 2)...].prefix(while: { $0.hasPrefix("|") }).map { line in
        line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { $0.trimmingCharacters(in: .whitespaces) }
      }
    }
  }

  /// `name  value` lines of a code block.
  struct Values {
    let raw: [String: String]

    init(raw: [String: String]) { self.raw = raw }

    init(_ block: [String]) {
      var out: [String: String] = [:]
      for line in block {
        let t = line.trimmingCharacters(in: .whitespaces)
        guard let gap = t.range(of: "  ") else { continue }
        let name = String(t[..<gap.lowerBound])
        var rest = t[gap.upperBound...].drop(while: { $0 == " " })
        if rest.hasPrefix("= ") { rest = rest.dropFirst(2).drop(while: { $0 == " " }) }
        let value = rest.prefix(while: { $0 != " " })
        if !name.isEmpty, !value.isEmpty, out[name] == nil { out[name] = String(value) }
      }
      raw = out
    }

    func text(_ name: String) throws -> String {
      guard let v = raw[name] else { throw DocError(description: "no value named '\(name)'") }
      return v
    }

    func hex(_ name: String) throws -> [UInt8] {
      let v = try text(name)
      guard let bytes = Hex.decode(v) else { throw DocError(description: "'\(name)' is not hex: \(v)") }
      return bytes
    }

    func key(_ name: String) throws -> SecretKey { try TestBytes.key(hex(name)) }
  }

  /// A hex dump: the offset of its first line, its bytes, and each line's offset and comment.
  struct Dump {
    var start = 0
    var bytes: [UInt8] = []
    var comments: [(offset: Int, text: String)] = []

    init(_ block: [String]) throws {
      for line in block where !line.trimmingCharacters(in: .whitespaces).isEmpty {
        let chars = Array(line)
        guard chars.count > 6, chars[4] == " ", chars[5] == " ", let offset = Int(String(chars[0..<4]), radix: 16) else {
          throw DocError(description: "not a dump line: \(line)")
        }
        if bytes.isEmpty { start = offset }
        guard offset == start + bytes.count else {
          throw DocError(description: "dump line at \(String(chars[0..<4])) should start at \(String(start + bytes.count, radix: 16))")
        }
        let rest = String(chars[6...])
        let (hexPart, comment) = rest.range(of: "  ").map { (String(rest[..<$0.lowerBound]), String(rest[$0.upperBound...])) } ?? (rest, "")
        for token in hexPart.split(separator: " ") {
          guard token.count == 2, let b = UInt8(token, radix: 16) else { throw DocError(description: "bad byte '\(token)' in: \(line)") }
          bytes.append(b)
        }
        comments.append((offset, comment.trimmingCharacters(in: .whitespaces)))
      }
    }

    /// Offset, relative to the dump's start, of the line whose comment begins with `prefix`.
    func offset(ofComment prefix: String) throws -> Int {
      guard let c = comments.first(where: { $0.text.hasPrefix(prefix) }) else { throw DocError(description: "no dump line '\(prefix)'") }
      return c.offset - start
    }
  }

  static func appendix(_ section: String) throws -> Doc { try Doc.load().section("### \(section)") }

  static let fixture = testsDirectory.appendingPathComponent("Fixtures/v1-vault/vault")

  static func fixtureFile(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: fixture.appendingPathComponent(path)))
  }

  static func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

  /// Capture group `i` of a regex match, as text.
  static func capture(_ match: Regex<AnyRegexOutput>.Match, _ i: Int) throws -> String {
    guard let sub = match.output[i].substring else { throw DocError(description: "group \(i) did not match") }
    return String(sub)
  }

  static let countError = FormatError.invalidField("a count is larger than the data holds")

  // MARK: - Numbers in the text

  @Test("§8.2: the worked days are days since 1970-01-01, stored as i32 little-endian")
  func days() throws {
    let doc = try Doc.load().section("### 8.2")
    let line = try #require(doc.lines.first { $0.contains("2026-11-25 is ") }, "§8.2 gives an example day")
    let pattern = try Regex(#"(\d{4})-(\d{2})-(\d{2}) is (−?[\d,]+), (?:stored as )?`([0-9a-f ]+)`"#)
    let text = doc.lines.joined(separator: " ")
    let matches = text.matches(of: pattern)
    #expect(matches.count == 2, "two worked days in: \(line)")
    for m in matches {
      let y = try #require(Int(Self.capture(m, 1)))
      let mo = try #require(Int(Self.capture(m, 2)))
      let d = try #require(Int(Self.capture(m, 3)))
      let n = try #require(Int(Self.capture(m, 4).replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "−", with: "-")))
      let bytes = try #require(Hex.decode(Self.capture(m, 5).replacingOccurrences(of: " ", with: "")))
      let day = try #require(Day(year: y, month: mo, day: d))
      #expect(Int(day.daysSinceEpoch) == n, "\(y)-\(mo)-\(d)")
      #expect(Self.u32(UInt32(bitPattern: day.daysSinceEpoch)) == bytes, "\(y)-\(mo)-\(d)")
    }
  }

  @Test("§8.2: each count bound of the table is the one the client index reader applies")
  func clientIndexCountBounds() throws {
    let rows = try Doc.load().section("### 8.2").table("Count")
    var divisors: [String: Int] = [:]
    for row in rows { divisors[row[0]] = Int(row[1]) }
    #expect(Set(divisors.keys) == ["R", "N", "V", "A", "C", "E", "D", "Q"], "\(rows)")

    // Each list's count sits at a known place of the A.6 plaintext; E needs a consent entry.
    let a6 = try Dump(try Self.appendix("A.6").block(after: "It is 212 bytes long"))
    let plain = a6.bytes
    func prefix(_ comment: String) throws -> [UInt8] { Array(plain.prefix(try a6.offset(ofComment: comment))) }
    let consent = Self.u32(1) + [1] + [UInt8](repeating: 0, count: 54) + [UInt8](repeating: 0, count: 10 + 2 + 2 + 8)
    let before: [String: [UInt8]] = [
      "R": try prefix("R = "), "N": try prefix("N = "), "V": try prefix("V = "), "A": try prefix("A = "),
      "C": try prefix("C = "), "D": try prefix("D = "), "Q": try prefix("Q = "),
      "E": try prefix("C = ") + Self.u32(1) + consent,
    ]
    // Zero bytes after the count: with the largest count allowed, the reader gets past the
    // check and fails on the entries (or runs out); one more and it refuses the count itself.
    let remaining = 1000
    for (name, d) in divisors {
      let head = try #require(before[name], "no place for \(name)")
      let allowed = UInt32(remaining / d)
      let tail = [UInt8](repeating: 0, count: remaining)
      do {
        _ = try ClientIndex.decode(head + Self.u32(allowed) + tail)
      } catch {
        #expect(error != Self.countError, "\(name) = ⌊\(remaining) / \(d)⌋ must pass the count check")
      }
      #expect(throws: Self.countError, "\(name) = ⌊\(remaining) / \(d)⌋ + 1 must be refused") {
        try ClientIndex.decode(head + Self.u32(allowed + 1) + tail)
      }
    }
  }

  @Test("§8.3: the practice index count bound is the one the reader applies")
  func practiceIndexCountBound() throws {
    let line = try #require(try Doc.load().section("### 8.3").lines.first { $0.contains("readers MUST reject F >") })
    let m = try #require(line.firstMatch(of: try Regex(#"F > ⌊remaining / (\d+)⌋"#)))
    let d = try #require(Int(Self.capture(m, 1)))
    let remaining = 1000
    let tail = [UInt8](repeating: 0, count: remaining)
    do {
      _ = try PracticeIndex.decode([1] + Self.u32(UInt32(remaining / d)) + tail)
    } catch {
      #expect(error != Self.countError)
    }
    #expect(throws: Self.countError) { try PracticeIndex.decode([1] + Self.u32(UInt32(remaining / d + 1)) + tail) }
  }

  // MARK: - A.1 to A.4: the worked example vault and its log

  @Test("A.1 and A.2: the config and the passphrase slot open to the master key, and the subkeys 1 to 8 derive from it")
  func workedVault() throws {
    let a = try Doc.load().section("## Appendix A")
    let passphrase = try #require(a.lines.first { $0.hasPrefix("passphrase    ") }).dropFirst("passphrase".count).trimmingCharacters(in: .whitespaces)
    let config = try Dump(try a.section("### A.1").block(after: "### A.1"))
    #expect(config.bytes.count == 160)
    let decoded = try VaultConfig.decode(config.bytes)

    let a2 = try a.section("### A.2")
    let slotBytes = try Dump(try a2.block(after: "### A.2")).bytes
    #expect(slotBytes.count == 176)
    let slot = try KeySlot.decode(slotBytes)
    #expect(slot.label == "alice" && slot.id.hex == "283bd6fb1ecb4837f05798060b91a4d6")
    let master = try slot.unlock(.passphrase(secret(passphrase)), vault: decoded.vaultID)
    let unwrap = try a2.block(after: "Unwrapping it:")
    let masterLine = try #require(unwrap.firstIndex { $0.hasPrefix("master key = Open") })
    let expectedMaster = try #require(Hex.decode(unwrap[masterLine + 1].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "= ", with: "")))
    #expect(TestBytes.bytes(of: master) == expectedMaster)

    let subkeys = Values(try a2.block(after: "Subkeys (§4.1)"))
    let names = ["1 index key", "2 config MAC key", "3 client-key wrap", "4 signing seed", "5 log-box seed", "6 vault objects", "7 log entries", "8 client codes"]
    for (i, name) in names.enumerated() {
      #expect(TestBytes.bytes(of: try master.derive(id: UInt64(i + 1), context: "vaultmk1")) == (try subkeys.hex(name)), "\(name)")
    }
    let keys = try VaultKeys(master: master)
    #expect(TestBytes.bytes(of: keys.clientCodes) == (try subkeys.hex("8 client codes")))
    #expect(TestBytes.bytes(of: keys.index) == (try subkeys.hex("1 index key")))
    #expect(try decoded.isAuthentic(for: keys), "the MAC and public keys of A.1 verify under the subkeys of A.2")
  }

  @Test("A.3: the recovery key text decodes to K and C")
  func recoveryKey() throws {
    let a = try Doc.load().section("## Appendix A")
    let text = try #require(a.lines.first { $0.hasPrefix("recovery key  ") }).dropFirst("recovery key".count).trimmingCharacters(in: .whitespaces)
    let values = Values(try a.section("### A.3").block(after: "decodes as follows"))
    let key = try RecoveryKey.parse(secret(text))
    #expect(TestBytes.bytes(of: key.key) == (try values.hex("K")))
    #expect(Array(try Hasher.blake2b256(try values.hex("K")).prefix(3)) == (try values.hex("C")))
  }

  @Test("A.4: subkey 7 and the two checkpoints of the log example")
  func logExample() throws {
    let a4 = try Self.appendix("A.4")
    let values = a4.values
    let master = try values.key("master key")
    let vault = try #require(RandomID(hex: try values.text("vault id")))
    #expect(TestBytes.bytes(of: try VaultKeys(master: master).logEntries!) == (try values.hex("subkey 7")))
    let file = try Dump(try a4.block(after: "**`log/checkpoints`**")).bytes
    #expect(file.count == 312 && Array(file.prefix(8)) == FileHeader.encode(.logCheckpoints))
    let first = try Checkpoint.decode(Array(file[8..<160]))
    let second = try Checkpoint.decode(Array(file[160..<312]))
    let signing = try VaultKeys(master: master).signing.publicKey
    #expect(first.isValid(publicKey: signing, vault: vault) && second.isValid(publicKey: signing, vault: vault))
    #expect(first.previous == [UInt8](repeating: 0, count: 32))
    #expect(second.previous == (try Hasher.blake2b256(Array(file[8..<160]))))
    #expect(first.count == 1 && second.count == 4)
  }

  @Test("A.2 to A.4: the intermediate values (KEKs, associated data, genesis, chain_0, binding(0)) follow from the vectors")
  func intermediates() throws {
    let a = try Doc.load().section("## Appendix A")
    func continued(_ block: [String], _ prefix: String) throws -> [UInt8] {
      // `NAME = formula` on one line, `    = hex` (possibly in groups) on the lines after it.
      guard let at = block.firstIndex(where: { $0.hasPrefix(prefix) }) else { throw DocError(description: "no line '\(prefix)'") }
      var hex = ""
      for line in block[(at + 1)...] {
        let t = line.trimmingCharacters(in: .whitespaces)
        guard hex.isEmpty ? t.hasPrefix("= ") : !t.contains("="), !t.isEmpty else { break }
        hex += t.replacingOccurrences(of: "= ", with: "").replacingOccurrences(of: " ", with: "")
      }
      guard let bytes = Hex.decode(hex) else { throw DocError(description: "'\(prefix)' is not followed by hex") }
      return bytes
    }
    let passphrase = try #require(a.lines.first { $0.hasPrefix("passphrase    ") }).dropFirst("passphrase".count).trimmingCharacters(in: .whitespaces)
    let config = try VaultConfig.decode(try Dump(try a.section("### A.1").block(after: "### A.1")).bytes)
    let a2 = try a.section("### A.2")
    let slot = try KeySlot.decode(try Dump(try a2.block(after: "### A.2")).bytes)
    let unwrap = try a2.block(after: "Unwrapping it:")
    let kek = try slot.keyEncryptionKey(.passphrase(secret(passphrase)))
    #expect(TestBytes.bytes(of: kek) == (try continued(unwrap, "KEK = Argon2id")))
    let ad = try continued(unwrap, "AD  = ")
    #expect(ad.count == 104 && ad == slot.associatedData(vault: config.vaultID))

    let a3 = try a.section("### A.3")
    let saltMatch = try #require(a3.lines.joined(separator: " ").firstMatch(of: try Regex(#"its salt, at offset (\d+), is `([0-9a-f]{32})`"#)))
    #expect(Int(try Self.capture(saltMatch, 1)) == 51 + 8, "51 + L with L = 8 (§5.1)")
    let salt = try #require(Hex.decode(try Self.capture(saltMatch, 2)))
    let recovery = Values(try a3.block(after: "decodes as follows"))
    let recoveryKEK = try Hasher.mac(Array("vault.v1/recovery".utf8) + salt, key: try recovery.key("K"))
    #expect(recoveryKEK == (try continued(try a3.block(after: "decodes as follows"), "KEK = BLAKE2b")))

    let a4 = try a.section("### A.4")
    let values = a4.values
    let vault = try #require(RandomID(hex: try values.text("vault id")))
    let genesis = try Hasher.blake2b256(Array("vault.v1/log".utf8) + vault.bytes)
    let shell = try a4.block(after: "The genesis value and chain_0 can be checked")
    let printed = shell.filter { !$0.hasPrefix("$") && $0.hasSuffix("  -") }.compactMap { Hex.decode(String($0.prefix(64))) }
    #expect(printed.count == 2 && printed.first == genesis, "the genesis value b2sum prints")
    let checkpoints = try Dump(try a4.block(after: "**`log/checkpoints`**")).bytes
    #expect(printed.last == Array(checkpoints[16..<48]), "chain_0 is the head checkpoint 1 signed")
    let decrypt = try a4.block(after: "Entry 1 opens under subkey 7")
    let bindingLine = try #require(decrypt.first { $0.hasPrefix("binding(0) = ") })
    let binding = try #require(Hex.decode(bindingLine.dropFirst("binding(0) = ".count).replacingOccurrences(of: " ", with: "")))
    #expect(binding == Array("vault.v1/log".utf8) + vault.bytes + [UInt8](repeating: 0, count: 8))
  }

  // MARK: - A.5: the fixture

  @Test("A.5: the fixture's passphrase opens to the master key, and subkeys 3, 5 and 8 derive from it")
  func fixtureKeys() throws {
    let values = try Self.appendix("A.5").values
    let vault = try Vault.open(at: Self.fixture.path)
    #expect(vault.config.vaultID.hex == (try values.text("vault id")))
    let unlocked = try vault.unlock(.passphrase(secret("fixture passphrase v1")))
    #expect(TestBytes.bytes(of: unlocked.keys.master!) == (try values.hex("master key")))
    let master = try values.key("master key")
    for id in [3, 5, 8] {
      #expect(TestBytes.bytes(of: try master.derive(id: UInt64(id), context: "vaultmk1")) == (try values.hex("subkey \(id)")), "subkey \(id)")
    }
  }

  @Test("A.5: the client code of the fixture's client")
  func clientCode() throws {
    let a5 = try Self.appendix("A.5")
    let values = Values(try a5.block(after: "**Client code**"))
    let client = try #require(RandomID(hex: try values.text("client id")))
    let subkey8 = try a5.values.key("subkey 8")
    let mac = try Hasher.mac(Binding.clientCode + client.bytes, key: subkey8)
    #expect(mac == (try values.hex("mac")))
    let v = try #require(UInt32(try values.text("v").replacingOccurrences(of: "0x", with: ""), radix: 16))
    #expect(LittleEndian.u32(mac.prefix(4)) & 0x3FFF_FFFF == v)
    let symbolsLine = try #require(try a5.block(after: "**Client code**").first { $0.hasPrefix("symbols ") })
    let symbols = symbolsLine.split(separator: "=")[0].split(separator: " ").dropFirst().compactMap { UInt32($0) }
    #expect(symbols.count == 6 && (0..<6).allSatisfy { v >> UInt32(25 - 5 * $0) & 31 == symbols[$0] })
    let code = try ClientCode.derive(client: client, key: subkey8)
    #expect(code.value == v)
    #expect(code.description == (try values.text("code")))
    let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixture.deletingLastPathComponent().appendingPathComponent("manifest.json"))) as? [String: String]
    #expect(manifest?["code"] == code.description && manifest?["client"] == client.hex)
  }

  @Test("A.5: the client key file unwraps to the client key")
  func clientKeyFile() throws {
    let a5 = try Self.appendix("A.5")
    let values = a5.values
    let client = try #require(RandomID(hex: try values.text("client id")))
    let vault = try #require(RandomID(hex: try values.text("vault id")))
    let file = try Dump(try a5.block(after: "**Client key file**")).bytes
    #expect(file.count == 128)
    #expect(file == (try Self.fixtureFile("clientkeys/\(client.hex)")))
    // By hand, as the text says: Open(subkey 3, bytes 24 .. 96, "vault.v1/clientkey" ‖ vault id ‖ client id).
    let ad = Array("vault.v1/clientkey".utf8) + vault.bytes + client.bytes
    #expect(ad.count == 50)
    let opened = try AEAD.open(Array(file[24..<96]), using: try values.key("subkey 3"), binding: ad)
    #expect(opened == (try values.hex("client key")))
    // And through the code.
    let keys = try VaultKeys(master: try values.key("master key"))
    let key = try ClientKeyFile.ownerKey(file, client: client, keys: keys, vault: vault)
    #expect(TestBytes.bytes(of: key) == (try values.hex("client key")))
  }

  @Test("A.5: the small object decrypts to the client record, chunk and padding as described")
  func smallObject() throws {
    let a5 = try Self.appendix("A.5")
    let values = a5.values
    let client = try #require(RandomID(hex: try values.text("client id")))
    let vault = try #require(RandomID(hex: try values.text("vault id")))
    let id = try #require(ObjectID(hex: try values.text("object id")))
    let file = try Dump(try a5.block(after: "so it is the file")).bytes
    #expect(file.count == 313)
    #expect(try Hasher.blake2b256(file) == id.bytes, "the name is the hash of the bytes")
    #expect(file == (try Self.fixtureFile("objects/\(id.hex.prefix(2))/\(id.hex)")))
    let content = Array(try #require(try a5.block(after: "The content is the client record JSON").first).utf8)

    // By hand: the 60-byte AD, one secretstream chunk, the final block's padding and trailer.
    let key = try values.key("client key")
    let ad = Array("vault.v1/object".utf8) + vault.bytes + [ObjectType.clientRecord.rawValue] + client.bytes + Array(file[0..<12])
    #expect(ad.count == 60)
    let stream = try SecretStream.Decryptor(key: key, header: Array(file[12..<36]))
    #expect(LittleEndian.u32(file[36..<40]) == 273)
    let block = try stream.pull(Array(file[40...]), associatedData: ad)
    #expect(stream.isFinished, "the one chunk carries TAG_FINAL")
    #expect(block.count == 256)
    #expect(Array(block.prefix(content.count)) == content)
    #expect(block[content.count..<252].allSatisfy { $0 == 0 } && Array(block.suffix(4)) == [0x76, 0, 0, 0])

    // Through the code: an object store holding just this file.
    let dir = try TemporaryDirectory()
    let store = ObjectStore(directory: dir.path + "/objects", temporaryDirectory: dir.path)
    try FileManager.default.createDirectory(atPath: SystemPath.parent(store.path(for: id)), withIntermediateDirectories: true)
    try Data(file).write(to: URL(fileURLWithPath: store.path(for: id)))
    let plain = try store.get(id, binding: ObjectBinding(type: .clientRecord, client: client), key: key, vault: vault)
    #expect(plain == content)
  }

  @Test("A.5: the sealed log entry opens with the key pair of subkey 5, and its chain value follows")
  func sealedEntry() throws {
    let a5 = try Self.appendix("A.5")
    let values = a5.values
    let vault = try #require(RandomID(hex: try values.text("vault id")))
    let dump = try Dump(try a5.block(after: "**A sealed log entry**"))
    let record = dump.bytes
    let fixture = try Self.fixtureFile("log/entries")
    #expect(dump.start == 0xe3 && Array(fixture[dump.start...]) == record, "entry 2 of the fixture's log/entries")
    let length = Int(LittleEndian.u32(record.prefix(4)))
    #expect(record.count == length + 48 && Array(record.suffix(4)) == Array(record.prefix(4)))
    #expect(LittleEndian.u64(record[4..<12]) == 1)
    let body = Array(record[12..<(12 + length)])
    #expect(body[0] == 2, "mode 2: sealed")

    let seed = try values.key("subkey 5")
    let pair = try BoxKeyPair(seed: seed)
    #expect(pair.publicKey == (try values.hex("log public key")))
    #expect(TestBytes.bytes(of: pair.secretKey) == (try values.hex("log secret key")), "SHA-512(subkey 5)[0..32)")
    let config = try Self.fixtureFile("config")
    #expect(Array(config[32..<64]) == pair.publicKey)

    let opened = try SealedBox.open(Array(body.dropFirst()), with: pair)
    let binding = try values.hex("binding(1)")
    #expect(binding == Array("vault.v1/log".utf8) + vault.bytes + [1, 0, 0, 0, 0, 0, 0, 0])
    let json = Array(try #require(try a5.block(after: "binding(1), then the").first).utf8)
    #expect(opened.count == 100 && opened == binding + json)

    let chain0 = try values.hex("chain_0")
    #expect(Array(fixture[191..<223]) == chain0)
    #expect(try Hasher.blake2b256(chain0 + Array(record[4..<(12 + length)])) == Array(record[(12 + length)..<(44 + length)]))

    let keys = try VaultKeys(master: try values.key("master key"))
    #expect(try LogRecord.plaintext(body, seq: 1, vault: vault, keys: keys) == json)
  }

  // MARK: - A.6: a client index plaintext

  @Test("A.6: the client index plaintext decodes to what its annotations say and encodes back byte for byte")
  func clientIndex() throws {
    let dump = try Dump(try Self.appendix("A.6").block(after: "It is 212 bytes long"))
    #expect(dump.bytes.count == 212)
    let index = try ClientIndex.decode(dump.bytes)
    #expect(index.encoded() == dump.bytes)
    #expect(index.legalName == "Ann Lee" && index.preferredName == "" && index.startDate.description == "2026-11-25")
    #expect(index.dischargeDate == nil)
    let record = try #require(index.records.first)
    #expect(index.records.count == 1 && record.change == "created")
    #expect(record.revision == Revision(
      object: try ObjectID(bytes: [UInt8](repeating: 0x11, count: 32)), time: 1_795_640_438, author: "alice", length: 85))
    let note = try #require(index.notes.first)
    #expect(index.notes.count == 1 && note.number == 1 && note.kind == .progress && note.date.description == "2026-11-25")
    #expect(note.minutes == 50 && note.signature == Signature(time: 1_795_644_000, signer: "alice"))
    #expect(note.firstLine == "Slept better this week." && note.addenda.isEmpty)
    #expect(note.versions == [Revision(object: try ObjectID(bytes: [UInt8](repeating: 0x22, count: 32)), time: 1_795_643_000, author: "alice", length: 24)])
    #expect(index.consents.isEmpty && index.disclosures.isEmpty && index.requests.isEmpty)
    #expect(dump.bytes[0] == ClientIndex.version, "A.6 shows the version writers write")
  }

  // MARK: - A.8: an object of revision 1

  @Test("A.8: the object of revision 1 is sealed, padded and named as §6.8 and the appendix say, and the code reads it")
  func revisionOneObject() throws {
    let a8 = try Self.appendix("A.8")
    let values = a8.values
    let key = try values.key("object key")
    let vault = try #require(RandomID(hex: try values.text("vault id")))
    let client = try #require(RandomID(hex: try values.text("client id")))
    let prefix = try values.hex("nonce prefix")
    let binding = ObjectBinding(type: .document, client: client)
    let content = (0..<1030).map { UInt8($0 % 251) }
    let head = try Dump(try a8.block(after: "The head (28 bytes)"))
    #expect(head.start == 0 && head.bytes.count == 28)
    let header = try ObjectHeader.decode(Array(head.bytes.prefix(12)))
    #expect(header == ObjectHeader(chunkSize: 1024, revision: 1))
    #expect(Array(head.bytes[12...]) == prefix)

    // Sealed here from the values, chunk by chunk, as §6.8 says.
    let ad = header.associatedData(vault: vault, binding: binding)
    #expect(ad.count == 60)
    let cipher = try ChunkCipher(key: key, noncePrefix: prefix).context()
    func seal(_ i: UInt64, _ plain: [UInt8], final: Bool) -> [UInt8] {
      var out = [UInt8](repeating: 0, count: plain.count + 16)
      plain.withUnsafeBytes { p in (ad + [final ? 1 : 0]).withUnsafeBytes { a in out.withUnsafeMutableBytes { cipher.seal(i, p, associatedData: a, into: $0) } } }
      return out
    }
    let finalBlock = Array(content[1024...]) + [0x80] + [UInt8](repeating: 0, count: 249)
    let chunk0 = seal(0, Array(content[0..<1024]), final: false)
    let chunk1 = seal(1, finalBlock, final: true)
    #expect(Array(chunk0.prefix(32)) == (try values.hex("chunk 0 start")))
    #expect(Array(chunk0.suffix(16)) == (try values.hex("chunk 0 tag")))
    let finalDump = try Dump(try a8.block(after: "Chunk 1, the final chunk"))
    #expect(finalDump.start == 28 + 1040)
    #expect(chunk1 == finalDump.bytes)
    let file = head.bytes + chunk0 + chunk1
    #expect(file.count == 1340)
    // libsodium's own XChaCha20-Poly1305 opens both chunks with the full 24-byte nonces.
    #expect(try ChunkCipher.openReference(key: key, noncePrefix: prefix, index: 0, chunk0, associatedData: ad + [0]) == Array(content[0..<1024]))
    #expect(try ChunkCipher.openReference(key: key, noncePrefix: prefix, index: 1, chunk1, associatedData: ad + [1]) == finalBlock)

    // The name: the tree by hand, and the keyless digest of the code.
    let leaf0 = chunk0.withUnsafeBytes { SHA256.hash($0) }
    let leaf1 = chunk1.withUnsafeBytes { SHA256.hash($0) }
    #expect(leaf0 == (try values.hex("leaf 0")))
    #expect(leaf1 == (try values.hex("leaf 1")))
    let id = try #require(ObjectID(hex: try values.text("object id")))
    #expect((head.bytes + leaf0 + leaf1).withUnsafeBytes { SHA256.hash($0) } == id.bytes)
    let digest = try ObjectDigest()
    digest.update(file)
    #expect(digest.finalize() == id.bytes)

    // Through the code: an object store holding just this file reads it and checks it keylessly.
    let dir = try TemporaryDirectory()
    let store = ObjectStore(directory: dir.path + "/objects", temporaryDirectory: dir.path)
    try FileManager.default.createDirectory(atPath: SystemPath.parent(store.path(for: id)), withIntermediateDirectories: true)
    try Data(file).write(to: URL(fileURLWithPath: store.path(for: id)))
    try store.checkHash(id)
    #expect(try store.get(id, binding: binding, key: key, vault: vault) == content)
  }
}
