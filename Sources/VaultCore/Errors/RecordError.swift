/// Why a records operation was refused; every message says what to do instead.
public enum RecordError: Error, Equatable, Sendable {
  /// No client has this code or a name starting with this text.
  case clientNotFound(String)
  /// Several clients match a name prefix; their codes are listed.
  case ambiguousClient(String, matches: [ClientCode])
  /// The note id names no note.
  case noteNotFound(String)
  /// The text is not a note id ("K7F3-2Q.3").
  case invalidNoteID(String)
  /// A date could not be parsed, or is out of range.
  case invalidDate(String, String)
  /// A field value is not acceptable.
  case invalidField(String)
  /// The note is signed: it can never change; corrections are addenda.
  case noteSigned(String, signedOn: String, by: String)
  /// Only a signed note takes an addendum.
  case noteNotSigned(String)
  /// The note was already signed.
  case alreadySigned(String, signedOn: String, by: String)
  /// The client's record is closed.
  case clientDischarged(ClientCode, on: Day)
  /// The client was never discharged (for --reopen).
  case clientActive(ClientCode)
  /// The text is empty, or an unchanged template: nothing was saved.
  case emptyNote(String)
  /// The text is not UTF-8.
  case notUTF8(source: String, offset: Int)
  /// The text is larger than a note may be.
  case noteTooLarge(source: String, limit: Int)
  /// Nothing in the update differs from the current record.
  case nothingChanged(String)
  /// The text is not a consent or disclosure id.
  case invalidItemID(String, example: String)
  /// No consent or disclosure has this id.
  case itemNotFound(String)
  /// A file to store could not be used (missing, a directory, unreadable, changed while read).
  case unusableFile(path: String, why: String)
  /// A disclosure was refused; the message says why.
  case disclosureRefused(String)
  /// The consent was already revoked.
  case alreadyRevoked(String, on: Day)
  /// The client was already discharged.
  case alreadyDischarged(ClientCode, on: Day)
  /// A version number outside the versions there are.
  case noSuchVersion(String, versions: Int)
  /// Another version of the draft was saved while this one was edited.
  case editConflict(String, by: String, versions: Int, current: ObjectID)
  /// The same note was named twice in one command.
  case namedTwice(String)
  /// An export without a verified identity and without a reason.
  case identityNotVerified
  /// The export passphrase is shorter than the minimum.
  case exportPassphraseTooShort(Int)
  /// The export's form cannot hold what was asked (the message says why and what to use).
  case exportFormUnsuitable(String)
  /// The export was recorded, but its file could not be given its name.
  case exportNotPlaced(String, because: String)
  /// A release of information lacks what HIPAA 164.508 requires (named).
  case releaseIncomplete(String)
  /// Release fields were given for a consent that is not a release of information.
  case releaseFieldsOnOtherKind
  /// A document that is not text would go to a terminal.
  case binaryToTerminal(String, mediaType: String)
  /// A file or directory to import cannot be imported at all (encoding, header, size); nothing was imported.
  case importInvalid(source: String, why: String)
  /// Some rows or files of an import would be refused (the report lists them); nothing was imported.
  case importRefused(refused: Int, of: Int, unit: String)
}

extension RecordError: CustomStringConvertible {
  /// One line: what happened, then what to do.
  public var description: String {
    switch self {
    case .clientNotFound(let q):
      "no client has the code or a name starting with '\(q)'; see 'vault client list --all'"
    case .ambiguousClient(let q, let codes):
      "'\(q)' matches \(codes.count) clients (\(codes.map(\.description).joined(separator: ", "))); use the client's code or a longer name"
    case .noteNotFound(let id):
      "there is no note \(id); see 'vault note list CLIENT'"
    case .invalidNoteID(let text):
      "'\(text)' is not a note id; note ids are the client code, a dot and the note number, e.g. K7F3-2Q.3"
    case .invalidDate(let text, let why):
      "invalid date '\(text)': \(why)"
    case .invalidField(let why):
      why
    case .noteSigned(let id, let on, let by):
      "note \(id) was signed by \(by) on \(on) and can never change; add a correction with 'vault note amend \(id) --reason TEXT'"
    case .noteNotSigned(let id):
      "note \(id) is a draft; edit it with 'vault note edit \(id)' (addenda are for signed notes)"
    case .alreadySigned(let id, let on, let by):
      "note \(id) was already signed by \(by) on \(on)"
    case .clientDischarged(let code, let day):
      "client \(code) was discharged on \(day) and the record is closed; reopen it with 'vault client update \(code) --reopen', or amend an existing note"
    case .clientActive(let code):
      "client \(code) is not discharged"
    case .emptyNote(let why):
      "\(why); nothing was saved"
    case .notUTF8(let source, let offset):
      "\(source) is not UTF-8 text (invalid byte at offset \(offset)); convert it first, e.g. 'iconv -f LATIN1 -t UTF-8'; nothing was saved"
    case .noteTooLarge(let source, let limit):
      "\(source) is larger than \(limit >> 20) MiB, which is too large for a note; attach large files as documents; nothing was saved"
    case .nothingChanged(let what):
      "\(what); nothing was saved"
    case .invalidItemID(let text, let example):
      "'\(text)' is not a valid id here; ids look like \(example) (the client code, a dot, a letter and a number)"
    case .itemNotFound(let id):
      "there is no \(id); see 'vault consent list' or 'vault disclosures CLIENT'"
    case .unusableFile(let path, let why):
      "cannot store \(path): \(why); nothing was saved"
    case .disclosureRefused(let why):
      "disclosure refused: \(why); nothing was recorded"
    case .alreadyRevoked(let id, let day):
      "\(id) was already revoked on \(day)"
    case .alreadyDischarged(let code, let day):
      "client \(code) was already discharged on \(day)"
    case .noSuchVersion(let what, let n):
      "\(what) has \(n) version(s); choose --version 1 to \(n)"
    case .editConflict(let id, let by, let n, _):
      "note \(id) was changed by \(by) while you were editing it (it is now at version \(n)); saving again replaces that version with yours"
    case .namedTwice(let id):
      "note \(id) is named twice"
    case .identityNotVerified:
      "a record may be released only after the requester's identity is verified (HIPAA 164.514(h)); say how with "
        + "--identity-verified 'photo ID in person', or export anyway with --no-identity-check --reason TEXT (flagged in the log); nothing was written"
    case .exportPassphraseTooShort(let n):
      "the export passphrase must have at least \(n) characters"
    case .exportFormUnsuitable(let why):
      "\(why); nothing was written"
    case .releaseIncomplete(let what):
      "a release of information needs \(what)"
    case .releaseFieldsOnOtherKind:
      "--recipient, --information and --purpose belong to a release-of-information; use --kind release-of-information, or leave them out"
    case .binaryToTerminal(let id, let type):
      "standard output is a terminal and \(id) is \(type); give --out FILE"
    case .importInvalid(let source, let why):
      "cannot import \(source): \(why); nothing was imported"
    case .importRefused(let refused, let total, let unit):
      "\(refused) of \(total) \(unit) would be refused (each is listed above, with why); nothing was imported: correct them, or leave them out, "
        + "and run the import again ('--dry-run' checks without importing)"
    case .exportNotPlaced(let id, let why):
      "the export was recorded as disclosure \(id), but the file could not be put in place (\(why)); run the export again (it is recorded again), "
        + "or correct the accounting with 'vault disclose --corrects \(id)'"
    }
  }
}
