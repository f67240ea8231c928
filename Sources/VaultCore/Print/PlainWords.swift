import Foundation

/// The words a client reads for the names vault uses internally: `release-of-information` is
/// "Release of information", `disclosures-read` is "Viewed the accounting of disclosures". Pages
/// for clients and printed pages use these; JSON and the command line keep the stable names.
enum PlainWords {
  /// A note kind as a heading word ("Progress note").
  static func noteKind(_ name: String) -> String {
    switch NoteKind(name: name) {
    case .progress: "Progress note"
    case .intake: "Intake assessment"
    case .contact: "Contact note (call or message)"
    case .termination: "Closing summary"
    case .psychotherapy: "Psychotherapy note"
    case nil: name
    }
  }

  /// A consent kind as a document title ("Release of information").
  static func consentKind(_ name: String) -> String {
    switch ConsentKind(name: name) {
    case .informedConsent: "Informed consent to treatment"
    case .privacyNoticeAcknowledgement: "Acknowledgement of the privacy notice"
    case .telehealthConsent: "Consent to telehealth"
    case .releaseOfInformation: "Release of information"
    case .financial: "Financial agreement"
    case .other: "Other document"
    case nil: name
    }
  }

  /// A consent's status on the day of the page ("In effect").
  static func consentStatus(_ name: String) -> String {
    switch name {
    case "valid": "In effect"
    case "expired": "Expired"
    case "revoked": "Revoked"
    case "not yet signed": "Not yet signed"
    default: name
    }
  }

  /// The legal basis of a disclosure, as the reason it was made ("At your request").
  static func disclosureBasis(_ name: String) -> String {
    switch DisclosureBasis(name: name) {
    case .authorization: "With your written authorization"
    case .dutyToWarn: "Duty to warn (a serious threat to someone's safety)"
    case .mandatedReport: "A report the law requires"
    case .courtOrder: "A court order"
    case .emergency: "A medical emergency"
    case .treatment: "For your treatment"
    case .payment: "For payment"
    case .operations: "For the practice's operations"
    case .clientRequest: "At your request"
    case nil: name
    }
  }

  /// What an access-log entry did, as a sentence start ("Viewed your details").
  static func action(_ name: String) -> String {
    switch Action(rawValue: name) {
    case .clientAdd: "Opened your record"
    case .clientUpdate: "Updated your details"
    case .clientDischarge: "Recorded the end of care"
    case .clientShow: "Viewed your details"
    case .clientList: "Listed clients"
    case .clientLookup: "Looked up your name"
    case .clientSummary: "Printed a summary of your record"
    case .clientImport: "Brought your record in from another system"
    case .noteAdd: "Wrote a session note"
    case .noteEdit: "Edited a draft note"
    case .noteSign: "Signed a session note"
    case .noteAmend: "Added an addendum to a note"
    case .noteShow: "Read a session note"
    case .notePrint: "Printed a session note"
    case .noteList: "Listed your session notes"
    case .noteReadAll: "Read every note (practice-wide export)"
    case .search: "Searched notes (results included yours)"
    case .consentAdd: "Stored a signed document"
    case .consentGet: "Opened a stored document"
    case .consentRevoke: "Recorded a revocation"
    case .consentList: "Listed your documents"
    case .consentShow: "Viewed a document's details"
    case .consentCheck: "Checked consents"
    case .disclosure: "Recorded a disclosure"
    case .disclosuresRead: "Viewed the accounting of disclosures"
    case .exportRequest: "Recorded your request for your record"
    case .exportPending: "Checked open record requests"
    case .export: "Made a copy of your record for you"
    case .clientAssign: "Assigned a clinician to you"
    case .clientUnassign: "Removed a clinician's access"
    case .emergencyAccess: "Opened your record in an emergency"
    case .formAdd, .formList, .practiceSet, .practiceShow, .info, .verify, .logHead, .logRead, .logVerify, .backup, .keyChange, .unlockFailed,
      .recoveryRotate, .practitionerAdd, .practitionerList, .practitionerRemove, .practitionerRename, .practitionerSupervise, .sessionStart,
      .sessionEnd, nil:
      name
    }
  }

  /// A log entry's detail with the consent kinds and disclosure bases it names in plain words
  /// ("C1 release-of-information, 17 B" reads "C1 release of information, 17 B").
  static func detail(_ text: String) -> String {
    var out = text
    for kind in ConsentKind.allCases where out.contains(kind.description) {
      out = out.replacingOccurrences(of: kind.description, with: consentKind(kind.description).lowercased())
    }
    for basis in DisclosureBasis.allCases where basis.description.contains("-") && out.contains(basis.description) {
      out = out.replacingOccurrences(of: basis.description, with: basis.description.replacingOccurrences(of: "-", with: " "))
    }
    return out
  }
}
