import Foundation
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

/// Where a passphrase comes from, in order: --passphrase-file, VAULT_PASSPHRASE_FILE,
/// VAULT_PASSPHRASE_COMMAND, then a no-echo prompt. Never argv, never an environment value.
public struct PassphraseSource {
  /// --passphrase-file, if given.
  public var file: String?
  /// The environment (VAULT_PASSPHRASE_FILE, VAULT_PASSPHRASE_COMMAND).
  public var environment: [String: String]

  /// A source: `file`, else what `environment` names, else the terminal.
  public init(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) {
    self.file = file
    self.environment = environment
  }

  /// Whether a non-interactive source is configured.
  public var isConfigured: Bool {
    file != nil || environment["VAULT_PASSPHRASE_FILE"] != nil || environment["VAULT_PASSPHRASE_COMMAND"] != nil
  }

  /// Reads the passphrase, prompting with `prompt` if no file or command is configured.
  public func read(prompt: String = "Passphrase: ") throws -> SecureBytes {
    if let path = file ?? environment["VAULT_PASSPHRASE_FILE"].map({ _ in SystemPath.environment("VAULT_PASSPHRASE_FILE") ?? "" }) {
      return try Self.readFile(path)
    }
    if let command = environment["VAULT_PASSPHRASE_COMMAND"] { return try Self.run(command) }
    return try SecretInput.readSecret(prompt: prompt)
  }

  /// Reads a new passphrase: from the file or command when configured, otherwise prompted twice.
  /// On the terminal, one that is too short, or a repetition that differs, is asked for again
  /// with the reason (up to `attempts` times in all); an empty answer (Enter, or Ctrl-D) stops.
  public func readNew(prompt: String = "New passphrase: ", attempts: Int = 3) throws -> SecureBytes {
    if isConfigured { return try read() }
    var why = ""
    for attempt in 1...max(1, attempts) {
      do {
        let first = try SecretInput.readSecret(prompt: why + prompt)
        try PassphrasePolicy.check(first)
        let second = try SecretInput.readSecret(prompt: "Repeat the passphrase: ")
        guard first.isEqual(to: second) else { throw VaultError.passphraseMismatch }
        return first
      } catch VaultError.passphraseTooShort(let minimum) where attempt < attempts {
        why = "vault: that passphrase is too short: use at least \(minimum) characters (a few words are easiest); please try again.\n"
      } catch VaultError.passphraseMismatch where attempt < attempts {
        why = "vault: the two passphrases differ; please type it again.\n"
      }
    }
    throw VaultError.internalError("readNew: no attempt")
  }

  /// The first line of a file (a trailing newline is not part of the passphrase).
  public static func readFile(_ path: String) throws -> SecureBytes {
    let fd = FileSystem.openUserFile(path, O_RDONLY)
    guard fd >= 0 else {
      throw VaultError.passphraseSourceFailed("cannot open passphrase file \(path): \(String(cString: strerror(errno)).lowercased())")
    }
    defer { close(fd) }
    return try SecretInput.readLine(from: fd, what: "passphrase file \(path)")
  }

  /// Runs `command` with /bin/sh and takes the first line of its output.
  static func run(_ command: String) throws -> SecureBytes {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let pipe = Pipe()
    process.standardOutput = pipe
    do { try process.run() } catch {
      throw VaultError.passphraseSourceFailed("cannot run VAULT_PASSPHRASE_COMMAND")
    }
    // Read straight from the pipe into secure memory; Data would leave copies of the secret.
    let fd = pipe.fileHandleForReading.fileDescriptor
    let secret = try SecretInput.readLine(from: fd, what: "VAULT_PASSPHRASE_COMMAND")
    // Drain anything after the first line so the command cannot block on a full pipe.
    var sink = [UInt8](repeating: 0, count: 4096)
    while sink.withUnsafeMutableBytes({ Glibc.read(fd, $0.baseAddress!, $0.count) }) > 0 {}
    sink.withUnsafeMutableBytes { _ = memset($0.baseAddress!, 0, $0.count) }
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw VaultError.passphraseSourceFailed("VAULT_PASSPHRASE_COMMAND exited with status \(process.terminationStatus)")
    }
    return secret
  }
}

extension Credential {
  /// The recovery key written in `file` (as printed at init).
  public static func recoveryKey(file path: String) throws -> Credential {
    .recoveryKey(try RecoveryKey.parse(PassphraseSource.readFile(path)))
  }
}

extension PassphraseSource {
  /// Reads a new passphrase; with no terminal to ask on, says which `option` gives it instead.
  public func readNewOrExplain(option: String) throws -> SecureBytes {
    do {
      return try readNew(prompt: "New passphrase: ")
    } catch VaultError.noPassphraseSource {
      throw VaultError.passphraseSourceFailed("no terminal to ask for the new passphrase; give it with \(option) FILE")
    }
  }
}
