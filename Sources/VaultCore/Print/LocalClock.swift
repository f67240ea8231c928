import Foundation

/// Times as a client reads them: in the practice's time zone (`vault practice set --time-zone`),
/// spelled out ("30 Nov 2026, 14:05 CST"), never raw UTC. Dates without a time stay as they are
/// stored: a session date is the practice's calendar day.
struct LocalClock {
  private let formatter = DateFormatter()
  private let dayFormatter = DateFormatter()
  /// The zone the times are in: the one asked for, or UTC when it is empty or this system lacks it.
  let zoneName: String

  /// A clock for `timeZone` (an IANA name; empty or unknown here: UTC).
  init(timeZone: String) {
    let known = timeZone.isEmpty ? nil : TimeZone(identifier: timeZone)
    zoneName = known == nil ? "UTC" : timeZone
    let zone = known ?? .gmt
    for f in [formatter, dayFormatter] {
      f.locale = Locale(identifier: "en_US_POSIX")
      f.timeZone = zone
      f.calendar = Calendar(identifier: .gregorian)
    }
    formatter.dateFormat = "d MMM yyyy, HH:mm zzz"
    dayFormatter.dateFormat = "d MMM yyyy"
    dayFormatter.timeZone = TimeZone(identifier: "UTC")
  }

  /// Whether `name` is a time zone this system knows ("America/Chicago", "UTC").
  static func isKnown(_ name: String) -> Bool { TimeZone(identifier: name) != nil }

  /// An RFC 3339 time as written in the log and exports, in the practice's zone.
  func time(_ rfc3339: String) -> String {
    guard let date = LogEntry.parse(rfc3339) else { return rfc3339 }
    return formatter.string(from: date)
  }

  /// Seconds since 1970 in the practice's zone.
  func time(seconds: Int64) -> String { formatter.string(from: Date(timeIntervalSince1970: Double(seconds))) }

  /// A calendar date in words ("1 Apr 1990").
  func day(_ day: Day) -> String { dayFormatter.string(from: Date(timeIntervalSince1970: Double(day.daysSinceEpoch) * 86_400)) }

  /// A stored date ("2026-04-01") in words; anything else as it is.
  func day(_ text: String) -> String {
    guard text.first?.isASCIIDigit == true, let d = try? Day.parse(text) else { return text }
    return day(d)
  }
}
