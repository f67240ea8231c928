/// Changes to a client's details, as a person gives them: nil leaves a field as it is, an empty
/// text clears an optional field (or one of the practice's own `fields`).
public struct ClientRecordChange: Sendable {
  public var legalName: String?
  public var preferredName: String?
  public var dateOfBirth: Day?
  public var phone: String?
  public var email: String?
  public var address: String?
  public var emergencyContact: String?
  public var startDate: Day?
  /// The practice's own fields, by name.
  public var fields: [String: String] = [:]

  /// No change yet.
  public init() {}

  /// True when nothing would change.
  public var isEmpty: Bool {
    legalName == nil && preferredName == nil && dateOfBirth == nil && phone == nil && email == nil && address == nil
      && emergencyContact == nil && startDate == nil && fields.isEmpty
  }

  /// Applies the change to `r`.
  public func apply(to r: inout ClientRecord) {
    if let legalName { r.legalName = legalName }
    func set(_ path: WritableKeyPath<ClientRecord, String?>, _ value: String?) {
      if let value { r[keyPath: path] = value.isEmpty ? nil : value }
    }
    set(\.preferredName, preferredName)
    set(\.phone, phone)
    set(\.email, email)
    set(\.address, address)
    set(\.emergencyContact, emergencyContact)
    if let dateOfBirth { r.dateOfBirth = dateOfBirth }
    if let startDate { r.startDate = startDate }
    for (key, value) in fields { r.fields[key] = value.isEmpty ? nil : value }
  }
}
