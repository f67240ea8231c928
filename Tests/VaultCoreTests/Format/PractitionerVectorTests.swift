import Foundation
import Testing
@testable import VaultCore
@testable import VaultCrypto

/// The test vectors of docs/FORMAT.md Appendix A.7 (a practice, §17), read out of the document
/// and checked against the code, as `FormatVectorTests` does for A.1 to A.6. The derived keys,
/// public keys and the registry's Ed25519 signature are deterministic and are recomputed; the
/// bundle, the kind-3 slot, the client key file and the index hold random nonces and sealed
/// boxes, so those are opened with the given keys (and re-encoded where the code can).
@Suite("FORMAT.md test vectors: practitioners (A.7)")
struct PractitionerVectorTests {
  typealias Doc = FormatVectorTests.Doc
  typealias Dump = FormatVectorTests.Dump

  /// Appendix A.7, its named values, and the inputs every test needs.
  struct A7 {
    let doc: Doc
    let values: FormatVectorTests.Values
    let vault: RandomID
    let master: SecretKey
    let keys: VaultKeys
    let personal: PersonalKey
    let client: RandomID
    let alice: RandomID
    let bob: RandomID

    init() throws {
      doc = try FormatVectorTests.appendix("A.7")
      values = doc.values
      vault = try #require(RandomID(hex: try values.text("vault id")))
      master = try values.key("master key")
      keys = try VaultKeys(master: master)
      personal = try PersonalKey(try values.key("personal key"))
      client = try #require(RandomID(hex: try values.text("client id")))
      alice = try #require(RandomID(hex: try values.text("alice")))
      bob = try #require(RandomID(hex: try values.text("bob")))
    }

    func dump(after marker: String) throws -> Dump { try Dump(try doc.block(after: marker)) }

    /// The passphrase: everything after the name (it has spaces, unlike the other values).
    func passphrase() throws -> String {
      let line = try #require(doc.lines.first { $0.hasPrefix("bob's passphrase  ") })
      return line.dropFirst("bob's passphrase".count).trimmingCharacters(in: .whitespaces)
    }
  }

  @Test("A.7: subkeys 9 and 10, the owners' and registry public keys, a personal key's box and bundle keys, a register key")
  func derivedKeys() throws {
    let a = try A7()
    let v = a.values
    // By the definitions of §4.1, §17.2 and §17.4, with the contexts as the document spells them.
    #expect(TestBytes.bytes(of: try a.master.derive(id: 9, context: "vaultmk1")) == (try v.hex("subkey 9")))
    #expect(TestBytes.bytes(of: try a.master.derive(id: 10, context: "vaultmk1")) == (try v.hex("subkey 10")))
    let s = try v.key("personal key")
    #expect(TestBytes.bytes(of: try s.derive(id: 1, context: "vaultpk1")) == (try v.hex("box seed")))
    #expect(TestBytes.bytes(of: try s.derive(id: 2, context: "vaultpk1")) == (try v.hex("bundle key")))
    #expect(TestBytes.bytes(of: try v.key("K_1").derive(id: 1, context: "vaultrg1")) == (try v.hex("register key")))
    let owners = try BoxKeyPair(seed: try v.key("subkey 9"))
    #expect(owners.publicKey == (try v.hex("owners public")))
    #expect(TestBytes.bytes(of: owners.secretKey) == (try v.hex("owners secret")))
    #expect(try SigningKeyPair(seed: try v.key("subkey 10")).publicKey == (try v.hex("registry public")))
    // The config's public keys (§4.3), which a bundle carries (§17.3).
    #expect(try BoxKeyPair(seed: try a.master.derive(id: 5, context: "vaultmk1")).publicKey == (try v.hex("log public")))
    #expect(try SigningKeyPair(seed: try a.master.derive(id: 4, context: "vaultmk1")).publicKey == (try v.hex("signing public")))
    let box = try BoxKeyPair(seed: try v.key("box seed"))
    #expect(box.publicKey == (try v.hex("box public")))
    #expect(TestBytes.bytes(of: box.secretKey) == (try v.hex("box secret")))

    // Through the code.
    #expect(a.keys.ownerPublicKey == (try v.hex("owners public")))
    #expect(a.keys.registryPublicKey == (try v.hex("registry public")))
    #expect(a.keys.logPublicKey == (try v.hex("log public")))
    #expect(a.keys.signing.publicKey == (try v.hex("signing public")))
    #expect(TestBytes.bytes(of: try #require(a.keys.ownerBox).secretKey) == (try v.hex("owners secret")))
    #expect(a.personal.publicKey == (try v.hex("box public")))
    #expect(TestBytes.bytes(of: a.personal.box.secretKey) == (try v.hex("box secret")))
    #expect(TestBytes.bytes(of: a.personal.bundleKey) == (try v.hex("bundle key")))
    let ring = try ClientKeyRing(clinical: [try v.key("K_1"), try v.key("K_0")])
    #expect(TestBytes.bytes(of: ring.register) == (try v.hex("register key")))
  }

  @Test("§4.1, §4.2: subkeys 9 and 10 and the new labels and contexts are listed with their lengths")
  func labels() throws {
    let doc = try Doc.load()
    let rows = try doc.section("### 4.2").table("Label")
    var lengths: [String: Int] = [:]
    for row in rows { lengths[row[0].trimmingCharacters(in: CharacterSet(charactersIn: "`\""))] = Int(row[1]) }
    for (label, bytes) in lengths { #expect(label.utf8.count == bytes, "\(label)") }
    #expect(lengths["vault.v1/practitioners"] == Binding.practitioners.count)
    #expect(lengths["vaultpk1"] == 8 && lengths["vaultrg1"] == 8)
    let subkeys = try doc.section("### 4.1").table("Id").compactMap { Int($0[0]) }
    #expect(subkeys == Array(1...10), "the subkey table lists ids 1 to 10")
    #expect(VaultKeys.Subkey.allCases.map { Int($0.rawValue) } == subkeys)
  }

  @Test("A.7: the registry parses, its signature verifies and is reproduced, and bob's bundle opens to the clinician's subkeys")
  func registry() throws {
    let a = try A7()
    let dump = try a.dump(after: "**The registry**")
    let bytes = dump.bytes
    #expect(bytes.count == 611)
    let (registry, body, signature) = try PractitionerRegistry.decode(bytes)
    #expect(registry.generation == 2)
    let names = registry.practitioners.map(\.name)
    #expect(names == ["alice", "bob"])
    let alice = try #require(registry.named("alice")), bob = try #require(registry.named("bob"))
    #expect(alice.id == a.alice && alice.role == .owner && alice.holdsMasterKeyInSlots && alice.publicKey == [UInt8](repeating: 0, count: 32))
    #expect(alice.added == 1_795_640_438 && alice.supervisor == nil && alice.slots.count == 1)
    #expect(bob.id == a.bob && bob.role == .clinician && bob.publicKey == a.personal.publicKey && bob.added == 1_795_644_000)
    #expect(bob.bundle.count == 301)

    // The signature, by hand: Ed25519 over "vault.v1/practitioners" ‖ vault id ‖ everything before it.
    let signatureAt = try dump.offset(ofComment: "signature")
    #expect(signatureAt == 0x203 && Array(bytes[signatureAt..<(signatureAt + 64)]) == signature)
    let message = Array("vault.v1/practitioners".utf8) + a.vault.bytes + Array(bytes[0..<signatureAt])
    #expect(message.count == 553)
    try Signing.verify(signature, of: message, publicKey: try a.values.hex("registry public"))
    // Through the code, and re-encoded byte for byte (Ed25519 signatures are deterministic).
    try PractitionerRegistry.verify(body: body, signature: signature, keys: a.keys, vault: a.vault)
    #expect(try registry.encoded(signing: try #require(a.keys.registrySigning), vault: a.vault) == bytes)

    // bob's bundle: at the offset the text gives, opening to the plaintext it shows.
    let bundleAt = try dump.offset(ofComment: "bundle: nonce")
    #expect(bundleAt == 0xd6 && Array(bytes[bundleAt..<signatureAt]) == bob.bundle)
    let plaintext = try a.dump(after: "**bundle plaintext**").bytes
    #expect(plaintext.count == 261)
    // Its fixed part: the registry's, the owners', the log's and the signing public keys, then n.
    #expect(Array(plaintext[0..<32]) == (try a.values.hex("registry public")))
    #expect(Array(plaintext[32..<64]) == (try a.values.hex("owners public")))
    #expect(Array(plaintext[64..<96]) == (try a.values.hex("log public")))
    #expect(Array(plaintext[96..<128]) == (try a.values.hex("signing public")))
    #expect(plaintext[128] == 4 && Array(plaintext[129..<133]) == [1, 4, 6, 8])
    let ad = Array("vault.v1/practitioners".utf8) + a.vault.bytes + a.bob.bytes + [Role.clinician.rawValue]
    #expect(ad.count == 55 && ad == StaffBundle.associatedData(practitioner: a.bob, role: .clinician, vault: a.vault))
    #expect(try AEAD.open(bob.bundle, using: a.personal.bundleKey, binding: ad) == plaintext)
    let bundle = try StaffBundle.open(bob.bundle, practitioner: a.bob, role: .clinician, personal: a.personal, vault: a.vault)
    #expect(bundle.registryPublicKey == a.keys.registryPublicKey && bundle.ownerPublicKey == a.keys.ownerPublicKey)
    #expect(bundle.logPublicKey == a.keys.logPublicKey && bundle.signingPublicKey == a.keys.signing.publicKey)
    // No subkey 2: a clinician cannot compute the config's MAC (§17.3).
    let clinician = try a.keys.bundleSubkeys(for: .clinician)
    #expect(bundle.subkeys.keys.sorted() == [1, 4, 6, 8] && clinician.keys.sorted() == [1, 4, 6, 8])
    #expect(try a.keys.bundleSubkeys(for: .supervisor).keys.sorted() == [1, 4, 6, 8])
    #expect(try a.keys.bundleSubkeys(for: .auditor).keys.sorted() == [1, 4, 5, 6, 7, 8])
    for (id, key) in bundle.subkeys {
      #expect(TestBytes.bytes(of: key) == TestBytes.bytes(of: try a.master.derive(id: UInt64(id), context: "vaultmk1")), "subkey \(id)")
    }
    // The same role's bundle under another role or practitioner does not open.
    #expect(throws: (any Error).self) { try StaffBundle.open(bob.bundle, practitioner: a.bob, role: .auditor, personal: a.personal, vault: a.vault) }
    #expect(throws: (any Error).self) { try StaffBundle.open(bob.bundle, practitioner: a.alice, role: .clinician, personal: a.personal, vault: a.vault) }
    // What bob's unlock derives from it.
    let bobKeys = try VaultKeys(bundle: bundle)
    #expect(bobKeys.master == nil && bobKeys.clientKeyWrap == nil && bobKeys.logEntries == nil && bobKeys.logBox == nil && bobKeys.registrySigning == nil)
    #expect(TestBytes.bytes(of: bobKeys.index) == TestBytes.bytes(of: a.keys.index))
    #expect(bobKeys.signing.publicKey == a.keys.signing.publicKey && bobKeys.configMAC == nil && bobKeys.logPublicKey == a.keys.logPublicKey)
    // bob checks a config by its two public keys (§4.3): this vault's passes, whatever its MAC;
    // one with another vault's public keys does not.
    let config = try VaultConfig.make(vaultID: a.vault, created: 1_795_640_438, keys: a.keys)
    #expect(try config.isAuthentic(for: bobKeys) && config.isAuthentic(for: a.keys))
    let other = try VaultConfig.make(vaultID: a.vault, created: 1_795_640_438, keys: try VaultKeys(master: try a.values.key("K_0")))
    #expect(try !other.isAuthentic(for: bobKeys))
    var forgedMAC = try config.encoded()
    forgedMAC[100] ^= 0x01
    forgedMAC = Array(forgedMAC.dropLast(32)) + (try Hasher.blake2b256(Array(forgedMAC.dropLast(32))))
    let forged = try VaultConfig.decode(forgedMAC)
    #expect(try !forged.isAuthentic(for: a.keys), "an owner checks the MAC")
    try PractitionerRegistry.verify(body: body, signature: signature, keys: bobKeys, vault: a.vault)
  }

  @Test("A.7: bob's slot of kind 3 opens with his passphrase to his personal key")
  func personalSlot() throws {
    let a = try A7()
    let bytes = try a.dump(after: "**bob's key slot**").bytes
    #expect(bytes.count == 174 && bytes[24] == 3)
    let slot = try KeySlot.decode(bytes)
    #expect(slot.kind == .personal && slot.label == "bob" && slot.id.hex == "5107b0b0000000000000000000000002")
    #expect(slot.kdf.opsLimit == KDFLevel.test.parameters.opsLimit && slot.kdf.memLimit == KDFLevel.test.parameters.memLimit)
    let registry = try PractitionerRegistry.decode(try a.dump(after: "**The registry**").bytes).registry
    #expect(registry.owner(ofSlot: slot.id)?.id == a.bob)
    let s = try slot.unlock(.passphrase(secret(try a.passphrase())), vault: a.vault)
    #expect(TestBytes.bytes(of: s) == (try a.values.hex("personal key")))
    #expect(throws: VaultError.wrongPassphrase) { try slot.unlock(.passphrase(secret("correct horse alice")), vault: a.vault) }
  }

  @Test("A.7: the client key file of revision 1 opens for the owners and for bob, to both epochs' keys")
  func clientKeyFile() throws {
    let a = try A7()
    let v = a.values
    let bytes = try a.dump(after: "The register key is derived from K_1.").bytes
    #expect(bytes.count == 373 && bytes.count == 171 + 72 * (2 - 1) + 130 * 1)
    let file = try ClientKeyFile.decode(bytes)
    #expect(file.client == a.client && file.revision == 1 && file.epochs == 2)
    #expect(file.grants.map(\.practitioner) == [a.bob] && file.grants.map(\.scope) == [.clinical])
    #expect(try file.encoded() == bytes)
    let k1 = try v.hex("K_1"), k0 = try v.hex("K_0")

    // By hand, as the text says.
    let prefix = a.vault.bytes + a.client.bytes + [1]
    #expect(try SealedBox.open(Array(bytes[0x19..<0x8a]), with: try BoxKeyPair(seed: try v.key("subkey 9"))) == prefix + k1)
    #expect(try SealedBox.open(Array(bytes[0xe4..<0x155]), with: try BoxKeyPair(seed: try v.key("box seed"))) == prefix + k1)
    let ad = Array("vault.v1/clientkey".utf8) + a.vault.bytes + a.client.bytes + [1]
    #expect(ad.count == 51 && ad == ClientKeyFile.chainAD(client: a.client, epoch: 1, vault: a.vault))
    #expect(try AEAD.open(Array(bytes[0x8a..<0xd2]), using: try v.key("K_1"), binding: ad) == k0)

    // Through the code: as an owner (the owners' copy) and as bob (his grant, his bundle's keys).
    let owner = try #require(try file.open(as: KeyHolder(id: nil, personal: nil), keys: a.keys, vault: a.vault))
    #expect(owner.clinical.map { TestBytes.bytes(of: $0) } == [k1, k0])
    #expect(TestBytes.bytes(of: owner.register) == (try v.hex("register key")))
    #expect(TestBytes.bytes(of: try ClientKeyFile.ownerKey(bytes, client: a.client, keys: a.keys, vault: a.vault)) == k1)
    let registry = try PractitionerRegistry.decode(try a.dump(after: "**The registry**").bytes).registry
    let bob = try #require(registry.practitioner(a.bob))
    let bobKeys = try VaultKeys(bundle: StaffBundle.open(bob.bundle, practitioner: a.bob, role: .clinician, personal: a.personal, vault: a.vault))
    let ring = try #require(try file.open(as: KeyHolder(id: a.bob, personal: a.personal), keys: bobKeys, vault: a.vault))
    #expect(ring.clinical.map { TestBytes.bytes(of: $0) } == [k1, k0])
    #expect(try file.open(as: KeyHolder(id: a.alice, personal: a.personal), keys: bobKeys, vault: a.vault) == nil, "no grant for alice")
    // Bound to its client: the same bytes under another client's name do not open.
    let other = try RandomID(bytes: [UInt8](repeating: 0x0c, count: 16))
    #expect(throws: (any Error).self) { try ClientKeyFile.ownerKey(bytes, client: other, keys: a.keys, vault: a.vault) }

    // §17.4: a reader tries the keys newest first on an object's first chunk, so an object of
    // epoch 0 still opens once epoch 1 is the newest.
    let dir = try TemporaryDirectory()
    let store = ObjectStore(directory: dir.path + "/objects", temporaryDirectory: dir.path)
    let binding = ObjectBinding(type: .note, client: a.client)
    let old = try store.put(Array("written in epoch 0".utf8), binding: binding, key: try v.key("K_0"), vault: a.vault)
    let new = try store.put(Array("written in epoch 1".utf8), binding: binding, key: try v.key("K_1"), vault: a.vault)
    #expect(try store.get(old, binding: binding, keys: ring.clinical, vault: a.vault) == Array("written in epoch 0".utf8))
    #expect(try store.get(new, binding: binding, keys: ring.clinical, vault: a.vault) == Array("written in epoch 1".utf8))
    #expect(throws: (any Error).self) { try store.get(old, binding: binding, keys: [try v.key("K_1")], vault: a.vault) }
  }

  @Test("A.7: the register object opens under the register key as type 6 to the register of A.6")
  func registerObject() throws {
    let a = try A7()
    let plain = try a.dump(after: "**A register object**").bytes
    #expect(plain.count == 41)
    let a6 = try Dump(try FormatVectorTests.appendix("A.6").block(after: "It is 212 bytes long")).bytes
    #expect(try ClientIndex.decode(a6).register.encoded() == plain, "the register of A.6, as writers make it")
    let decoded = try ClientIndex.decode(plain, register: true)
    #expect(decoded.legalName == "Ann Lee" && decoded.records.isEmpty && decoded.notes.isEmpty)

    let id = try #require(ObjectID(hex: try a.values.text("register object")))
    let file = try a.dump(after: "so it is the file `objects/9c/").bytes
    #expect(file.count == 313)
    #expect(try Hasher.blake2b256(file) == id.bytes)
    let dir = try TemporaryDirectory()
    let store = ObjectStore(directory: dir.path + "/objects", temporaryDirectory: dir.path)
    try FileManager.default.createDirectory(atPath: SystemPath.parent(store.path(for: id)), withIntermediateDirectories: true)
    try Data(file).write(to: URL(fileURLWithPath: store.path(for: id)))
    let register = try a.values.key("register key")
    let binding = ObjectBinding(type: .register, client: a.client)
    #expect(try store.get(id, binding: binding, key: register, vault: a.vault) == plain)
    let ring = try ClientKeyRing(clinical: [try a.values.key("K_1"), try a.values.key("K_0")])
    #expect(try store.get(id, binding: binding, keys: [ring.register], vault: a.vault) == plain)
    #expect(throws: (any Error).self) { try store.get(id, binding: binding, keys: ring.clinical, vault: a.vault) }
    #expect(throws: (any Error).self) { try store.get(id, binding: ObjectBinding(type: .clientIndex, client: a.client), key: register, vault: a.vault) }
  }

  @Test("A.7: the index of revision 1 opens with subkey 1 to 80-byte entries naming a register")
  func indexRevision1() throws {
    let a = try A7()
    let bytes = try a.dump(after: "**An index of revision 1**").bytes
    #expect(bytes.count == 180 && bytes.count == 100 + 80 * 1)
    #expect(Array(bytes[0..<8]) == FileHeader.encode(.index, revision: 1))
    let plaintext = try a.dump(after: "Its 100-byte plaintext").bytes
    #expect(plaintext.count == 100)
    let ad = Array("vault.v1/index".utf8) + a.vault.bytes + [0x76, 0x61, 0x75, 0x6c, 0x74, 0x01, 0x03, 0x01]
    #expect(ad.count == 38 && ad == VaultIndex.associatedData(vault: a.vault, revision: 1))
    #expect(try AEAD.open(Array(bytes[8..<(bytes.count - 32)]), using: a.keys.index, binding: ad) == plaintext)
    let index = try VaultIndex.decode(bytes, keys: a.keys, vault: a.vault)
    #expect(index.revision == 1 && index.generation == 3)
    // The registry generation it records is that of the registry of this appendix.
    let registry = try PractitionerRegistry.decode(try a.dump(after: "**The registry**").bytes).registry
    #expect(index.registryGeneration == 2 && index.registryGeneration == registry.generation)
    #expect(Array(plaintext[8..<16]) == [2, 0, 0, 0, 0, 0, 0, 0])
    // Re-encoded (with a fresh nonce), it opens to the same plaintext.
    let again = try index.encoded(keys: a.keys, vault: a.vault)
    #expect(again.count == bytes.count)
    #expect(try VaultIndex.decode(again, keys: a.keys, vault: a.vault) == index)
    #expect(try VaultIndex.decode(again, keys: a.keys, vault: a.vault).registryGeneration == 2)
    #expect(index.entries == [
      IndexEntry(
        client: a.client, clientIndex: try ObjectID(bytes: [UInt8](repeating: 0x11, count: 32)),
        register: try ObjectID(bytes: [UInt8](repeating: 0x22, count: 32))),
    ])
    // The revision is bound: the same body under a revision-0 header does not open.
    var relabelled = Array(bytes.dropLast(32))
    relabelled[7] = 0
    relabelled += try Hasher.blake2b256(relabelled)
    #expect(throws: (any Error).self) { try VaultIndex.decode(relabelled, keys: a.keys, vault: a.vault) }
  }

  @Test("§7, §17.4, §17.5: the sizes and bounds the text gives are the code's")
  func sizes() throws {
    let doc = try Doc.load()
    let s7 = try doc.section("## 7.").lines.joined(separator: " ")
    let bound = try #require(s7.firstMatch(of: try Regex(#"larger than 100 \+ 80·65536 = ([\d,]+) bytes"#)))
    #expect(Int(try FormatVectorTests.capture(bound, 1).replacingOccurrences(of: ",", with: "")) == VaultIndex.maximumFileSize)
    let s174 = try doc.section("### 17.4").lines.joined(separator: " ")
    let most = try #require(s174.firstMatch(of: try Regex(#"171 \+ 72·\(E−1\) \+ 130·G bytes \(at most ([\d,]+)\)"#)))
    let largest = 171 + 72 * (ClientKeyFile.maxEpochs - 1) + 130 * ClientKeyFile.maxGrants
    #expect(Int(try FormatVectorTests.capture(most, 1).replacingOccurrences(of: ",", with: "")) == largest)
    #expect(largest <= ClientKeyFile.maximumFileSize)
    #expect(ClientKeyGrant.sealedSize == 113 && ClientKeyGrant.size == 130 && ClientKeyFile.chainLinkSize == 72)

    // §17.1: header, generation and P (18 bytes), the entries, signature and checksum (96).
    let s171 = try doc.section("### 17.1").lines.joined(separator: " ")
    let entry = try #require(s171.firstMatch(of: try Regex(#"Each practitioner entry is (\d+) \+ n \+ 16·S \+ B bytes"#)))
    let fixed = try #require(Int(try FormatVectorTests.capture(entry, 1)))
    let a = try A7()
    let registry = try PractitionerRegistry.decode(try a.dump(after: "**The registry**").bytes).registry
    let total = 18 + registry.practitioners.reduce(0) { $0 + fixed + $1.name.utf8.count + 16 * $1.slots.count + $1.bundle.count } + 96
    #expect(total == 611)
    // §17.3: the bundle is 40 + 129 + 33·n bytes.
    let s173 = try doc.section("### 17.3").lines.joined(separator: " ")
    #expect(s173.contains("(40 + 129 + 33·n bytes)"))
    #expect(try registry.named("bob")?.bundle.count == 40 + 129 + 33 * a.keys.bundleSubkeys(for: .clinician).count)
  }

  @Test("§17.5: a register is a client index without records, notes or stored files' objects, names and media types")
  func registerPlaintext() throws {
    let a6 = try Dump(try FormatVectorTests.appendix("A.6").block(after: "It is 212 bytes long")).bytes
    let index = try ClientIndex.decode(a6)
    let register = index.register.encoded()
    #expect(register[0] == 3)
    let decoded = try ClientIndex.decode(register, register: true)
    #expect(decoded.records.isEmpty && decoded.notes.isEmpty && decoded.legalName == index.legalName)
    #expect(throws: FormatError.self) { try ClientIndex.decode(register) }
    #expect(throws: FormatError.self) { try ClientIndex.decode(a6, register: true) }
  }
}
