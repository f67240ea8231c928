#if canImport(Glibc)
  import Glibc
#endif

/// What a writer cleared away before starting: leftovers of commands that were interrupted.
public struct Reclaimed: Sendable, Equatable {
  /// Temporary files in tmp/ (a write cut short).
  public var temporaryFiles = 0
  /// Objects no index names (written by a command that died before its commit).
  public var objects = 0
  /// Client key files no index names (a client being added when the command died).
  public var clientKeys = 0
  /// Bytes freed.
  public var bytes = 0

  /// True when nothing was left over.
  public var isEmpty: Bool { temporaryFiles == 0 && objects == 0 && clientKeys == 0 }

  /// "2 objects, 1 temporary file (145.2 MB)"
  public var description: String {
    func count(_ n: Int, _ what: String) -> String? { n == 0 ? nil : "\(n) \(what)\(n == 1 ? "" : "s")" }
    let parts = [count(objects, "object"), count(clientKeys, "client key file"), count(temporaryFiles, "temporary file")].compactMap { $0 }
    return parts.joined(separator: ", ") + " (\(bytes) bytes)"
  }
}

extension UnlockedVault {
  /// Gets the vault ready for a writer and reclaims what interrupted writers left: temporary
  /// files always; unreferenced objects and client keys when the unfinished-write marker says a
  /// writer died between writing them and its commit. Only under the exclusive lock, where no
  /// other writer can be about to commit anything. The reclaim is logged (it deletes files).
  ///
  /// Finding what is referenced reads every client index; if any cannot be read (damage), nothing
  /// is removed and the marker stays: `vault verify` reports the damage instead.
  public func prepareForWriting(reason: String? = nil) throws -> Reclaimed {
    var reclaimed = try vault.prepareForWriting()
    let layout = vault.layout
    if FileStatus.exists(layout.unfinishedMarker), let referenced = try? referencedFiles() {
      do {
        let store = layout.objectStore
        for id in try store.list().objects where !referenced.objects.contains(id) {
          reclaimed.bytes += (try? FileStatus.size(store.path(for: id))) ?? 0
          try store.remove(id)
          reclaimed.objects += 1
        }
        for name in try Directories.list(layout.clientKeys) {
          guard let id = RandomID(hex: name), !referenced.clients.contains(id) else { continue }
          try FileSystem.remove(layout.clientKey(id))
          reclaimed.clientKeys += 1
        }
        try FileSystem.remove(layout.unfinishedMarker)
      } catch { throw VaultError.from(error) }
    }
    if !reclaimed.isEmpty {
      try AccessLog(vault: vault).append(
        LogEntry(action: "reclaim", actor: actor.name, reason: reason,
          detail: "removed \(reclaimed.description) left by an interrupted command"),
        unlocked: self)
    }
    return reclaimed
  }

  /// Every object and client the index reaches, decrypting each client index. Only an owner can
  /// read every client index: for anyone else this throws, and nothing is reclaimed (an object of
  /// a client they cannot open is not theirs to call unreferenced).
  func referencedFiles() throws -> (objects: Set<ObjectID>, clients: Set<RandomID>) {
    guard keys.ownerBox != nil else { throw VaultError.access(.ownerRequired) }
    let records = Records(self)
    let index = try readIndex()
    var objects = Set<ObjectID>()
    var clients = Set<RandomID>()
    for entry in index.entries {
      objects.insert(entry.clientIndex)
      if let register = entry.register { objects.insert(register) }
      clients.insert(entry.client)
      guard entry.client != .none else { continue }
      let client = try records.load(entry, code: ClientCode.derive(client: entry.client, key: keys.clientCodes))
      objects.formUnion(client.index.referencedObjects.map(\.0))
    }
    if index.entries.contains(where: { $0.client == .none }) {
      objects.formUnion(try records.practice().forms.map(\.file.object))
    }
    return (objects, clients)
  }
}
