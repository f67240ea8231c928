import Glibc
import VaultCrypto

/// A failure the user can act on. `description` is one lowercase line: what happened, then
/// what to do. It never contains a secret or any client data.
public enum VaultError: Error, Equatable, Sendable {
  /// No vault at the path.
  case vaultNotFound(path: String)
  /// `init` was pointed at an existing vault.
  case vaultAlreadyExists(path: String)
  /// `init` was pointed at a directory that holds other files.
  case directoryNotEmpty(path: String)
  /// No key slot accepted the passphrase.
  case wrongPassphrase
  /// No recovery slot accepted the recovery key.
  case wrongRecoveryKey
  /// The recovery key text is malformed or has a typo.
  case invalidRecoveryKey
  /// The new passphrase breaks the length rule.
  case passphraseTooShort(minimum: Int)
  /// The passphrase was empty.
  case passphraseEmpty
  /// The two entries of a new passphrase differ.
  case passphraseMismatch
  /// No terminal to prompt on and no passphrase file or command.
  case noPassphraseSource
  /// A passphrase file or command could not be read or run.
  case passphraseSourceFailed(String)
  /// Another process holds the vault lock.
  case lockedByAnotherProcess(pid: Int32?)
  /// Corruption or tampering found; each finding names a file and the problem.
  case integrity([Finding])
  /// The vault was written by a newer release.
  case unsupportedFormat(version: UInt8)
  /// The disk is full.
  case noSpace(path: String)
  /// A file-system operation failed on `path`.
  case io(path: String, reason: String)
  /// A key slot's Argon2id cost needs more memory than this machine can give.
  case notEnoughMemory(slot: String, mebibytes: UInt64)
  /// A failure that should not happen; the message asks for a report.
  case internalError(String)
  /// A records operation was refused (unknown client, signed note, empty note, ...).
  case record(RecordError)
  /// A backup operation was refused or failed.
  case backup(BackupError)
  /// The access layer refused.
  case access(AccessError)
  /// An age file could not be opened.
  case age(AgeError)
  /// An HTML export could not be opened.
  case htmlExport(HTMLExportError)
  /// A file to write is a symbolic link (never written through).
  case targetIsLink(path: String)
  /// A file to write is a directory.
  case targetIsDirectory(path: String)
  /// A file to write exists (and --force was not given).
  case targetExists(path: String)
  /// A file to write exists and is not a regular file (a device, a socket…).
  case targetNotRegular(path: String)
  /// A file to write appeared while it was being prepared.
  case targetAppeared(path: String)
  /// No RAM-backed directory for the editor's file.
  case noPrivateScratch
  /// The editor failed or could not be started.
  case editorFailed(String)
  /// No passphrase slot has this label.
  case noSuchSlot(label: String, labels: String)
  /// Several people have passphrases and none was chosen.
  case whichSlot(labels: String)
  /// The new passphrase is the current one.
  case samePassphrase
  /// A key slot label is empty or too long.
  case invalidLabel(maximum: Int)
  /// A key slot label is reserved for the log's own actors.
  case reservedLabel(String)
  /// An identity file holds no age secret key.
  case noAgeIdentity(path: String)
  /// An unlock session cannot be kept or read here (the kernel keyring is unavailable or refused).
  case session(String)
}

extension VaultError: CustomStringConvertible {
  /// The one-line message printed after "vault: error: ".
  public var description: String {
    switch self {
    case .vaultNotFound(let p):
      "no vault at \(p); create one with 'vault init', or point to yours with --vault DIR or VAULT_DIR"
    case .vaultAlreadyExists(let p):
      "a vault already exists at \(p); use it, or choose another directory with --vault DIR"
    case .directoryNotEmpty(let p):
      "\(p) is not empty and is not a vault; choose a new or empty directory with --vault DIR"
    case .wrongPassphrase:
      "wrong passphrase; try again, or unlock with --recovery-key-file"
    case .wrongRecoveryKey:
      "the recovery key does not unlock this vault; check it is the key printed when this vault was created"
    case .invalidRecoveryKey:
      "the recovery key is malformed or has a typo; it is 56 characters in groups of four, as printed at init"
    case .passphraseTooShort(let n):
      "the passphrase is too short: use at least \(n) characters (a few unrelated words work well)"
    case .passphraseEmpty:
      "the passphrase is empty: use at least \(PassphrasePolicy.minimumLength) characters"
    case .passphraseMismatch:
      "the two passphrases differ; nothing was changed, run the command again"
    case .noPassphraseSource:
      "no passphrase: run in a terminal, or set --passphrase-file, VAULT_PASSPHRASE_FILE or VAULT_PASSPHRASE_COMMAND"
    case .passphraseSourceFailed(let why):
      "could not read the passphrase: \(why)"
    case .lockedByAnotherProcess(let pid):
      "another vault process\(pid.map { " (pid \($0))" } ?? "") is using the vault; retry, or pass --wait SECONDS"
    case .integrity(let findings):
      Self.summary(findings)
    case .unsupportedFormat(let v):
      "this vault uses format version \(v), which this release cannot read; install a newer vault"
    case .noSpace(let p):
      "no space left on the device holding \(p); free some space and retry (nothing was changed)"
    case .io(let path, let reason):
      "cannot use \(path): \(reason)"
    case .notEnoughMemory(let slot, let mib):
      "not enough memory to unlock key slot '\(slot)' (its Argon2id cost needs \(mib) MiB); close other programs, or lower the cost with 'vault passwd --kdf moderate' on a larger machine"
    case .internalError(let what):
      "internal error: \(what); please report this, with the command you ran (no passphrase or record)"
    case .record(let e):
      e.description
    case .backup(let e):
      e.description
    case .access(let e):
      e.description
    case .age(let e):
      "\(e)"
    case .htmlExport(let e):
      "\(e)"
    case .targetIsLink(let p):
      "\(p) is a symbolic link; give the path of a real file (vault never writes through a link)"
    case .targetIsDirectory(let p):
      "\(p) is a directory; give a file name, e.g. \(p)/consent.pdf"
    case .targetExists(let p):
      "\(p) already exists; choose another name, or add --force to replace it"
    case .targetNotRegular(let p):
      "\(p) exists and is not a regular file; give the name of a new file, or of a regular file with --force"
    case .targetAppeared(let p):
      "\(p) was created by something else while the document was decrypted; nothing was written, run the command again"
    case .noPrivateScratch:
      "no RAM-backed directory for the editor's temporary file ($XDG_RUNTIME_DIR or /dev/shm on tmpfs), "
        + "and vault never writes a note to disk unencrypted; give the text with --file or on standard input"
    case .editorFailed(let why):
      "\(why); nothing was saved"
    case .noSuchSlot(let label, let labels):
      "no passphrase slot is labelled '\(label)'; the slots are \(labels)"
    case .whichSlot(let labels):
      "several people have passphrases (\(labels)); choose whose to reset with --label NAME"
    case .samePassphrase:
      "the new passphrase is the same as the current one; nothing was changed"
    case .invalidLabel(let n):
      "a key slot label must be 1 to \(n) bytes of UTF-8"
    case .reservedLabel(let label):
      "'\(label)' is reserved; choose another --label"
    case .noAgeIdentity(let p):
      "\(p) holds no AGE-SECRET-KEY-1… line; give the identity file age-keygen wrote, or open the file with --passphrase-file"
    case .session(let why):
      "cannot keep an unlock session: \(why)"
    }
  }

  private static func summary(_ findings: [Finding]) -> String {
    let errors = findings.filter { $0.severity == .error }
    guard let first = errors.first else { return "integrity check failed" }
    let more = errors.count > 1 ? " (and \(errors.count - 1) more problem\(errors.count == 2 ? "" : "s"))" : ""
    return "integrity failure: \(first)\(more); run 'vault verify --keyless' for the full list, and see OPERATIONS.md in the vault documentation (restoring from a copy)"
  }
}

extension VaultError {
  /// What a crypto failure means for the user (every case: a new one must be placed here).
  static func from(crypto e: CryptoError) -> VaultError {
    switch e {
    case .outOfSecureMemory:
      .io(path: "secure memory", reason: "allocation failed; raise the locked-memory limit (ulimit -l) and retry")
    case .authenticationFailed, .truncated, .trailingData, .invalidSignature, .invalidLength:
      .integrity([Finding(.error, "vault", "data \(e) (modified, or from another vault)")])
    case .invalidKDFParameters:
      .integrity([Finding(.error, "vault", "a key slot's \(e)")])
    case .kdfFailed:
      .io(path: "memory", reason: "\(e); close other programs and retry")
    case .initializationFailed, .operationFailed:
      .internalError("libsodium: \(e)")
    }
  }

  /// Every finding of an integrity error, one per line (its description otherwise).
  public var findingsSummary: String {
    guard case .integrity(let findings) = self else { return description }
    return findings.map(\.description).joined(separator: "\n")
  }

  /// Maps lower-level errors to the user-facing one; the CLI applies it to anything a layer
  /// below did not map itself, so no raw error ever reaches the user.
  public static func from(_ error: any Error) -> VaultError {
    switch error {
    case let e as VaultError: return e
    case let e as RecordError: return .record(e)
    case let e as BackupError: return .backup(e)
    case let e as S3Error: return .backup(.remote(e))
    case let e as AccessError: return .access(e)
    case let e as AgeError: return .age(e)
    case let e as HTMLExportError: return .htmlExport(e)
    case let e as KeyringError: return .session(e.description)
    case let e as StorageError where e.isNoSpace: return .noSpace(path: e.path)
    // A remote store's failures say in the operation what the server answered and what to do.
    case let e as StorageError where BackupLocation.isRemote(e.path) && e.code != ENOENT:
      return .io(path: e.path, reason: "\(e.operation) failed")
    case let e as StorageError where e.code == ELOOP:
      return .integrity([Finding(.error, e.path, "a symbolic link is on the way to it: a vault never holds symlinks, so one was planted (commands refuse to follow it); run 'vault verify'")])
    case let e as StorageError where e.code == ENOTDIR || e.code == EINVAL:
      return .integrity([Finding(.error, e.path, "\(e.operation) failed: the vault holds a file of the wrong type here (\(e.description))")])
    case let e as StorageError where e.code == EFBIG:
      // Every file the vault reads whole has a size bound; a larger one was padded or replaced.
      return .integrity([Finding(.error, e.path, "the file is larger than any the vault writes (it was padded or replaced)")])
    case let e as StorageError where e.code == EIO:
      return .io(path: e.path, reason: "\(e.operation) failed: the disk reported an input/output error; check the disk (dmesg, smartctl) and keep using your backups until it is replaced")
    case let e as StorageError:
      return .io(path: e.path, reason: "\(e.operation) failed: \(String(cString: strerror(e.code)).lowercased()); check that it exists and that you may read and write it")
    case VaultLock.Failure.busy(let pid): return .lockedByAnotherProcess(pid: pid)
    case let e as FormatError: return .integrity([Finding(.error, "vault", e.description)])
    case let e as ObjectError: return .integrity([e.finding])
    // Storage names come from the code or from files on disk (a manifest): a refused one is damage.
    case let e as BlobStoreError: return .integrity([Finding(.error, "storage", e.description)])
    case let e as CryptoError: return from(crypto: e)
    // Every layer's errors are mapped above; anything else comes from outside vault's own code.
    default: return .internalError("\(type(of: error)): \(error)")
    }
  }
}
