import Foundation

/// One version of a client's demographic record: the plaintext of a client record object
/// (type 2, FORMAT.md §8.2), as JSON. Every update writes a new version; none is overwritten.
public struct ClientRecord: Codable, Equatable, Sendable {
  /// The name on legal documents (required).
  public var legalName: String
  /// The name the client goes by.
  public var preferredName: String?
  /// Date of birth.
  public var dateOfBirth: Day?
  /// Phone number(s), as typed.
  public var phone: String?
  /// E-mail address.
  public var email: String?
  /// Postal address.
  public var address: String?
  /// Who to call in an emergency, and how.
  public var emergencyContact: String?
  /// First day of care.
  public var startDate: Day
  /// Set by discharge; the retention clock starts here.
  public var dischargeDate: Day?
  /// Why the record was closed.
  public var dischargeReason: String?
  /// Practice-specific fields ("insurance": "…", "referred-by": "…").
  public var fields: [String: String]

  /// A record with a legal name and start date; other fields empty.
  public init(legalName: String, startDate: Day) {
    self.legalName = legalName
    self.startDate = startDate
    fields = [:]
  }

  /// Longest text field, in bytes; a record is a page of details, not a document.
  public static let maxFieldBytes = 1000
  /// Most practice-specific fields one record may hold.
  public static let maxFields = 100

  /// The optional text fields by the name used on the command line and in JSON.
  public static var textFields: [(name: String, path: WritableKeyPath<ClientRecord, String?>)] { [
    ("preferred-name", \.preferredName), ("phone", \.phone), ("email", \.email), ("address", \.address),
    ("emergency-contact", \.emergencyContact), ("discharge-reason", \.dischargeReason),
  ] }

  /// Checks every field; the message names the field and what to do.
  public func validate(today: Day = .today()) throws(RecordError) {
    try Self.checkText(legalName, field: "legal name", required: true)
    for (name, path) in Self.textFields { if let v = self[keyPath: path] { try Self.checkText(v, field: name, required: false) } }
    if let dob = dateOfBirth {
      guard dob <= today else { throw .invalidField("date of birth \(dob) is in the future") }
      guard dob <= startDate else { throw .invalidField("the start date \(startDate) is before the date of birth \(dob)") }
    }
    if let end = dischargeDate, end < startDate {
      throw .invalidField("the discharge date \(end) is before the start date \(startDate)")
    }
    guard fields.count <= Self.maxFields else { throw .invalidField("a client record holds at most \(Self.maxFields) fields") }
    for (key, value) in fields {
      guard Self.isFieldName(key) else {
        throw .invalidField("field name '\(key)' must be 1 to 64 letters, digits, '-' or '_'")
      }
      try Self.checkText(value, field: "field '\(key)'", required: true)
    }
  }

  /// The names of the fields that differ from `old`, in a stable order.
  public func changes(from old: ClientRecord) -> [String] {
    // Bytes, not String equality: a change of Unicode normalisation is a change.
    func differ(_ a: String?, _ b: String?) -> Bool { a.map { Array($0.utf8) } != b.map { Array($0.utf8) } }
    var out: [String] = []
    if differ(legalName, old.legalName) { out.append("legal-name") }
    if dateOfBirth != old.dateOfBirth { out.append("date-of-birth") }
    if startDate != old.startDate { out.append("start-date") }
    if dischargeDate != old.dischargeDate { out.append("discharge-date") }
    for (name, path) in Self.textFields where differ(self[keyPath: path], old[keyPath: path]) { out.append(name) }
    for key in Set(fields.keys).union(old.fields.keys).sorted() where differ(fields[key], old.fields[key]) { out.append(key) }
    return out
  }

  /// The JSON plaintext (compact, keys sorted).
  public func encoded() throws -> [UInt8] {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Array(try e.encode(self))
  }

  /// Parses the JSON plaintext of a client record object.
  public static func decode(_ bytes: [UInt8]) throws -> ClientRecord {
    do { return try JSONDecoder().decode(ClientRecord.self, from: Data(bytes)) } catch {
      throw FormatError.invalidField("client record is not valid JSON for format 1")
    }
  }

  static func isFieldName(_ s: String) -> Bool {
    (1...64).contains(s.utf8.count) && s.utf8.allSatisfy { $0.isLetterOrDigit || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
  }

  /// Checks a text field: not empty when `required`, at most `maxBytes`, no control characters but line feed.
  public static func checkText(_ s: String, field: String, required: Bool, maxBytes: Int = maxFieldBytes) throws(RecordError) {
    if required, s.trimmingSpaces().isEmpty { throw .invalidField("the \(field) is empty") }
    guard s.utf8.count <= maxBytes else { throw .invalidField("the \(field) is longer than \(maxBytes) bytes") }
    // A stray escape sequence would rewrite the counselor's terminal when the record is shown.
    guard !s.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" }) else {
      throw .invalidField("the \(field) contains control characters")
    }
  }
}

extension UInt8 {
  fileprivate var isLetterOrDigit: Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
      || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
  }
}
