// Backup/ copies a vault into a backup repository and back (FORMAT.md §16). It needs no key:
// everything it copies is already encrypted, and it checks content against names as it goes.
import Foundation

/// One snapshot: the vault's small files and every object it held, at one moment.
public struct Snapshot: Codable, Sendable, Equatable {
  /// "20261126T021500.123Z-1a2b3c4d": time to the millisecond first, so names sort by time.
  public var id: String
  /// When it was taken (RFC 3339 UTC).
  public var time: String
  /// The vault it is a copy of (hex).
  public var vault: String
  /// Entries in the vault's access log when taken, and the chain value after the last one.
  public var logCount: UInt64
  /// The log's head then (hex); `vault log verify --against` requires the live log to contain it.
  public var logHead: String
  /// The vault's files other than objects: path relative to the vault → blob.
  public var files: [SnapshotFile]
  /// Every object the vault held (hex ids), in a manifest of revision 0; nil in revision 1.
  public var objects: [String]?
  /// Revision 1: the data entry listing every object id (32 bytes each, sorted), and their count.
  public var objectList: String?
  public var objectCount: Int?
  /// The manifest's revision (its header's last byte); not part of the JSON.
  public var revision: UInt8 = 1

  enum CodingKeys: String, CodingKey { case id, time, vault, logCount, logHead, files, objects, objectList, objectCount }

  /// The largest manifest a reader accepts: 32 MiB (revision 0 listed every object in it:
  /// about 450,000); a larger one is damage, refused before it is read.
  public static let maximumFileSize = 32 << 20
  /// The largest object list a reader accepts: 64 MiB, two million objects.
  static let maximumObjectListSize = 64 << 20

  /// A manifest of revision 1, its objects in the list `objectList`.
  public init(id: String, time: String, vault: String, logCount: UInt64, logHead: String, files: [SnapshotFile], objectList: String, objectCount: Int) {
    self.id = id
    self.time = time
    self.vault = vault
    self.logCount = logCount
    self.logHead = logHead
    self.files = files
    self.objectList = objectList
    self.objectCount = objectCount
  }

  /// How many objects the vault held.
  public var count: Int { objects?.count ?? objectCount ?? 0 }

  /// Two manifests are equal when their JSON is: the revision is the file's, not the snapshot's.
  public static func == (a: Snapshot, b: Snapshot) -> Bool {
    a.id == b.id && a.time == b.time && a.vault == b.vault && a.logCount == b.logCount && a.logHead == b.logHead && a.files == b.files
      && a.objects == b.objects && a.objectList == b.objectList && a.objectCount == b.objectCount
  }

  /// A file of the vault, stored as a data entry named by its BLAKE2b-256.
  public struct SnapshotFile: Codable, Sendable, Equatable {
    /// Path relative to the vault ("config", "slots/…", "log/entries").
    public var path: String
    /// The entry's id (hex BLAKE2b-256 of the content).
    public var blob: String
    /// Size in bytes.
    public var size: UInt64
  }

  /// The time as a date, for retention.
  public var date: Date? { LogEntry.parse(time) }
}

/// Which snapshots `vault backup prune` keeps: the newest snapshot of each of the last N days,
/// ISO weeks, months and years that have one (the rule restic's `forget` uses).
public struct RetentionPolicy: Sendable {
  /// How many days, weeks, months and years to keep one snapshot of.
  public var daily = 0, weekly = 0, monthly = 0, yearly = 0

  /// A policy.
  public init(daily: Int = 0, weekly: Int = 0, monthly: Int = 0, yearly: Int = 0) {
    self.daily = daily
    self.weekly = weekly
    self.monthly = monthly
    self.yearly = yearly
  }

  /// True when no rule keeps anything (prune refuses that: it would delete every snapshot).
  public var isEmpty: Bool { daily + weekly + monthly + yearly == 0 }

  /// The ids to keep, and why each is kept.
  public func keep(_ snapshots: [Snapshot], calendar: Calendar = Calendar(identifier: .iso8601)) -> [String: [String]] {
    // Newest first; ids break ties within a second (they carry milliseconds).
    let newest = snapshots.compactMap { s in s.date.map { (s, $0) } }.sorted { ($0.1, $0.0.id) > ($1.1, $1.0.id) }
    var reasons: [String: [String]] = [:]
    func apply(_ n: Int, _ name: String, _ bucket: (Date) -> String) {
      var seen = Set<String>()
      for (s, d) in newest where seen.count < n {
        let b = bucket(d)
        if seen.insert(b).inserted { reasons[s.id, default: []].append(name) }
      }
    }
    var utc = calendar
    utc.timeZone = TimeZone(identifier: "UTC")!
    func parts(_ d: Date, _ c: Set<Calendar.Component>) -> DateComponents { utc.dateComponents(c, from: d) }
    apply(daily, "daily") { let p = parts($0, [.year, .month, .day]); return "\(p.year!)-\(p.month!)-\(p.day!)" }
    apply(weekly, "weekly") { let p = parts($0, [.yearForWeekOfYear, .weekOfYear]); return "\(p.yearForWeekOfYear!)-W\(p.weekOfYear!)" }
    apply(monthly, "monthly") { let p = parts($0, [.year, .month]); return "\(p.year!)-\(p.month!)" }
    apply(yearly, "yearly") { "\(parts($0, [.year]).year!)" }
    return reasons
  }
}
