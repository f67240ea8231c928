import Foundation
import Testing
@testable import VaultCore

/// Consents, forms and disclosures: their encoding in the client and practice indexes, and the
/// rules `consent check` and `disclose` apply, on a real vault.
@Suite("consents and disclosures")
struct ConsentTests {
  typealias Fixture = RecordsTests.Fixture
  static let today = Day(year: 2026, month: 11, day: 25)!

  func file(_ dir: TemporaryDirectory, _ name: String, _ text: String) throws -> FileSource {
    let path = dir.path + "/" + name
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return FileSource(path: path)
  }

  @Test("a version 3 client index round-trips consents and disclosures; versions 1 and 2 still decode")
  func encoding() throws {
    let f = try Fixture()
    var c = try f.add("Ada Lovelace")
    let pdf = try file(f.dir, "a.pdf", "%PDF-1.7 x")
    (c, _) = try f.records.addConsent(
      to: c, pdf, kind: .releaseOfInformation, signed: Day(year: 2026, month: 1, day: 2), expires: Day(year: 2027, month: 1, day: 2),
      formVersion: "v1", note: "scanned", release: Release(recipient: "Dr. Lee", address: "1 Main St", information: "dates", purpose: "care"),
      author: "t", now: 1)
    (c, _) = try f.records.revokeConsent(1, of: c, date: Day(year: 2026, month: 3, day: 1)!, reason: "withdrew", author: "t", now: 2)
    (c, _) = try f.records.disclose(
      c, date: Day(year: 2026, month: 2, day: 1)!, basis: .authorization, recipient: "Dr. Lee", address: "", what: "dates", purpose: "care",
      reason: nil, authorization: c.consentID(1), corrects: nil, author: "t", now: 3)
    let bytes = c.index.encoded()
    #expect(bytes[0] == 3)
    let decoded = try ClientIndex.decode(bytes)
    #expect(decoded == c.index)
    #expect(decoded.consents[0].file.mediaType == "application/pdf" && decoded.consents[0].file.fileName == "a.pdf")
    #expect(decoded.consents[0].revocation?.reason == "withdrew")
    #expect(decoded.disclosures[0].authorization == 1)

    var plain = c.index
    plain.consents = []
    plain.disclosures = []
    let v1 = [1] + plain.encoded().dropFirst().dropLast(12)
    let v2 = [2] + c.index.encoded().dropFirst().dropLast(4)
    #expect(try ClientIndex.decode(Array(v2)) == c.index, "version 2 has no request list")
    #expect(try ClientIndex.decode(Array(v1)) == plain)
    #expect(throws: FormatError.self) { try ClientIndex.decode([1] + bytes.dropFirst()) }
    for cut in stride(from: bytes.count - 1, to: plain.encoded().count - 12, by: -7) {
      #expect(throws: FormatError.self) { try ClientIndex.decode(Array(bytes.prefix(cut))) }
    }
  }

  @Test("kinds and bases are named by their descriptions, case-insensitively; files store their numbers")
  func names() throws {
    #expect(ConsentKind(name: "Release-Of-Information") == .releaseOfInformation && ConsentKind.releaseOfInformation.rawValue == 4)
    #expect(DisclosureBasis(name: "duty-to-warn") == .dutyToWarn && NoteKind(name: "PSYCHOTHERAPY") == .psychotherapy)
    #expect(NoteKind(name: "psycho") == nil && ConsentKind(name: "") == nil)
  }

  @Test("the practice index keeps every form version; the last of a kind is current; its decoder is strict")
  func practiceIndex() throws {
    let f = try Fixture()
    let blank = try file(f.dir, "form.pdf", "blank")
    _ = try f.records.addForm(kind: .informedConsent, version: "v1", blank, author: "t", now: 1)
    _ = try f.records.addForm(kind: .informedConsent, version: "v2", blank, author: "t", now: 2)
    #expect(throws: RecordError.self) { try f.records.addForm(kind: .informedConsent, version: "v2", blank, author: "t", now: 3) }
    let practice = try f.records.practice()
    #expect(practice.forms.map(\.version) == ["v1", "v2"])
    #expect(practice.currentForms[.informedConsent]?.version == "v2")
    #expect(try f.records.allClients().isEmpty, "the practice entry is not a client")
    var back: [UInt8] = []
    try f.records.readForm(practice.forms[0]) { back += $0 }
    #expect(back == Array("blank".utf8))
    let bytes = practice.encoded()
    #expect(try PracticeIndex.decode(bytes) == practice)
    #expect(throws: FormatError.self) { try PracticeIndex.decode(bytes + [0]) }
    #expect(throws: FormatError.self) { try PracticeIndex.decode(Array(bytes.dropLast())) }
    #expect(throws: FormatError.self) { try PracticeIndex.decode([1, 0xFF, 0xFF, 0xFF, 0xFF]) }
    #expect(try VaultVerifier(vault: f.vault).run(unlocked: f.unlocked).isEmpty)
  }

  @Test("the practice profile: version 1 without one, version 2 with one, kept across form registrations; bad bytes refused")
  func practiceProfile() throws {
    let f = try Fixture()
    #expect(PracticeIndex().encoded() == [1, 0, 0, 0, 0], "an index without a profile stays version 1")
    var profile = PracticeProfile()
    profile.name = "Riverside"
    profile.timeZone = "America/Chicago"
    var index = PracticeIndex(profile: profile)
    let bytes = index.encoded()
    #expect(bytes.prefix(5) == [2, 0, 0, 0, 0])
    #expect(bytes == [2, 0, 0, 0, 0, 9, 0] + Array("Riverside".utf8) + [0, 0, 0, 0, 15, 0] + Array("America/Chicago".utf8))
    #expect(try PracticeIndex.decode(bytes) == index)
    #expect(throws: FormatError.self) { try PracticeIndex.decode([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }
    #expect(throws: FormatError.self) { try PracticeIndex.decode([3, 0, 0, 0, 0]) }
    #expect(throws: FormatError.self) { try PracticeIndex.decode(Array(bytes.dropLast())) }
    try f.records.savePractice(index)
    _ = try f.records.addForm(kind: .informedConsent, version: "v1", try file(f.dir, "form.pdf", "blank"), author: "t", now: 1)
    index = try f.records.practice()
    #expect(index.profile == profile && index.forms.count == 1, "registering a form keeps the profile")
    #expect(try VaultVerifier(vault: f.vault).run(unlocked: f.unlocked).isEmpty)
  }

  @Test("check: the boundaries of expiring and expired, revocations, outdated forms, discharged clients")
  func checkBoundaries() throws {
    let f = try Fixture()
    _ = try f.records.addForm(kind: .informedConsent, version: "v2", try file(f.dir, "f.pdf", "blank"), author: "t", now: 1)
    let pdf = try file(f.dir, "c.pdf", "signed")
    func client(_ name: String, expires: Int?, version: String = "v2", revokedDaysAgo: Int? = nil) throws -> Client {
      var c = try f.add(name)
      (c, _) = try f.records.addConsent(
        to: c, pdf, kind: .informedConsent, signed: Day(year: 2025, month: 1, day: 1), expires: expires.map { Self.today.adding(days: $0) },
        formVersion: version, note: "", release: nil, author: "t", now: 1)
      if let r = revokedDaysAgo { (c, _) = try f.records.revokeConsent(1, of: c, date: Self.today.adding(days: -r), reason: "r", author: "t", now: 2) }
      return c
    }
    let clients = [
      try f.add("Missing"), try client("In31", expires: 31), try client("In30", expires: 30), try client("Today", expires: 0),
      try client("Yesterday", expires: -1), try client("Revoked", expires: nil, revokedDaysAgo: 0), try client("Old", expires: nil, version: "v1"),
    ]
    let results = f.records.checkConsents(clients, practice: try f.records.practice(), today: Self.today, within: 30)
    let got = results.map { "\($0.client.index.legalName):\($0.status.rawValue)" }
    #expect(got == ["Missing:missing", "In30:expiring", "Today:expiring", "Yesterday:expired", "Revoked:revoked", "Old:outdated"])
    #expect(f.records.checkConsents(clients, practice: PracticeIndex(), today: Self.today, within: 30).isEmpty, "no form, nothing required")
  }

  @Test("a release authorizes only its recipient, from its signing day to its expiry, until revoked")
  func releaseValidity() throws {
    let f = try Fixture()
    var c = try f.add("Ada Lovelace")
    (c, _) = try f.records.addConsent(
      to: c, try file(f.dir, "r.pdf", "roi"), kind: .releaseOfInformation, signed: Day(year: 2026, month: 1, day: 10),
      expires: Day(year: 2026, month: 6, day: 30), formVersion: "", note: "",
      release: Release(recipient: "City Clinic", address: "", information: "dates", purpose: "care"), author: "t", now: 1)
    func attempt(_ y: Int, _ m: Int, _ d: Int, to recipient: String = "city  CLINIC") throws -> Disclosure {
      let (updated, disclosure) = try f.records.disclose(
        c, date: Day(year: y, month: m, day: d)!, basis: .authorization, recipient: recipient, address: "", what: "dates", purpose: "care",
        reason: nil, authorization: c.consentID(1), corrects: nil, author: "t", now: 5)
      c = updated
      return disclosure
    }
    #expect(try attempt(2026, 1, 10).number == 1, "the signing day counts")
    #expect(try attempt(2026, 6, 30).number == 2, "the expiry day counts")
    let id = c.consentID(1).description
    #expect(throws: RecordError.disclosureRefused("release \(id) was not yet signed on 2026-01-09 (signed 2026-01-10)")) { try attempt(2026, 1, 9) }
    #expect(throws: RecordError.disclosureRefused("release \(id) expired on 2026-06-30")) { try attempt(2026, 7, 1) }
    #expect(throws: RecordError.disclosureRefused("release \(id) authorizes disclosure to 'City Clinic', not to 'City Clinic East'")) {
      try attempt(2026, 3, 1, to: "City Clinic East")
    }
    // Disclosure 2 relied on it on 2026-06-30: a revocation cannot be dated before that.
    #expect(throws: RecordError.invalidDate("2026-03-01", "\(c.disclosureID(2)) relied on \(id) on 2026-06-30; a revocation cannot be dated before that")) {
      try f.records.revokeConsent(1, of: c, date: Day(year: 2026, month: 3, day: 1)!, reason: "r", author: "t", now: 6)
    }
    (c, _) = try f.records.revokeConsent(1, of: c, date: Day(year: 2026, month: 6, day: 30)!, reason: "r", author: "t", now: 6)
    #expect(try attempt(2026, 6, 29).number == 3, "before the revocation it was valid")
    #expect(throws: RecordError.disclosureRefused("release \(id) was revoked on 2026-06-30")) { try attempt(2026, 6, 30) }
    #expect(throws: RecordError.alreadyRevoked(id, on: Day(year: 2026, month: 6, day: 30)!)) {
      try f.records.revokeConsent(1, of: c, date: Day(year: 2026, month: 7, day: 2)!, reason: "again", author: "t", now: 7)
    }
  }
}
