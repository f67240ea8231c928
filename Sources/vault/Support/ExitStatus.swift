import VaultCore

/// The exit statuses vault documents (README, `vault --help`); scripts branch on these.
enum ExitStatus: Int32 {
  case success = 0
  case failure = 1
  case usage = 2
  case cannotUnlock = 3
  case locked = 4
  /// `vault consent check` found something that needs attention.
  case attention = 5
  case integrity = 10

  /// Thrown by a command that already printed its report (e.g. `verify`) and only needs the status.
  struct Thrown: Error { let status: ExitStatus }
}

extension VaultError {
  /// The exit status for this error.
  var exitStatus: ExitStatus {
    switch self {
    case .wrongPassphrase, .wrongRecoveryKey, .invalidRecoveryKey, .noPassphraseSource, .passphraseSourceFailed: .cannotUnlock
    case .lockedByAnotherProcess: .locked
    case .integrity: .integrity
    default: .failure
    }
  }

  /// A stable machine-readable name for `--json` errors.
  var kind: String {
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
    case .invalidArgument: "invalidArgument"
    case .record(let e): e.kind
    case .backup: "backup"
    }
  }
}

extension RecordError {
  /// A stable machine-readable name for `--json` errors.
  var kind: String {
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
    }
  }
}
