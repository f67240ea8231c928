import Foundation
import Testing
import VaultCore

/// Session and birth dates: what `Day.parse` accepts, and that every representation round-trips.
@Suite("day")
struct DayTests {
  /// A fixed "today" so relative dates do not depend on the clock.
  static let today = Day(year: 2026, month: 3, day: 1)!

  static func parse(_ text: String) throws -> Day { try Day.parse(text, today: today) }

  @Test("a well-formed date parses to its components")
  func parsesValid() throws {
    let d = try Self.parse("2026-11-25")
    #expect(d.components == (2026, 11, 25))
    #expect(try Self.parse("1970-01-01").daysSinceEpoch == 0)
    #expect(try Self.parse("1969-12-31").daysSinceEpoch == -1)
    #expect(try Self.parse("1900-01-01") == Day.earliest)
    // People paste dates with surrounding whitespace from other tools.
    #expect(try Self.parse("  2026-11-25\n") == d)
  }

  @Test("leap days exist only in leap years, including the century rules")
  func leapDays() throws {
    #expect(try Self.parse("2024-02-29").components == (2024, 2, 29))
    #expect(try Self.parse("2000-02-29").components == (2000, 2, 29))
    for text in ["2026-02-29", "1900-02-29", "2100-02-29", "2026-02-30", "2026-04-31"] {
      #expect(throws: RecordError.invalidDate(text, "there is no such day"), "\(text)") { try Self.parse(text) }
    }
  }

  @Test("badly shaped text is rejected as a shape error", arguments: [
    "25/11/2026", "2026-1-5", "", "2026-11", "2026-11-25-1", "2026/11/25", "20261125", "２０２６-11-25", "+026-11-25", "2026-1a-01",
  ])
  func shapeErrors(_ text: String) {
    #expect(throws: RecordError.invalidDate(text, "write dates as YYYY-MM-DD, for example 2026-11-25, or 'today'")) {
      try Self.parse(text)
    }
  }

  @Test("a month or day out of range is no such day")
  func outOfRange() {
    for text in ["2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32"] {
      #expect(throws: RecordError.invalidDate(text, "there is no such day"), "\(text)") { try Self.parse(text) }
    }
  }

  @Test("dates before 1900 are typos and refused")
  func before1900() {
    #expect(throws: RecordError.invalidDate("1899-12-31", "dates before 1900 are not accepted")) { try Self.parse("1899-12-31") }
    #expect(throws: RecordError.invalidDate("0001-01-01", "dates before 1900 are not accepted")) { try Self.parse("0001-01-01") }
  }

  @Test("today and yesterday are relative to the given today, in any case")
  func relative() throws {
    #expect(try Self.parse("today") == Self.today)
    #expect(try Self.parse("TODAY") == Self.today)
    #expect(try Self.parse(" Yesterday ") == Day(year: 2026, month: 2, day: 28))
    // Across a year boundary the subtraction must still land on a real date.
    #expect(try Day.parse("yesterday", today: Day(year: 2025, month: 1, day: 1)!) == Day(year: 2024, month: 12, day: 31))
  }

  @Test("description and parse are inverses from 1900 to 2100")
  func descriptionRoundTrip() throws {
    let first = Day.earliest.daysSinceEpoch
    let last = Day(year: 2100, month: 12, day: 31)!.daysSinceEpoch
    var previous: Day?
    for n in stride(from: first, through: last, by: 1) {
      let day = Day(daysSinceEpoch: n)
      let text = day.description
      let back = try Self.parse(text)
      guard back == day else {
        Issue.record("\(n) → \(text) → \(back.daysSinceEpoch)")
        return
      }
      // Consecutive days must print in increasing order: a gap or repeat would mean a bad conversion.
      if let previous { #expect(previous.description < text, "\(previous) then \(text)") }
      previous = day
    }
  }

  @Test("components agree with init(year:month:day:) for every day of a few years")
  func componentsRoundTrip() {
    for year in [1900, 1999, 2000, 2024, 2026, 2100] {
      for month in 1...12 {
        for dayOfMonth in 1...31 {
          guard let d = Day(year: year, month: month, day: dayOfMonth) else { continue }
          #expect(d.components == (year, month, dayOfMonth))
        }
      }
    }
  }

  @Test("JSON holds a day as its YYYY-MM-DD text")
  func codable() throws {
    struct Box: Codable, Equatable { var d: Day }
    let box = Box(d: Day(year: 1905, month: 3, day: 7)!)
    let json = String(decoding: try JSONEncoder().encode(box), as: UTF8.self)
    #expect(json == #"{"d":"1905-03-07"}"#)
    #expect(try JSONDecoder().decode(Box.self, from: Data(json.utf8)) == box)
  }

  @Test("JSON with an impossible date does not decode")
  func codableRejects() {
    struct Box: Codable { var d: Day }
    for bad in [#"{"d":"2026-02-30"}"#, #"{"d":"1800-01-01"}"#, #"{"d":"11/25/2026"}"#, #"{"d":20261125}"#] {
      #expect(throws: (any Error).self, "\(bad)") { try JSONDecoder().decode(Box.self, from: Data(bad.utf8)) }
    }
  }
}
