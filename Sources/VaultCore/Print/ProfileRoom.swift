/// A change to the practice's profile: nil leaves a field as it is, "" (or []) clears it.
public struct PracticeProfileChange: Sendable {
  /// The practice's name.
  public var name: String?
  /// The postal address, one element per line.
  public var address: [String]?
  /// Phone, e-mail, web site: one element per line.
  public var contact: [String]?
  /// An IANA time zone name, or "" for UTC.
  public var timeZone: String?

  /// No change.
  public init() {}

  /// Whether it changes nothing.
  public var isEmpty: Bool { name == nil && address == nil && contact == nil && timeZone == nil }
}

/// The practice's profile: its name, address, contact and time zone, shown on every page a
/// client receives or a counselor prints (`vault practice set`, `vault practice show`).
public struct ProfileRoom {
  let practice: Practice

  /// The profile (empty fields when never set).
  public func show() throws -> PracticeProfile {
    try practice.access(.practiceShow) { .init(value: try practice.records.practice().profile) }
  }

  /// Applies `change` to the profile and stores it (owners only).
  public func set(_ change: PracticeProfileChange) throws -> PracticeProfile {
    try practice.access(.practiceSet) {
      var index = try practice.records.practice()
      let before = index.profile
      index.profile = try Self.applying(change, to: before)
      guard index.profile != before else { throw RecordError.nothingChanged("the practice profile already says that") }
      try practice.records.savePractice(index)
      let fields = [("name", \PracticeProfile.name), ("address", \.address), ("contact", \.contact), ("time zone", \.timeZone)]
      return .init(value: index.profile, detail: "changed: " + fields.filter { before[keyPath: $0.1] != index.profile[keyPath: $0.1] }.map(\.0).joined(separator: ", "))
    }
  }

  /// `profile` with `change` applied, every field checked.
  static func applying(_ change: PracticeProfileChange, to profile: PracticeProfile) throws(RecordError) -> PracticeProfile {
    var p = profile
    if let name = change.name {
      try ClientRecord.checkText(name, field: "practice name", required: false, maxBytes: PracticeProfile.maxName)
      guard !name.contains("\n") else { throw .invalidField("the practice name is one line") }
      p.name = name.trimmingSpaces()
    }
    func lines(_ items: [String], _ field: String) throws(RecordError) -> String {
      for line in items {
        guard !line.contains("\n") else { throw .invalidField("give each line of the \(field) as its own option") }
      }
      let text = items.map { $0.trimmingSpaces() }.filter { !$0.isEmpty }.joined(separator: "\n")
      try ClientRecord.checkText(text, field: field, required: false, maxBytes: PracticeProfile.maxText)
      return text
    }
    if let address = change.address { p.address = try lines(address, "address") }
    if let contact = change.contact { p.contact = try lines(contact, "contact") }
    if let zone = change.timeZone {
      let zone = zone.trimmingSpaces()
      guard zone.isEmpty || (zone.utf8.count <= PracticeProfile.maxName && LocalClock.isKnown(zone)) else {
        throw .invalidField("'\(zone)' is not a time zone this system knows; give an IANA name such as America/Chicago or Europe/Berlin (list: timedatectl list-timezones)")
      }
      p.timeZone = zone
    }
    return p
  }
}
