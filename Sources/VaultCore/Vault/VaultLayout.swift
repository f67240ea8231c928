/// Where each file of a vault lives (FORMAT.md §2). Names hold only random ids and hashes.
public struct VaultLayout: Sendable, Equatable {
  /// The vault directory.
  public let root: String

  /// The layout of the vault at `root` (trailing slashes removed).
  public init(root: String) {
    var r = root
    while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
    self.root = r
    // Nothing inside a vault is ever reached through a symlink (THREAT-MODEL.md).
    FileSystem.confine(r)
  }

  /// The names the vault directory holds; anything else in it is unexpected.
  public static let topLevelNames: Set<String> = ["config", "lock", "index", "slots", "clientkeys", "objects", "tmp", "log", "practitioners"]

  /// Top-level entries that are symbolic links: a vault never has any, so each is tampering.
  public func symbolicLinks() -> [String] {
    Self.topLevelNames.sorted().filter { FileStatus.isSymbolicLink("\(root)/\($0)") }
  }

  /// Identity and public keys.
  public var config: String { "\(root)/config" }
  /// The flock target.
  public var lock: String { "\(root)/lock" }
  /// The vault index.
  public var index: String { "\(root)/index" }
  /// One file per key slot.
  public var slots: String { "\(root)/slots" }
  /// One file per client key.
  public var clientKeys: String { "\(root)/clientkeys" }
  /// The practitioner registry (FORMAT.md §17); absent until the first practitioner is added.
  public var practitioners: String { "\(root)/practitioners" }
  /// Content-addressed objects.
  public var objects: String { "\(root)/objects" }
  /// Temporary files of writes in progress.
  public var tmp: String { "\(root)/tmp" }
  /// Present while a writer has written objects or key files its commit has not yet named:
  /// the next writer that finds it reclaims what is unreferenced (FORMAT.md §9.3).
  public var unfinishedMarker: String { "\(root)/tmp/unfinished" }
  /// The access log's directory.
  public var log: String { "\(root)/log" }
  /// Append-only encrypted entries.
  public var logEntries: String { "\(root)/log/entries" }
  /// Append-only signed checkpoints.
  public var logCheckpoints: String { "\(root)/log/checkpoints" }

  /// The path of a key slot's file.
  public func slot(_ id: RandomID) -> String { "\(slots)/\(id.hex)" }
  /// The path of a client key's file.
  public func clientKey(_ id: RandomID) -> String { "\(clientKeys)/\(id.hex)" }

  /// The object store of this vault.
  public var objectStore: ObjectStore { ObjectStore(directory: objects, temporaryDirectory: tmp) }

  /// Every directory a vault has, in creation order.
  public var directories: [String] { [slots, clientKeys, objects, tmp, log] }
}
