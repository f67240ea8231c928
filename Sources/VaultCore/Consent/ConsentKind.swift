/// What a consent document is. The raw values are format 1 (FORMAT.md §8.2).
public enum ConsentKind: UInt8, NamedValue {
  /// Informed consent to treatment.
  case informedConsent = 1
  /// Acknowledgement of the notice of privacy practices (HIPAA 164.520).
  case privacyNoticeAcknowledgement = 2
  /// Consent to telehealth sessions.
  case telehealthConsent = 3
  /// An authorization to disclose information to a named recipient (HIPAA 164.508).
  case releaseOfInformation = 4
  /// Fees, payment and cancellation policy.
  case financial = 5
  /// Anything else the practice keeps signed.
  case other = 6

  /// The name used on the command line and in JSON.
  public var description: String {
    switch self {
    case .informedConsent: "informed-consent"
    case .privacyNoticeAcknowledgement: "privacy-notice-acknowledgement"
    case .telehealthConsent: "telehealth-consent"
    case .releaseOfInformation: "release-of-information"
    case .financial: "financial"
    case .other: "other"
    }
  }


  /// Kinds that every active client needs once the practice has registered a form for them;
  /// releases and "other" documents are per occasion, never missing.
  public var isStanding: Bool { self != .releaseOfInformation && self != .other }

}

/// Why information was disclosed (HIPAA 164.528 "purpose or basis"). The raw values are format 1.
public enum DisclosureBasis: UInt8, NamedValue {
  /// Under a release of information the client signed (164.508).
  case authorization = 1
  /// To protect an identifiable person from a serious threat (Tarasoff).
  case dutyToWarn = 2
  /// A mandated report (child or elder abuse).
  case mandatedReport = 3
  /// Required by a court order or subpoena.
  case courtOrder = 4
  /// To prevent or lessen an imminent threat in an emergency.
  case emergency = 5
  /// For treatment.
  case treatment = 6
  /// For payment.
  case payment = 7
  /// For health care operations.
  case operations = 8
  /// To the client, at their request (164.524).
  case clientRequest = 9

  /// The name used on the command line and in JSON.
  public var description: String {
    switch self {
    case .authorization: "authorization"
    case .dutyToWarn: "duty-to-warn"
    case .mandatedReport: "mandated-report"
    case .courtOrder: "court-order"
    case .emergency: "emergency"
    case .treatment: "treatment"
    case .payment: "payment"
    case .operations: "operations"
    case .clientRequest: "client-request"
    }
  }


  /// Disclosures made under the limits of confidentiality, without the client's authorization:
  /// they need a reason and are flagged in the accounting.
  public var isLimitOfConfidentiality: Bool { [.dutyToWarn, .mandatedReport, .courtOrder, .emergency].contains(self) }

}
