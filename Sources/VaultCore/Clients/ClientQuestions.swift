/// The questions `vault client add` asks on a terminal, in order, each with the check its answer
/// must pass before the next is asked. A refused answer comes back with the reason and the
/// expected form, and the same question is asked again: a mistyped date never loses what was
/// typed before it. The whole record is still validated before it is written.
public struct ClientQuestion: Sendable {
  /// What a question fills in.
  public enum Field: Sendable, CaseIterable {
    case legalName, preferredName, dateOfBirth, phone, email, address, emergencyContact, startDate
  }

  /// The field it fills in.
  public let field: Field
  /// The prompt, e.g. "Date of birth, YYYY-MM-DD (optional)".
  public let prompt: String

  /// Every question, in the order asked.
  public static let all: [ClientQuestion] = [
    .init(field: .legalName, prompt: "Legal name"),
    .init(field: .preferredName, prompt: "Preferred name (optional)"),
    .init(field: .dateOfBirth, prompt: "Date of birth, YYYY-MM-DD (optional)"),
    .init(field: .phone, prompt: "Phone (optional)"),
    .init(field: .email, prompt: "E-mail (optional)"),
    .init(field: .address, prompt: "Address (optional)"),
    .init(field: .emergencyContact, prompt: "Emergency contact (optional)"),
    .init(field: .startDate, prompt: "Start date, YYYY-MM-DD (default today)"),
  ]

  /// Whether `change` already holds this field (given as an option), so it is not asked.
  public func isAnswered(by change: ClientRecordChange) -> Bool {
    switch field {
    case .legalName: change.legalName != nil
    case .preferredName: change.preferredName != nil
    case .dateOfBirth: change.dateOfBirth != nil
    case .phone: change.phone != nil
    case .email: change.email != nil
    case .address: change.address != nil
    case .emergencyContact: change.emergencyContact != nil
    case .startDate: change.startDate != nil
    }
  }

  /// Checks `answer` (an empty one skips an optional field) against the answers so far in
  /// `change`, and stores it there.
  /// - Throws: `RecordError` saying what is wrong and what is expected; `change` is unchanged.
  public func accept(_ answer: String, into change: inout ClientRecordChange, today: Day = .today()) throws(RecordError) {
    let text = answer.trimmingSpaces()
    func textField(_ name: String) throws(RecordError) -> String? {
      guard !text.isEmpty else { return nil }
      try ClientRecord.checkText(text, field: name, required: false)
      return text
    }
    switch field {
    case .legalName:
      guard !text.isEmpty else { throw .invalidField("the legal name is required (the name on legal documents)") }
      try ClientRecord.checkText(text, field: "legal name", required: true)
      change.legalName = text
    case .preferredName: change.preferredName = try textField("preferred-name")
    case .phone: change.phone = try textField("phone")
    case .email: change.email = try textField("email")
    case .address: change.address = try textField("address")
    case .emergencyContact: change.emergencyContact = try textField("emergency-contact")
    case .dateOfBirth:
      guard !text.isEmpty else { return }
      let dob = try Day.parse(text, today: today)
      guard dob <= today else { throw .invalidDate(text, "the date of birth is in the future (today is \(today))") }
      if let start = change.startDate, dob > start { throw .invalidDate(text, "the date of birth is after the start date \(start)") }
      change.dateOfBirth = dob
    case .startDate:
      guard !text.isEmpty else { return }
      let start = try Day.parse(text, today: today)
      if let dob = change.dateOfBirth, start < dob { throw .invalidDate(text, "the start date is before the date of birth \(dob)") }
      change.startDate = start
    }
  }
}
