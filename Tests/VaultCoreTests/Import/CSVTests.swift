import Foundation
import Testing

@testable import VaultCore

/// The CSV reader of `vault import clients`, the plan it feeds, and the note files of `vault import notes`.
@Suite("import: CSV and note files")
struct CSVTests {
  static func parse(_ text: String) -> [CSV.Record] { CSV.parse(Array(text.utf8)[...]) }
  static let today = Day(year: 2026, month: 11, day: 30)!

  @Test("a file of more rows or blank lines than an import takes is refused after reading only the limit")
  func rowLimit() throws {
    #expect(CSV.parse(Array("a\n\n\nb\nc\n".utf8)[...], limit: 3).map(\.fields) == [["a"], [""], [""]])
    let blanks = Array("legal_name\n".utf8) + [UInt8](repeating: 0x0A, count: 2 * ImportLimits.maxRows + 5)
    #expect(throws: RecordError.self) { try ClientImportPlan(blanks, source: "b.csv", today: Self.today) }
    let fits = Array("legal_name\n".utf8) + [UInt8](repeating: 0x0A, count: ImportLimits.maxRows) + Array("Ann Lee\n".utf8)
    #expect(try ClientImportPlan(fits, source: "f.csv", today: Self.today).rows == 1)
  }

  @Test("quoted fields hold commas, doubled quotes and line breaks; CRLF and LF both end records")
  func quoting() {
    let r = Self.parse("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\nlast,,\n")
    #expect(r.map(\.fields) == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\nlines"], ["last", "", ""]])
    #expect(r.map(\.row) == [1, 2, 3])
    #expect(r.map(\.line) == [1, 2, 4])
    #expect(r.allSatisfy { $0.problem == nil })
  }

  @Test("quotes are bytes: a quote followed by a combining mark (one Character in Swift) is still a quote")
  func quoteAndCombiningMark() throws {
    // Tests/Fuzz/regressions/csv/quote-then-combining-mark: the csv target's own writer once
    // failed to double such a quote; the reader, working on bytes, always read it right.
    let r = Self.parse("\"a\"\"\u{05B2}b\",\"\u{05B2}\"\n")
    #expect(r.map(\.fields) == [["a\"\u{05B2}b", "\u{05B2}"]])
    #expect(r[0].problem == nil)
    let crash = try [UInt8](Data(contentsOf: FuzzRegressionTests.regressions.appendingPathComponent("csv/quote-then-combining-mark")))
    let records = CSV.parse(try CSV.utf8Text(crash, source: "crash"))
    #expect(records.count == 2 && records.allSatisfy { $0.problem == nil })
    #expect(records[1].fields[3] == "Acme, \"7\"\u{05B2}laao\nRay")
  }

  @Test("a trailing comma is one more empty field; no final line break is fine; a blank line is a blank record")
  func edges() {
    #expect(Self.parse("a,").map(\.fields) == [["a", ""]])
    #expect(Self.parse("a,b").map(\.fields) == [["a", "b"]])
    let blank = Self.parse("a\n\nb\n")
    #expect(blank.map(\.isBlank) == [false, true, false])
    #expect(blank.map(\.row) == [1, 2, 3])
    #expect(Self.parse("").isEmpty)
  }

  @Test("quoting mistakes are problems of their record only; the records after it are read")
  func badQuotes() {
    let r = Self.parse("a,b\nJo \"JJ\" Lee,1\n\"Ann\"x,2\nok,3\n\"never closed,4\nmore\n")
    #expect(r.count == 5)
    #expect(r[1].problem?.contains("does not start with one") == true)
    #expect(r[2].problem?.contains("after its closing quote") == true)
    #expect(r[3].problem == nil && r[3].fields == ["ok", "3"])
    #expect(r[4].problem?.contains("never closed") == true)
    #expect(r[4].line == 5)
  }

  @Test("a field over the limit is a problem and is not kept; too many fields too")
  func limits() {
    let long = String(repeating: "x", count: CSV.maxFieldBytes + 1)
    let r = Self.parse("a,b\n\(long),1\n")
    #expect(r[1].problem?.contains("longer than") == true)
    #expect(r[1].fields[0].isEmpty)
    let wide = Self.parse(Array(repeating: "x", count: CSV.maxFields + 5).joined(separator: ","))
    #expect(wide[0].fields.count == CSV.maxFields)
    #expect(wide[0].problem?.contains("more than") == true)
  }

  @Test("encodings: a BOM is dropped; UTF-16, NUL bytes and bytes that are not UTF-8 are refused with the line")
  func encodings() throws {
    #expect(Array(try CSV.utf8Text([0xEF, 0xBB, 0xBF, 0x61], source: "f")) == [0x61])
    #expect(throws: RecordError.self) { try CSV.utf8Text([0xFF, 0xFE, 0x61, 0x00], source: "f") }
    #expect(throws: RecordError.self) { try CSV.utf8Text([0x61, 0x00, 0x62], source: "f") }
    do {
      _ = try CSV.utf8Text(Array("a\nb\n".utf8) + [0xE9, 0x0A], source: "f.csv")
      Issue.record("Latin-1 accepted")
    } catch {
      #expect(error.description.contains("line 3"), "\(error)")
    }
  }

  @Test("the header: unknown, duplicate and missing columns refuse the file; names are forgiving")
  func header() throws {
    func plan(_ text: String) throws -> ClientImportPlan { try ClientImportPlan(Array(text.utf8), source: "f.csv", today: Self.today) }
    #expect(try plan("Legal Name,DOB,Emergency-Contact,field:insurance\nAnn Lee,1990-01-01,Bo,Acme\n").accepted.count == 1)
    for bad in ["legal_name,colour\nAnn,red\n", "legal_name,phone,PHONE\nAnn,1,2\n", "phone\n1\n", "", "\n\n", "legal_name\n", "legal_name,field:bad name\nA,b\n"] {
      #expect(throws: RecordError.self, "\(bad.debugDescription)") { try plan(bad) }
    }
    do {
      _ = try plan("legal_name,colour\nAnn,red\n")
    } catch {
      #expect("\(error)".contains("'colour'") && "\(error)".contains("emergency_contact"), "\(error)")
    }
  }

  @Test("rows: every problem of every row is listed with its row, line and column; good rows become records")
  func rows() throws {
    let text = "legal_name,date_of_birth,start_date,phone,field:insurance\n"
      + "Ann Lee,1990-01-01,2020-01-01,555,Acme\n"  // row 2: fine
      + "Bob,04/01/1990,,,\n"  // row 3: bad date
      + ",1990-01-01,,,\n"  // row 4: no legal name
      + "\"Cy,1990-01-01\n"  // row 5: never closed (takes the rest)
    let plan = try ClientImportPlan(Array(text.utf8), source: "f.csv", today: Self.today)
    #expect(plan.rows == 4)
    #expect(plan.accepted.map(\.row) == [2])
    #expect(plan.accepted[0].record.fields == ["insurance": "Acme"])
    #expect(plan.accepted[0].record.startDate == Day(year: 2020, month: 1, day: 1))
    #expect(plan.refused.map(\.row) == [3, 4, 5])
    #expect(plan.refused.map(\.field) == ["date_of_birth", "legal_name", nil])
    #expect(plan.refused[0].message.contains("YYYY-MM-DD") && !plan.refused[0].message.contains("today"))
    // Whole-record rules: a birth after the start, a birth in the future, a row of the wrong width, a field too long.
    let more = "legal_name,date_of_birth,start_date,address\nA,2020-01-01,2019-01-01,\nB,2099-01-01,,\nC,1990-01-01\nD,,,\(String(repeating: "x", count: 1001))\n"
    let p2 = try ClientImportPlan(Array(more.utf8), source: "f.csv", today: Self.today)
    #expect(p2.accepted.isEmpty)
    #expect(p2.refused.count == 4)
    #expect(p2.refused[3].message.contains("longer than 1000 bytes"))
  }

  @Test("duplicates: an existing client or an earlier row with the same name (case, accents, spacing aside) and birth date")
  func duplicates() throws {
    let text = "legal_name,date_of_birth\nJosé  Lee,1990-01-01\njose lee,1990-01-01\nAnn,\nann,\nAnn,1991-01-01\n"
    var plan = try ClientImportPlan(Array(text.utf8), source: "f.csv", today: Self.today)
    var existing = ClientRecord(legalName: "ANN", startDate: Self.today)
    existing.dateOfBirth = Day(year: 1991, month: 1, day: 1)
    plan.refuseDuplicates(of: [(ClientCode(value: 7), existing)])
    #expect(plan.accepted.map(\.row) == [2, 4])
    #expect(plan.refused.map(\.row) == [3, 5, 6])
    #expect(plan.refused[0].message.contains("row 2"))
    #expect(plan.refused[2].message.contains(ClientCode(value: 7).description))
  }

  @Test("note files: front matter, or the file's name; every mistake refused with the key")
  func noteFiles() {
    func parse(_ text: String, name: String = "note.md") -> Result<NoteFile, NoteFile.Problem> {
      NoteFile.parse(Array(text.utf8), name: name, today: Self.today)
    }
    guard case .success(let n) = parse("---\nclient: \"Ann Lee\"\ndate: 2024-05-01\nkind: Intake\nduration: 1h30m\nsigned: yes\n---\n\nText.\n") else {
      Issue.record("front matter refused")
      return
    }
    #expect(n == NoteFile(client: "Ann Lee", date: Day(year: 2024, month: 5, day: 1)!, kind: .intake, minutes: 90, signed: true, text: "Text.\n", frontMatter: true))
    guard case .success(let m) = parse("Body\n", name: "k7f3-2q_2024-05-02_contact.txt") else {
      Issue.record("file name refused")
      return
    }
    #expect(m.client == "k7f3-2q" && m.kind == .contact && !m.signed && m.text == "Body\n" && !m.frontMatter)
    // Windows line ends, comments after values: the text keeps its own line ends.
    guard case .success(let w) = parse("---\r\nclient: K7F3-2Q   # Ann\r\ndate: 2024-05-01\r\n# a comment line\r\n---\r\n\r\nLine one.\r\nLine two.\r\n") else {
      Issue.record("CRLF front matter refused")
      return
    }
    #expect(w.client == "K7F3-2Q" && w.text == "Line one.\r\nLine two.\r\n")
    guard case .success(let e) = parse("---\nclient: A\ndate: 2024-05-01\n---") else {
      Issue.record("front matter without text refused by the parser (the import refuses the empty text)")
      return
    }
    #expect(e.text.isEmpty)
    let bad: [(String, String, String?)] = [
      ("---\nclient: A\ndate: 2024-05-01\n", "note.md", nil),  // never closed
      ("---\nclient: A\ndat: 2024-05-01\n---\nx", "note.md", "dat"),
      ("---\nclient: A\ndate: 2024-05-01\ndate: 2024-05-02\n---\nx", "note.md", "date"),
      ("---\ndate: 2024-05-01\n---\nx", "note.md", "client"),
      ("---\nclient: A\ndate: 05/01/2024\n---\nx", "note.md", "date"),
      ("---\nclient: A\ndate: 2024-05-01\nkind: chat\n---\nx", "note.md", "kind"),
      ("---\nclient: A\ndate: 2024-05-01\nminutes: 2000\n---\nx", "note.md", "minutes"),
      ("---\nclient: A\ndate: 2024-05-01\nsigned: maybe\n---\nx", "note.md", "signed"),
      ("text", "note.md", nil),
      ("text", "K7F3-2Q_2024-13-01.md", nil),
      ("text", "K7F3-2Q_2024-05-01_chat.md", nil),
    ]
    for (text, name, field) in bad {
      guard case .failure(let p) = parse(text, name: name) else {
        Issue.record("accepted: \(text.debugDescription) as \(name)")
        continue
      }
      #expect(p.field == field, "\(text.debugDescription): \(p)")
    }
    #expect(NewNote.minutes(parsing: "50") == 50 && NewNote.minutes(parsing: "1h30m") == 90 && NewNote.minutes(parsing: "0") == nil && NewNote.minutes(parsing: "99999999999") == nil)
  }
}
