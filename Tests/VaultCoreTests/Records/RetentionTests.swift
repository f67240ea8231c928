import Foundation
import Testing
import VaultCore

/// Which snapshots prune keeps, on synthetic snapshot dates.
@Suite("backup retention")
struct RetentionTests {
  static func snapshot(_ time: String) -> Snapshot {
    Snapshot(id: time, time: time, vault: "", logCount: 0, logHead: "", files: [], objectList: "", objectCount: 0)
  }

  // Two a day for 60 days from 2026-01-01, plus one in each of 2024 and 2025.
  static let history: [Snapshot] = {
    var out = [snapshot("2024-06-01T03:00:00Z"), snapshot("2025-06-01T03:00:00Z")]
    for day in 0..<60 {
      let d = Date(timeIntervalSince1970: 1_767_225_600 + Double(day) * 86_400)  // 2026-01-01
      for hour in [3, 15] { out.append(snapshot(LogEntry.format(d.addingTimeInterval(Double(hour) * 3600)))) }
    }
    return out
  }()

  @Test("each rule keeps the newest snapshot of its last N periods; rules add up")
  func rules() {
    let daily = RetentionPolicy(daily: 3).keep(Self.history)
    #expect(daily.keys.sorted() == ["2026-02-27T15:00:00Z", "2026-02-28T15:00:00Z", "2026-03-01T15:00:00Z"])
    let monthly = RetentionPolicy(monthly: 2).keep(Self.history)
    #expect(monthly.keys.sorted() == ["2026-02-28T15:00:00Z", "2026-03-01T15:00:00Z"])
    let yearly = RetentionPolicy(yearly: 5).keep(Self.history)
    #expect(yearly.keys.sorted() == ["2024-06-01T03:00:00Z", "2025-06-01T03:00:00Z", "2026-03-01T15:00:00Z"])
    let weekly = RetentionPolicy(weekly: 2).keep(Self.history)
    // 2026-03-01 is a Sunday: the ISO week of 02-23…03-01, then 02-16…02-22.
    #expect(weekly.keys.sorted() == ["2026-02-22T15:00:00Z", "2026-03-01T15:00:00Z"])
    let all = RetentionPolicy(daily: 1, weekly: 2, monthly: 2, yearly: 5).keep(Self.history)
    #expect(all["2026-03-01T15:00:00Z"]?.sorted() == ["daily", "monthly", "weekly", "yearly"])
    #expect(all.count == 5)
    #expect(RetentionPolicy().isEmpty && RetentionPolicy().keep(Self.history).isEmpty)
  }
}
