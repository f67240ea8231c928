import ArgumentParser
import Foundation
import VaultCore

/// Where the vault is and how to print: every command that uses a vault has these.
struct VaultOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp(
    "The vault directory (default: $VAULT_DIR, else $XDG_DATA_HOME/vault, else ~/.local/share/vault).",
    valueName: "dir"))
  var vault: String?

  @Flag(name: .long, help: "Print results as JSON on stdout (and errors as JSON on stderr).")
  var json = false

  @Option(name: .long, help: ArgumentHelp("Why you are doing this; recorded in the access log.", valueName: "text"))
  var reason: String?

  @OptionGroup var quiet: QuietOption

  func validate() throws {
    // An unset shell variable must not silently select the default vault.
    if vault?.isEmpty == true { throw ValidationError("--vault needs a directory") }
    if let reason, reason.isEmpty || reason.utf8.count > 1000 { throw ValidationError("--reason must be 1 to 1000 bytes") }
  }

  /// The vault directory, resolved from --vault, VAULT_DIR and the XDG default, made absolute.
  var path: String { Self.path(vault) }

  /// The vault directory `vault` (the --vault value) names, else VAULT_DIR's, else the XDG default.
  static func path(_ vault: String?) -> String {
    let env = ProcessInfo.processInfo.environment
    if let v = vault ?? SystemPath.environment("VAULT_DIR"), !v.isEmpty {
      return v.hasPrefix("/") ? v : FileManager.default.currentDirectoryPath + "/" + v
    }
    if let xdg = env["XDG_DATA_HOME"], xdg.hasPrefix("/") { return "\(xdg)/vault" }
    return "\(env["HOME"] ?? NSHomeDirectory())/.local/share/vault"
  }

  /// True when the path came from the built-in default (then missing parents may be created).
  var isDefaultPath: Bool {
    (vault ?? ProcessInfo.processInfo.environment["VAULT_DIR"]).map(\.isEmpty) ?? true
  }

  /// The output these options ask for.
  var output: Output { Output(json: json) }
}

/// --quiet: every command takes it (with VaultOptions, or on its own).
struct QuietOption: ParsableArguments {
  @Flag(name: .long, help: "Show no progress on the terminal (backup: print nothing on success).")
  var quiet = false

  func validate() throws {
    // Progress is drawn by the static helpers in Output; the option reaches them here, once parsed.
    if quiet { Output.quiet = true }
  }
}

/// Waiting for the vault lock.
struct LockOptions: ParsableArguments {
  @Option(name: .customLong("wait"), help: ArgumentHelp(
    "If another vault process is using the vault, wait up to <seconds> for it instead of failing at once.",
    valueName: "seconds"))
  var waitFor = Seconds(0)

  /// How long to wait for the lock, in seconds.
  var wait: Double {
    get { waitFor.value }
    set { waitFor = Seconds(newValue) }
  }

  func validate() throws {
    guard wait >= 0, wait <= 86_400 else { throw ValidationError("--wait must be between 0 and 86400 seconds") }
  }

  /// After an editor closes, a busy vault (a search or backup running) is waited for, at least
  /// a minute: failing at once would throw away what was just typed.
  var afterEditing: LockOptions {
    var patient = self
    patient.wait = max(wait, 60)
    return patient
  }
}

/// A number of seconds, as help shows it ("0", not "0.0").
struct Seconds: ExpressibleByArgument {
  let value: Double

  init(_ value: Double) { self.value = value }

  init?(argument: String) {
    guard let v = Double(argument) else { return nil }
    value = v
  }

  var defaultValueDescription: String { value == value.rounded() ? String(Int(value)) : String(value) }
}

/// How to unlock: a passphrase (prompt, file or command) or the recovery key.
struct UnlockOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp(
    "Read the passphrase from the first line of <file> (also: VAULT_PASSPHRASE_FILE, VAULT_PASSPHRASE_COMMAND).",
    valueName: "file"))
  var passphraseFile: String?

  @Option(name: .long, help: ArgumentHelp(
    "Unlock with the recovery key stored in <file> instead of a passphrase.", valueName: "file"))
  var recoveryKeyFile: String?

  @Option(name: .customLong("as"), help: ArgumentHelp(
    "Unlock as this practitioner: only their passphrase is tried (also: VAULT_PRACTITIONER).", valueName: "name"))
  var practitioner: String?

  /// --as, else VAULT_PRACTITIONER.
  var practitionerName: String? { practitioner ?? SystemPath.environment("VAULT_PRACTITIONER").flatMap { $0.isEmpty ? nil : $0 } }

  /// Set by `vault unlock`: a new session always asks.
  var forceCredential = false

  /// Whether an unlock session may answer instead of a credential (none was named).
  var mayUseSession: Bool { !forceCredential && passphraseFile == nil && recoveryKeyFile == nil }

  enum CodingKeys: String, CodingKey { case passphraseFile, recoveryKeyFile, practitioner }

  /// The passphrase source these options describe.
  var passphraseSource: PassphraseSource { PassphraseSource(file: passphraseFile) }
}
