/// Checks a vault file by file and reports every problem (FORMAT.md §10).
///
/// Without keys it checks structure, checksums, object names against content hashes and
/// file modes. With keys it also authenticates the config and index, unwraps every client
/// key and decrypts every object the index reaches.
///
/// The checks themselves are in Checks/, one file per concern, run in the order of
/// `standardChecks`.
public struct VaultVerifier {
  /// The vault being checked.
  public let vault: Vault
  /// Called with (objects checked, total) as object checks progress.
  public var progress: (Int, Int) -> Void = { _, _ in }
  /// The checks to run, in order (`standardChecks` unless a test chooses).
  var checks: [any VaultCheck] = VaultVerifier.standardChecks

  /// A verifier for `vault`.
  public init(vault: Vault) { self.vault = vault }

  /// Runs every check; `unlocked` adds the keyed ones.
  public func run(unlocked: UnlockedVault? = nil) throws -> [Finding] {
    let context = VaultCheckContext(vault: vault, unlocked: unlocked, progress: progress)
    var findings: [Finding] = []
    for check in checks { try check.check(context, &findings) }
    return findings
  }

  /// A finding's message for an error reading an object.
  static func describe(_ error: any Error) -> String {
    switch error {
    case ObjectError.missing: "object is missing"
    case ObjectError.corrupted(_, let why): why
    case ObjectError.tooLarge: "object is larger than expected"
    case let e as FormatError: "client index cannot be parsed: \(e)"
    default: "\(error)"
    }
  }
}
