/// Every kind of access to practice data, by the name the access log records (FORMAT.md §9).
///
/// An action that is not in this list cannot be performed: the door takes only these.
public enum Action: String, Sendable, CaseIterable {
  case clientAdd = "client-add", clientUpdate = "client-update", clientDischarge = "client-discharge"
  case clientShow = "client-show", clientList = "client-list", clientLookup = "client-lookup"
  case noteAdd = "note-add", noteEdit = "note-edit", noteSign = "note-sign", noteAmend = "note-amend"
  case noteShow = "note-show", noteList = "note-list", search, noteReadAll = "note-read-all"
  case consentAdd = "consent-add", consentGet = "consent-get", consentRevoke = "consent-revoke"
  case consentList = "consent-list", consentShow = "consent-show", consentCheck = "consent-check"
  case formAdd = "form-add", formList = "form-list", practiceSet = "practice-set", practiceShow = "practice-show"
  case notePrint = "note-print", clientSummary = "client-summary"
  case disclosure, disclosuresRead = "disclosures-read"
  case exportRequest = "export-request", exportPending = "export-pending", export
  case clientImport = "client-import"
  case info, verify, logHead = "log-head", logRead = "log-read", logVerify = "log-verify"
  case backup, keyChange = "key-change", unlockFailed = "unlock-failed", recoveryRotate = "recovery-rotate"
  case practitionerAdd = "practitioner-add", practitionerList = "practitioner-list", practitionerRemove = "practitioner-remove"
  case practitionerRename = "practitioner-rename", practitionerSupervise = "practitioner-supervise"
  case clientAssign = "client-assign", clientUnassign = "client-unassign", emergencyAccess = "emergency-access"
  case sessionStart = "session-start", sessionEnd = "session-end"

  /// The least a practice must have been opened with to perform this action.
  public var mode: Practice.Mode {
    switch self {
    case .info, .verify, .logHead, .backup, .unlockFailed, .sessionEnd: .keyless
    case .clientShow, .clientList, .clientLookup, .noteShow, .noteList, .search, .noteReadAll, .consentGet, .consentList, .consentShow,
      .consentCheck, .formList, .practiceShow, .notePrint, .clientSummary, .disclosuresRead, .exportPending, .logRead, .logVerify, .practitionerList, .sessionStart:
      .read
    case .clientAdd, .clientUpdate, .clientDischarge, .noteAdd, .noteEdit, .noteSign, .noteAmend, .consentAdd, .consentRevoke,
      .formAdd, .practiceSet, .disclosure, .exportRequest, .export, .clientImport, .keyChange, .recoveryRotate, .practitionerAdd, .practitionerRemove,
      .practitionerRename, .practitionerSupervise, .clientAssign, .clientUnassign, .emergencyAccess:
      .write
    }
  }
}
