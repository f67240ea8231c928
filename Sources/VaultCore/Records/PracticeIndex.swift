/// A blank form the practice registered: the current version of a consent kind.
public struct PracticeForm: Sendable, Equatable {
  /// The consent kind it is the form for.
  public var kind: ConsentKind
  /// The practice's version label ("2026-01", "v3").
  public var version: String
  /// The blank form's file (a vault-level document object).
  public var file: StoredFile
}

/// The practice as its clients see it: the letterhead of exports and printed pages, and the
/// time zone their times are shown in. Every field may be empty (not yet set).
public struct PracticeProfile: Sendable, Equatable, Codable {
  /// The practice's name ("Riverside Counseling").
  public var name = ""
  /// The postal address; may span lines.
  public var address = ""
  /// How clients reach the practice: phone, e-mail, web site; may span lines.
  public var contact = ""
  /// An IANA time zone ("America/Chicago"); empty means UTC.
  public var timeZone = ""

  /// An empty profile.
  public init() {}

  /// Whether nothing was set.
  public var isEmpty: Bool { self == PracticeProfile() }

  /// The limits `vault practice set` enforces and the decoder trusts.
  static let maxName = 200, maxText = 1000

  enum CodingKeys: String, CodingKey { case name, address, contact, timeZone }

  /// Absent keys are empty fields.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
    address = try c.decodeIfPresent(String.self, forKey: .address) ?? ""
    contact = try c.decodeIfPresent(String.self, forKey: .contact) ?? ""
    timeZone = try c.decodeIfPresent(String.self, forKey: .timeZone) ?? ""
  }

  /// Empty fields are left out, as everywhere in vault's JSON.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    for (key, value) in [(CodingKeys.name, name), (.address, address), (.contact, contact), (.timeZone, timeZone)] where !value.isEmpty {
      try c.encode(value, forKey: key)
    }
  }
}

/// The plaintext of the practice index object (type 5, FORMAT.md §8.3): everything the practice
/// keeps that belongs to no client. The index names it with the all-zero client id, and it is
/// encrypted under the vault-object key.
public struct PracticeIndex: Sendable, Equatable {
  /// Every form ever registered, oldest first; the last of each kind is current.
  public var forms: [PracticeForm]
  /// The practice's name, address, contact and time zone (index version 2).
  public var profile: PracticeProfile

  /// An index holding `forms` and `profile`.
  public init(forms: [PracticeForm] = [], profile: PracticeProfile = PracticeProfile()) {
    self.forms = forms
    self.profile = profile
  }

  /// The current form of each kind that has one.
  public var currentForms: [ConsentKind: PracticeForm] {
    var out: [ConsentKind: PracticeForm] = [:]
    for f in forms { out[f.kind] = f }
    return out
  }

  /// Version 1 holds forms only; version 2 adds the profile after them. An index without a
  /// profile is still written as version 1, so releases before the profile read it.
  static let versions: ClosedRange<UInt8> = 1...2

  /// The encoded plaintext.
  public func encoded() -> [UInt8] {
    var w = ByteWriter()
    w.write(UInt8(profile.isEmpty ? 1 : 2))
    w.write(UInt32(forms.count))
    for f in forms {
      w.write(f.kind.rawValue)
      w.writeString(f.version)
      w.write(f.file)
    }
    if !profile.isEmpty {
      for field in [profile.name, profile.address, profile.contact, profile.timeZone] { w.writeString(field) }
    }
    return w.bytes
  }

  /// Parses and validates the plaintext of a practice index object.
  public static func decode(_ bytes: [UInt8]) throws(FormatError) -> PracticeIndex {
    var r = ByteReader(bytes)
    let version = try r.readUInt8()
    guard Self.versions.contains(version) else { throw .invalidField("practice index version \(version) is not supported") }
    let count = Int(try r.readUInt32())
    guard count <= r.remaining / 57 else { throw .invalidField("a count is larger than the data holds") }
    var forms: [PracticeForm] = []
    for _ in 0..<count {
      let raw = try r.readUInt8()
      guard let kind = ConsentKind(rawValue: raw) else { throw .invalidField("unknown consent kind \(raw)") }
      let label = try r.readString(maxBytes: ClientIndex.maxAuthor)
      forms.append(PracticeForm(kind: kind, version: label, file: try r.readStoredFile()))
    }
    var profile = PracticeProfile()
    if version == 2 {
      profile.name = try r.readString(maxBytes: PracticeProfile.maxName)
      profile.address = try r.readString(maxBytes: PracticeProfile.maxText)
      profile.contact = try r.readString(maxBytes: PracticeProfile.maxText)
      profile.timeZone = try r.readString(maxBytes: PracticeProfile.maxName)
      // Version 2 exists only to carry a profile: an empty one would not round-trip.
      guard !profile.isEmpty else { throw .invalidField("practice index version 2 has an empty profile") }
    }
    try r.expectEnd()
    return PracticeIndex(forms: forms, profile: profile)
  }
}
