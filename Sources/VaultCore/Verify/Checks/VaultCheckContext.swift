import VaultCrypto

/// What the checks of one `vault verify` run share: the vault, the keys when keyed, and what
/// earlier checks established (each read once, by the check that owns it).
final class VaultCheckContext {
  /// The vault being checked.
  let vault: Vault
  /// The unlocked vault for the keyed checks; nil for `--keyless`.
  let unlocked: UnlockedVault?
  /// Called with (objects checked, total) as object checks progress.
  let progress: (Int, Int) -> Void

  /// The decoded and authenticated index: set by `IndexCheck`, keyed runs only.
  var index: VaultIndex?
  /// Every client key that unwrapped: set by `ClientKeysCheck`, keyed runs only.
  var clientKeys: [RandomID: ClientKeyRing] = [:]
  /// Every object file's id, in listing order: set by `ObjectsCheck`.
  var objects: [ObjectID] = []
  /// Objects whose content does not match their name: set by `ObjectsCheck`.
  var damaged = Set<ObjectID>()
  /// Objects the index reaches: set by `IndexedObjectsCheck`.
  var referenced = Set<ObjectID>()

  init(vault: Vault, unlocked: UnlockedVault?, progress: @escaping (Int, Int) -> Void) {
    self.vault = vault
    self.unlocked = unlocked
    self.progress = progress
  }

  /// The vault's file layout.
  var layout: VaultLayout { vault.layout }
  /// The object store.
  var store: ObjectStore { vault.layout.objectStore }
  /// The vault's id (bound into every authenticated file).
  var vaultID: RandomID { vault.config.vaultID }

  /// `path` relative to the vault directory, as findings name files.
  func relative(_ path: String) -> String {
    path.hasPrefix(layout.root + "/") ? String(path.dropFirst(layout.root.count + 1)) : path
  }

  /// The finding path of an object.
  func path(of id: ObjectID) -> String { relative(store.path(for: id)) }
}
