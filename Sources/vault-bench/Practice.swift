// The practice-scale benchmarks (issues 4 and 8): a deterministic generator for a vault of N
// clients with M notes each, and the raw decryption baseline that `vault search` is compared with.
import Foundation
import VaultCore
import VaultCrypto

/// splitmix64: small, fast and deterministic; each client has its own stream, so the vault's
/// content does not depend on the batch size.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// Uniform in 0..<n (the modulo bias is irrelevant here).
  mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
  mutating func chance(_ oneIn: Int) -> Bool { below(oneIn) == 0 }
}

/// Pseudo-English note text: common words and clinical vocabulary with a skewed frequency, plus
/// pseudo-words built from syllables for variety. `PracticeText.searchWord` never arises by chance;
/// it is planted in about one note in ten, so a search for it has realistic hits.
enum PracticeText {
  static let searchWord = "insomnia"

  static let common: [[UInt8]] = words("""
    the and to of a in was she he that it with for on about her his they we is said not but as at \
    this had be have by from or an were would there been when their what which more also very some \
    after before during over again still just then than into most other only each both
    """)
  static let clinical: [[UInt8]] = words("""
    session client reported discussed anxiety mood sleep work mother father partner children school \
    stress coping goals progress week breathing exercise feelings anger grief loss trauma memory \
    conflict boundaries family support medication appetite energy motivation worry panic attack \
    avoidance exposure homework journal thoughts beliefs values relationship friends isolation \
    alcohol craving relapse plan safety risk denied ideation affect congruent tearful calm anxious \
    irritable withdrawn engaged insight treatment review intake assessment referral follow weekend \
    morning evening night routine walking therapy skills mindfulness reframing acceptance shame \
    guilt confidence job manager colleague sister brother daughter son holiday birthday appointment
    """)
  static let syllables: [String] = [
    "ba", "cor", "den", "fal", "gri", "hum", "jor", "kel", "lan", "mir", "nos", "pel", "quo", "ras",
    "sel", "tor", "ul", "ven", "wes", "yar", "zan", "ment", "ing", "ly", "tion", "er", "ous", "ble",
  ]
  /// 1,500 pseudo-words of two or three syllables (none contains the search word).
  static let pseudo: [[UInt8]] = {
    var rng = SplitMix(seed: 0x5EED_0F_7E47)
    return (0..<1500).map { _ in
      let n = 2 + rng.below(2)
      return Array((0..<n).map { _ in syllables[rng.below(syllables.count)] }.joined().utf8)
    }
  }()

  static func words(_ text: String) -> [[UInt8]] { text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { Array($0.utf8) } }

  static func word(_ rng: inout SplitMix) -> [UInt8] {
    let r = rng.below(100)
    if r < 50 { return common[min(rng.below(common.count), rng.below(common.count))] }  // skewed to the front
    if r < 85 { return clinical[rng.below(clinical.count)] }
    return pseudo[rng.below(pseudo.count)]
  }

  /// A note of `target` bytes (give or take a word), and whether the search word is in it.
  static func note(_ rng: inout SplitMix, number: Int, kind: NoteKind, target: Int) -> (text: String, hasSearchWord: Bool) {
    var out: [UInt8] = []
    out.reserveCapacity(target + 64)
    out += Array("Session \(number): \(kind) note\n\n".utf8)
    let plant = rng.chance(10)
    var planted = false
    var sentences = 0
    while out.count < target {
      let n = 6 + rng.below(13)
      for i in 0..<n {
        var w: [UInt8]
        if plant && !planted && out.count >= target / 3 {
          w = Array(searchWord.utf8)
          planted = true
        } else {
          w = word(&rng)
        }
        if i == 0, let f = w.first, f >= 0x61, f <= 0x7A { w[0] = f - 32 }
        out += w
        out.append(i == n - 1 ? 0x2E : (rng.chance(12) ? 0x2C : 0x20))  // '.', ',' or ' '
        if i < n - 1, out.last == 0x2C { out.append(0x20) }
      }
      sentences += 1
      out += sentences % 5 == 0 ? [0x0A, 0x0A] : [0x20]
    }
    if plant && !planted {
      out += Array(" \(searchWord).".utf8)
      planted = true
    }
    return (String(decoding: out, as: UTF8.self), planted)
  }

  static let firstNames = words("""
    Ana Ben Carla Dev Elena Farid Grace Hugo Ines Jonas Keiko Liam Maya Noor Omar Priya Quinn Rosa \
    Sami Tara Umar Vera Wen Xavier Yara Zoe Aaron Bianca Chidi Dana
    """).map { String(decoding: $0, as: UTF8.self) }
  static let lastNames = words("""
    Abbott Baker Castillo Dubois Eriksen Fischer Garcia Haddad Ivanova Jensen Kowalski Lindqvist \
    Moreau Nakamura Okafor Petrov Quintero Rossi Schmidt Tanaka Ueda Varga Weber Xu Yilmaz Zhang \
    Novak Silva Murphy Kaur Ortiz
    """).map { String(decoding: $0, as: UTF8.self) }
}

/// Reads the first line of a passphrase file into secure memory, as the CLI does.
func readPassphrase(_ path: String) throws -> SecureBytes {
  let data = try Data(contentsOf: URL(fileURLWithPath: path))
  let line = data.split(separator: 0x0A, maxSplits: 1, omittingEmptySubsequences: false).first ?? Data()
  return try Array(line).withUnsafeBytes { try SecureBytes(copying: $0) }
}

/// `vault-bench practice`: creates a vault at `dir` with `clients` clients of `notesPerClient`
/// notes each (1 to 8 KB of text, weekly session dates), importing `batch` clients per commit;
/// then, with `documentsPerClient` > 0, adds that many consent documents of `documentMiB` MiB of
/// incompressible bytes (kind other, a different seed each) to every client through
/// `Consents.add`, as `vault consent add CODE --kind other --file F` does, without a process each.
func generatePractice(
  dir: String, clients: Int, notesPerClient: Int, batch: Int, passphraseFile: String,
  documentsPerClient: Int = 0, documentMiB: Int = 4
) throws -> [String: Any] {
  let t0 = now()
  let created = try Vault.create(
    at: dir, passphrase: readPassphrase(passphraseFile), label: "bench", kdf: .insecureTest, now: 1_800_000_000)
  let unlocked = created.vault
  let practice = try Practice(unlocked.vault, unlocked: unlocked, mode: .write)
  let firstDay = Day(year: 2015, month: 1, day: 1)!
  var notes = 0
  var bytes = 0
  var hits = 0
  var codes: [ClientCode] = []
  var generateSeconds = 0.0
  var start = 0
  while start < clients {
    let g0 = now()
    let end = min(clients, start + batch)
    let items: [(record: ClientRecord, notes: [NewNote])] = (start..<end).map { c in
      var rng = SplitMix(seed: 0xC11E_0000 &+ UInt64(c))
      let name = "\(PracticeText.firstNames[rng.below(PracticeText.firstNames.count)]) \(PracticeText.lastNames[rng.below(PracticeText.lastNames.count)]) \(c + 1)"
      // Weekly sessions that end before 2025, so no session date is in the future.
      let startDay = firstDay.adding(days: rng.below(max(1, 3650 - 7 * notesPerClient)))
      let record = ClientRecord(legalName: name, startDate: startDay)
      let list: [NewNote] = (0..<notesPerClient).map { i in
        let kind: NoteKind = i == 0 ? .intake : (rng.chance(8) ? .contact : .progress)
        let (text, hit) = PracticeText.note(&rng, number: i + 1, kind: kind, target: 1024 + rng.below(7 * 1024 + 1))
        notes += 1
        bytes += text.utf8.count
        if hit { hits += 1 }
        return NewNote(
          text: text, kind: kind, date: startDay.adding(days: 7 * i), minutes: kind == .contact ? 15 : 50,
          signed: i < notesPerClient - 1)
      }
      return (record, list)
    }
    generateSeconds += now() - g0
    codes += try practice.clients.importClients(items)
    start = end
  }
  var documents = 0
  var documentBytes = 0
  let d0 = now()
  if documentsPerClient > 0 {
    let scratch = dir.hasSuffix("/") ? String(dir.dropLast()) + ".document" : dir + ".document"
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    for (c, code) in codes.enumerated() {
      for k in 0..<documentsPerClient {
        guard FileManager.default.createFile(atPath: scratch, contents: nil),
          let h = FileHandle(forWritingAtPath: scratch)
        else { throw BenchError("cannot create \(scratch)") }
        var filler = Filler(state: 0xD0C0_0000_0000_0001 &+ UInt64(c) &* 0x1_0000 &+ UInt64(k))
        for _ in 0..<documentMiB {
          buffer.withUnsafeMutableBytes { filler.fill($0) }
          try h.write(contentsOf: buffer)
        }
        try h.close()
        _ = try practice.consents.add(to: code.description, NewConsent(kind: .other, file: FileSource(path: scratch)))
        documents += 1
        documentBytes += documentMiB << 20
      }
    }
  }
  return [
    "documents": documents, "document_bytes": documentBytes, "document_seconds": now() - d0,
    "op": "generate", "seconds": now() - t0, "text_seconds": generateSeconds, "clients": clients, "notes": notes,
    "bytes": bytes, "search_word": PracticeText.searchWord, "search_word_notes": hits,
    "sample_code": codes.first?.description ?? "", "peak_rss_kib": peakRSSKiB(),
  ]
}

/// `vault-bench search-baseline`: unlocks the vault, loads every client, and decrypts every note
/// version and addendum a search reads, without matching: the floor under `vault search`. Then
/// runs the library's search (decrypt and match) in the same process, to separate matching cost
/// from the command's own (process start, unlock, access log, output).
func searchBaseline(dir: String, passphraseFile: String, query: String) throws -> [String: Any] {
  var t0 = now()
  let unlocked = try Vault.open(at: dir).unlock(.passphrase(readPassphrase(passphraseFile)))
  let unlockSeconds = now() - t0
  let practice = try Practice(unlocked.vault, unlocked: unlocked, mode: .read)
  t0 = now()
  let clients = try practice.clients.list(includeDischarged: true)
  let clientsSeconds = now() - t0
  let filter = NoteFilter()
  var notes = 0
  var bytes = 0
  t0 = now()
  try practice.notes.readEvery(filter: filter) { _, texts in
    notes += 1
    bytes += texts.reduce(0) { $0 + $1.utf8.count }
  }
  let decryptSeconds = now() - t0
  t0 = now()
  let hits = try practice.notes.search(query, client: nil, filter: filter)
  let searchSeconds = now() - t0
  return [
    "op": "search-baseline", "unlock_seconds": unlockSeconds, "clients_seconds": clientsSeconds, "clients": clients.count,
    "decrypt_seconds": decryptSeconds, "notes": notes, "bytes": bytes, "mib_per_s": Double(bytes) / 1_048_576 / decryptSeconds,
    "search_inprocess_seconds": searchSeconds, "hits": hits.count, "peak_rss_kib": peakRSSKiB(),
  ]
}

/// A benchmark that cannot run as asked (a missing option, a failed system call).
struct BenchError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
