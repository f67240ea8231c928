// Records/ owns what a practice keeps: clients, their record versions, session notes and
// addenda (FORMAT.md §8.2). It builds on Storage, Keys and Index and knows nothing of the CLI.
#if canImport(Glibc)
  import Glibc
#endif

/// A calendar date without time or zone (a session date, a birth date), stored as days since
/// 1970-01-01 in the proleptic Gregorian calendar.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
  /// Days since 1970-01-01 (negative before it).
  public let daysSinceEpoch: Int32

  /// The earliest date vault accepts anywhere; earlier ones are typos.
  public static let earliest = Day(unchecked: 1900, 1, 1)

  /// A date from its days since 1970-01-01.
  public init(daysSinceEpoch: Int32) { self.daysSinceEpoch = daysSinceEpoch }

  /// A valid date, or nil (2026-02-30 is nil).
  public init?(year: Int, month: Int, day: Int) {
    guard (1...9999).contains(year), (1...12).contains(month), (1...Self.daysIn(month, of: year)).contains(day) else { return nil }
    self.init(unchecked: year, month, day)
  }

  private init(unchecked y: Int, _ m: Int, _ d: Int) {
    // Howard Hinnant's days_from_civil: exact for every Gregorian date.
    let y = m <= 2 ? y - 1 : y
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    daysSinceEpoch = Int32(era * 146_097 + doe - 719_468)
  }

  /// (year, month, day).
  public var components: (year: Int, month: Int, day: Int) {
    let z = Int(daysSinceEpoch) + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
  }

  /// ISO 8601, "2026-11-25".
  public var description: String {
    let c = components
    func pad(_ v: Int, _ n: Int) -> String { String(repeating: "0", count: max(0, n - String(v).count)) + String(v) }
    return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
  }

  /// The date `n` days later (earlier if negative).
  public func adding(days n: Int) -> Day { Day(daysSinceEpoch: daysSinceEpoch + Int32(n)) }

  /// Today in the local time zone (TZ), which is the date a counselor means by "today".
  public static func today() -> Day {
    var t = time(nil)
    var parts = tm()
    localtime_r(&t, &parts)
    return Day(unchecked: Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
  }

  /// Parses "YYYY-MM-DD", "today" or "yesterday".
  /// - Throws: `RecordError.invalidDate` naming the problem (bad shape, no such day).
  public static func parse(_ text: String, today: Day = .today()) throws(RecordError) -> Day {
    let t = text.trimmingSpaces().lowercased()
    if t == "today" { return today }
    if t == "yesterday" { return today.adding(days: -1) }
    let parts = t.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
      let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
    else { throw .invalidDate(text, "write dates as YYYY-MM-DD, for example 2026-11-25, or 'today'") }
    guard let day = Day(year: y, month: m, day: d) else { throw .invalidDate(text, "there is no such day") }
    guard day >= earliest else { throw .invalidDate(text, "dates before 1900 are not accepted") }
    return day
  }

  public static func < (a: Day, b: Day) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

  /// Encoded as its ISO text in JSON.
  public init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    // Stored dates are always digits; "today" in a record would change meaning every day.
    do {
      guard text.first?.isASCIIDigit == true else { throw RecordError.invalidDate(text, "") }
      self = try Day.parse(text)
    } catch {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid date"))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(description)
  }

  private static func daysIn(_ month: Int, of year: Int) -> Int {
    switch month {
    case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }
}

extension Character {
  var isASCIIDigit: Bool { isASCII && isNumber }
}

extension StringProtocol {
  /// Without leading and trailing spaces, tabs and line breaks (no Foundation needed).
  func trimmingSpaces() -> String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0.isNewline }
    guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
    return String(self[start...end])
  }
}
