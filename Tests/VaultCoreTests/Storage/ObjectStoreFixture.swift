import Foundation
import VaultCore
import VaultCrypto

/// An object store in a scratch directory, with one key, vault id and header for its objects.
struct ObjectStoreFixture {
  let dir: ScratchDirectory
  let store: ObjectStore
  let key: SecretKey
  let vault: RandomID
  let header: ObjectHeader

  /// 1 KiB chunks, the smallest a reader accepts, keep multi-chunk objects small.
  static let chunkSize = 1024
  static let cipherChunkSize = chunkSize + SecretStream.chunkOverhead
  /// Header, then the stream header, then chunks.
  static let firstChunkOffset = ObjectHeader.size + SecretStream.headerSize

  init(type: ObjectType = .note) throws {
    dir = try ScratchDirectory()
    store = ObjectStore(directory: try dir.makeSubdirectory("objects"), temporaryDirectory: try dir.makeSubdirectory("tmp"))
    key = try SecretKey.random()
    vault = try RandomID.generate()
    header = ObjectHeader(type: type, client: try RandomID.generate(), chunkSize: UInt32(Self.chunkSize))
  }

  func remove() { dir.remove() }

  func put(_ bytes: [UInt8]) throws -> ObjectID { try store.put(bytes, header: header, key: key, vault: vault) }

  func get(_ id: ObjectID, expected: ObjectHeader? = nil, key: SecretKey? = nil, vault: RandomID? = nil) throws -> [UInt8] {
    try store.get(id, expected: expected ?? header, key: key ?? self.key, vault: vault ?? self.vault)
  }

  /// The raw file of an object.
  func file(_ id: ObjectID) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: store.path(for: id)))) }

  /// Overwrites an object's file in place.
  func overwrite(_ id: ObjectID, with bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: store.path(for: id)))
  }

  /// Stores `bytes` under the name they hash to, as an attacker with write access can: the name
  /// is a checksum, not a MAC, so only the stream's authentication stands in the way.
  func storeUnderOwnHash(_ bytes: [UInt8]) throws -> ObjectID {
    let id = try ObjectID(bytes: Hasher.blake2b256(bytes))
    let path = store.path(for: id)
    try FileManager.default.createDirectory(atPath: FileSystem.parent(path), withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return id
  }

  /// Writes an object chunk by chunk with secretstream directly, choosing each chunk's size
  /// and whether it is final, and stores it under its hash: the framings ObjectWriter never
  /// produces but a reader must still judge (FORMAT.md §6.3).
  func handMade(_ chunks: [(plaintext: [UInt8], isFinal: Bool)]) throws -> ObjectID {
    let encryptor = try SecretStream.Encryptor(key: key)
    let ad = header.associatedData(vault: vault)
    var file = header.encoded + encryptor.header
    for chunk in chunks { file += encryptor.push(chunk.plaintext, isFinal: chunk.isFinal, associatedData: ad) }
    return try storeUnderOwnHash(file)
  }

  /// Names left in the temporary directory.
  func temporaryFiles() throws -> [String] { try dir.contents(of: "tmp") }
}
