import ArgumentParser
import Foundation

/// Options every command that opens a vault accepts.
struct GlobalOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp(
    "The vault directory (default: $VAULT_DIR, else $XDG_DATA_HOME/vault, else ~/.local/share/vault).",
    valueName: "dir"))
  var vault: String?

  @Option(name: .long, help: ArgumentHelp(
    "Read the passphrase from the first line of <file> (also: VAULT_PASSPHRASE_FILE, VAULT_PASSPHRASE_COMMAND).",
    valueName: "file"))
  var passphraseFile: String?

  @Option(name: .long, help: ArgumentHelp(
    "Unlock with the recovery key stored in <file> instead of a passphrase.", valueName: "file"))
  var recoveryKeyFile: String?

  @Option(name: .long, help: ArgumentHelp(
    "If another vault process holds the lock, wait up to <seconds> for it (default: fail at once).",
    valueName: "seconds"))
  var wait: Double = 0

  @Flag(name: .long, help: "Print results as JSON on stdout (and errors as JSON on stderr).")
  var json = false

  func validate() throws {
    guard wait >= 0, wait <= 86_400 else { throw ValidationError("--wait must be between 0 and 86400 seconds") }
  }

  /// The vault directory, resolved from --vault, VAULT_DIR and the XDG default.
  var vaultPath: String {
    let env = ProcessInfo.processInfo.environment
    if let v = vault ?? env["VAULT_DIR"], !v.isEmpty {
      // Absolute, so messages and `vault info` name the directory unambiguously.
      return v.hasPrefix("/") ? v : FileManager.default.currentDirectoryPath + "/" + v
    }
    if let xdg = env["XDG_DATA_HOME"], xdg.hasPrefix("/") { return "\(xdg)/vault" }
    return "\(env["HOME"] ?? NSHomeDirectory())/.local/share/vault"
  }

  /// True when the path came from the built-in default (then missing parents may be created).
  var isDefaultPath: Bool {
    (vault ?? ProcessInfo.processInfo.environment["VAULT_DIR"]).map(\.isEmpty) ?? true
  }

  /// The passphrase source these options describe.
  var passphraseSource: PassphraseSource { PassphraseSource(file: passphraseFile) }

  /// The output these options ask for.
  var output: Output { Output(json: json) }
}
