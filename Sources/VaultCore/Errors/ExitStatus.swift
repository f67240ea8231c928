/// The exit statuses vault documents (README, `vault --help`, docs/JSON.md); scripts branch on these.
public enum ExitStatus: Int32, Sendable {
  case success = 0
  case failure = 1
  case usage = 2
  case cannotUnlock = 3
  case locked = 4
  /// `vault consent check` found something that needs attention.
  case attention = 5
  /// The practitioner's role, or the client's assignment, does not allow it.
  case refused = 6
  case integrity = 10

  /// Thrown by a command that already printed its report (e.g. `verify`) and only needs the status.
  public struct Thrown: Error {
    /// The status to exit with.
    public let status: ExitStatus

    /// A status to exit with.
    public init(status: ExitStatus) { self.status = status }
  }
}

extension VaultError {
  /// The exit status for this error.
  public var exitStatus: ExitStatus {
    switch self {
    case .wrongPassphrase, .wrongRecoveryKey, .invalidRecoveryKey, .noPassphraseSource, .passphraseSourceFailed: .cannotUnlock
    case .lockedByAnotherProcess: .locked
    case .access(.roleRefused), .access(.notAssigned), .access(.ownerRequired): .refused
    case .integrity, .age(.headerFailure), .age(.payloadFailure), .htmlExport(.damaged): .integrity
    case .record(.namedTwice): .usage
    case .vaultNotFound, .vaultAlreadyExists, .directoryNotEmpty, .passphraseTooShort, .passphraseEmpty, .passphraseMismatch,
      .unsupportedFormat, .noSpace, .io, .notEnoughMemory, .internalError, .record, .backup, .access, .age, .htmlExport,
      .targetIsLink, .targetIsDirectory, .targetExists, .targetNotRegular, .targetAppeared, .noPrivateScratch, .editorFailed,
      .noSuchSlot, .whichSlot, .samePassphrase, .invalidLabel, .reservedLabel, .noAgeIdentity, .session:
      .failure
    }
  }

  /// A stable machine-readable name for `--json` errors.
  public var kind: String {
    switch self {
    case .vaultNotFound: "vaultNotFound"
    case .vaultAlreadyExists: "vaultAlreadyExists"
    case .directoryNotEmpty: "directoryNotEmpty"
    case .wrongPassphrase: "wrongPassphrase"
    case .wrongRecoveryKey: "wrongRecoveryKey"
    case .invalidRecoveryKey: "invalidRecoveryKey"
    case .passphraseTooShort: "passphraseTooShort"
    case .passphraseEmpty: "passphraseEmpty"
    case .passphraseMismatch: "passphraseMismatch"
    case .noPassphraseSource: "noPassphraseSource"
    case .passphraseSourceFailed: "passphraseSourceFailed"
    case .lockedByAnotherProcess: "locked"
    case .integrity: "integrity"
    case .unsupportedFormat: "unsupportedFormat"
    case .noSpace: "noSpace"
    case .io: "io"
    case .notEnoughMemory: "notEnoughMemory"
    case .internalError: "internalError"
    case .record(let e): e.kind
    case .backup(let e): e.kind
    case .access(let e): e.kind
    case .age(let e): e.kind
    case .htmlExport(let e): e.kind
    case .targetIsLink: "targetIsLink"
    case .targetIsDirectory: "targetIsDirectory"
    case .targetExists: "targetExists"
    case .targetNotRegular: "targetNotRegular"
    case .targetAppeared: "targetAppeared"
    case .noPrivateScratch: "noPrivateScratch"
    case .editorFailed: "editorFailed"
    case .noSuchSlot: "noSuchSlot"
    case .whichSlot: "whichSlot"
    case .samePassphrase: "samePassphrase"
    case .invalidLabel: "invalidLabel"
    case .reservedLabel: "reservedLabel"
    case .noAgeIdentity: "noAgeIdentity"
    case .session: "sessionUnavailable"
    }
  }
}

extension RecordError {
  /// A stable machine-readable name for `--json` errors.
  public var kind: String {
    switch self {
    case .clientNotFound: "clientNotFound"
    case .ambiguousClient: "ambiguousClient"
    case .noteNotFound: "noteNotFound"
    case .invalidNoteID: "invalidNoteID"
    case .invalidDate: "invalidDate"
    case .invalidField: "invalidField"
    case .noteSigned: "noteSigned"
    case .noteNotSigned: "noteNotSigned"
    case .alreadySigned: "alreadySigned"
    case .clientDischarged: "clientDischarged"
    case .clientActive: "clientActive"
    case .emptyNote: "emptyNote"
    case .notUTF8: "notUTF8"
    case .noteTooLarge: "noteTooLarge"
    case .nothingChanged: "nothingChanged"
    case .invalidItemID: "invalidID"
    case .itemNotFound: "notFound"
    case .unusableFile: "unusableFile"
    case .disclosureRefused: "disclosureRefused"
    case .alreadyRevoked: "alreadyRevoked"
    case .alreadyDischarged: "alreadyDischarged"
    case .noSuchVersion: "noSuchVersion"
    case .editConflict: "editConflict"
    case .namedTwice: "namedTwice"
    case .identityNotVerified: "identityNotVerified"
    case .exportPassphraseTooShort: "exportPassphraseTooShort"
    case .exportFormUnsuitable: "exportFormUnsuitable"
    case .exportNotPlaced: "exportNotPlaced"
    case .releaseIncomplete: "releaseIncomplete"
    case .releaseFieldsOnOtherKind: "releaseFieldsOnOtherKind"
    case .binaryToTerminal: "binaryToTerminal"
    case .importInvalid: "importInvalid"
    case .importRefused: "importRefused"
    }
  }
}

extension BackupError {
  /// A stable machine-readable name for `--json` errors.
  public var kind: String {
    switch self {
    case .notARepository: "notABackup"
    case .otherVault: "otherVaultsBackup"
    case .notWritable: "backupNotWritable"
    case .unknownSnapshot: "unknownSnapshot"
    case .noSnapshots: "noSnapshots"
    case .targetExists: "restoreTargetExists"
    case .emptyPolicy: "emptyRetentionPolicy"
    case .remote(.invalidLocation): "invalidBackupLocation"
    case .remote(.missingCredentials), .remote(.unreadableCredentials): "remoteCredentialsMissing"
    case .remote(.noSuchBucket): "noSuchBucket"
    }
  }
}

extension AccessError {
  /// A stable machine-readable name for `--json` errors.
  public var kind: String {
    switch self {
    case .notOpenedFor: "notOpenedFor"
    case .notUnlocked: "notUnlocked"
    case .roleRefused: "roleRefused"
    case .notAssigned: "notAssigned"
    case .ownerRequired: "ownerRequired"
    case .unknownPractitioner: "unknownPractitioner"
    case .practitionerExists: "practitionerExists"
    case .lastOwner: "lastOwner"
    case .unknownRole: "unknownRole"
    case .cannotAssign: "cannotAssign"
    case .alreadyAssigned: "alreadyAssigned"
    case .notAssignedTo: "notAssignedTo"
    case .tooManyEpochs: "tooManyEpochs"
    case .tooManyGrants: "tooManyGrants"
    case .notASupervisor: "notASupervisor"
    }
  }
}

extension HTMLExportError {
  /// A stable machine-readable name for `--json` errors.
  public var kind: String {
    switch self {
    case .wrongPassphrase: "htmlExportWrongPassphrase"
    case .damaged: "htmlExportDamaged"
    }
  }
}

extension AgeError {
  /// A stable machine-readable name for `--json` errors.
  public var kind: String {
    switch self {
    case .noMatch: "ageNoMatch"
    case .hmacFailure: "ageHeaderModified"
    case .headerFailure: "ageHeaderInvalid"
    case .payloadFailure: "agePayloadDamaged"
    case .invalidRecipient: "invalidRecipient"
    case .invalidIdentity: "invalidIdentity"
    }
  }
}
