// Verify/Checks/ holds `vault verify`'s checks, one file per concern, run in the order of
// `VaultVerifier.standardChecks`.
//
// To add a check: write one file here with a struct conforming to `VaultCheck` (a `name` and a
// `check(_:_:)` that appends `Finding`s), and append it to `standardChecks` below. Read what
// earlier checks established from the context (`index`, `clientKeys`, `objects`, `damaged`,
// `referenced`); if later checks need something yours establishes, add a property to
// `VaultCheckContext` and say which check sets it. Nothing else changes: the verifier, the
// command and its JSON stay as they are. Keyless checks look at files only; keyed ones run when
// `context.unlocked` is set and return early otherwise.

/// One concern of `vault verify`: looks at the vault and appends what is wrong.
protocol VaultCheck: Sendable {
  /// What it checks, in a few words (for tests and reading).
  var name: String { get }
  /// Appends the problems found. Throws only when the vault cannot be read at all (a directory
  /// that cannot be listed): damage to a file is a finding, not an error.
  func check(_ context: VaultCheckContext, _ findings: inout [Finding]) throws
}

extension VaultVerifier {
  /// Every check, in the order their findings are listed; later ones read what earlier ones
  /// established in the context, so append new checks rather than insert them.
  static var standardChecks: [any VaultCheck] {
    [
      LayoutCheck(),  // unexpected files in the vault directory and tmp/
      PermissionsCheck(),  // file and directory modes, symbolic links
      KeySlotsCheck(),  // a usable slot, and a recovery slot
      IndexCheck(),  // the index: structure; keyed, authenticity (sets `index`)
      ClientKeysCheck(),  // clientkeys/: names; keyed, unwrapping (sets `clientKeys`)
      ObjectsCheck(),  // every object's content against its name (sets `objects`, `damaged`)
      IndexedObjectsCheck(),  // keyed: every object the index reaches opens as what it is (sets `referenced`)
      ReferencesCheck(),  // keyed: objects and client keys nothing refers to
      AccessLogCheck(),  // the access log (LogVerifier) and its first entry
      RegistryCheck(),  // practitioners: structure; keyed, signature and generation against the index
    ]
  }
}
