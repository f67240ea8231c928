import Foundation
import VaultCore
import VaultCrypto

/// An object store in a scratch directory, with one key, vault id, binding and header for its objects.
struct ObjectStoreFixture {
  let dir: ScratchDirectory
  let store: ObjectStore
  let key: SecretKey
  let vault: RandomID
  /// What the index would say the fixture's objects are: never written in their clear bytes.
  let binding: ObjectBinding
  let header: ObjectHeader

  /// 1 KiB chunks, the smallest a reader accepts, keep multi-chunk objects small.
  static let chunkSize = 1024
  /// Ciphertext bytes of a full chunk, without its length prefix.
  static let cipherChunkSize = chunkSize + SecretStream.chunkOverhead
  /// On-disk bytes of a full chunk: u32 length prefix ‖ ciphertext.
  static let framedChunkSize = ObjectHeader.lengthPrefixSize + cipherChunkSize
  /// Header, then the stream header, then chunks.
  static let firstChunkOffset = ObjectHeader.size + SecretStream.headerSize

  /// `revision` 0 by default: the suites built on this fixture pin the layout of §6.1–§6.7 (the
  /// revision format-1 vaults hold), which readers must keep reading; ChunkedObjectTests pins
  /// revision 1, which writers make by default.
  init(type: ObjectType = .note, chunkSize: Int = ObjectStoreFixture.chunkSize, revision: UInt8 = 0) throws {
    dir = try ScratchDirectory()
    store = ObjectStore(directory: try dir.makeSubdirectory("objects"), temporaryDirectory: try dir.makeSubdirectory("tmp"))
    key = try SecretKey.random()
    vault = try RandomID.generate()
    binding = ObjectBinding(type: type, client: try RandomID.generate())
    header = ObjectHeader(chunkSize: UInt32(chunkSize), revision: revision)
  }

  func remove() { dir.remove() }

  func put(_ bytes: [UInt8], binding: ObjectBinding? = nil, header: ObjectHeader? = nil) throws -> ObjectID {
    try store.put(bytes, binding: binding ?? self.binding, key: key, vault: vault, header: header ?? self.header)
  }

  func get(_ id: ObjectID, binding: ObjectBinding? = nil, key: SecretKey? = nil, vault: RandomID? = nil) throws -> [UInt8] {
    try store.get(id, binding: binding ?? self.binding, key: key ?? self.key, vault: vault ?? self.vault)
  }

  /// The raw file of an object.
  func file(_ id: ObjectID) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: store.path(for: id)))) }

  /// Overwrites an object's file in place.
  func overwrite(_ id: ObjectID, with bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: store.path(for: id)))
  }

  /// Stores `bytes` under the name they hash to, as an attacker with write access can: the name
  /// is a checksum, not a MAC, so only the stream's authentication and framing checks stand in the way.
  func storeUnderOwnHash(_ bytes: [UInt8]) throws -> ObjectID {
    let digest = try ObjectDigest()
    digest.update(bytes)
    let id = try ObjectID(bytes: digest.finalize())
    let path = store.path(for: id)
    try FileManager.default.createDirectory(atPath: SystemPath.parent(path), withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return id
  }

  // MARK: - Building and taking apart object files by hand (FORMAT.md §6)

  /// A u32 in little-endian order, as every length in an object file is written.
  static func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

  /// Reads the u32 LE at `offset`.
  static func readLE32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
  }

  /// A final chunk's plaintext: `tail` ‖ `padding` zero bytes ‖ u32 LE `padding`.
  static func finalPlaintext(tail: [UInt8], padding: Int) -> [UInt8] {
    tail + [UInt8](repeating: 0, count: padding) + le32(UInt32(padding))
  }

  /// The final plaintext the writer produces for `tail`: padded to `paddedFinalLength(tail:)`.
  func canonicalFinal(_ tail: [UInt8]) -> [UInt8] {
    let total = header.paddedFinalLength(tail: tail.count)
    return Self.finalPlaintext(tail: tail, padding: total - tail.count - ObjectHeader.trailerSize)
  }

  /// Builds an object file chunk by chunk with secretstream directly: header ‖ stream header ‖
  /// for each chunk, u32 LE ciphertext length ‖ ciphertext. Each plaintext is used exactly as
  /// given, so a final chunk needs its padding and trailer (`finalPlaintext`, `canonicalFinal`)
  /// to be valid; leaving them out or getting them wrong makes the framings ObjectWriter never
  /// produces but a reader must still judge.
  func handMadeFile(
    _ chunks: [(plaintext: [UInt8], isFinal: Bool)], header: ObjectHeader? = nil, binding: ObjectBinding? = nil,
    key: SecretKey? = nil, vault: RandomID? = nil
  ) throws -> [UInt8] {
    let header = header ?? self.header
    let encryptor = try SecretStream.Encryptor(key: key ?? self.key)
    let ad = header.associatedData(vault: vault ?? self.vault, binding: binding ?? self.binding)
    var file = header.encoded + encryptor.header
    for chunk in chunks {
      let cipher = encryptor.push(chunk.plaintext, isFinal: chunk.isFinal, associatedData: ad)
      file += Self.le32(UInt32(cipher.count)) + cipher
    }
    return file
  }

  /// `handMadeFile`, stored under its hash.
  func handMade(_ chunks: [(plaintext: [UInt8], isFinal: Bool)]) throws -> ObjectID {
    try storeUnderOwnHash(handMadeFile(chunks))
  }

  /// The on-disk chunks of a well-framed object file (each u32 length prefix ‖ ciphertext), as
  /// their length prefixes delimit them; traps if the framing is broken.
  static func frames(_ file: [UInt8]) -> [[UInt8]] {
    var out: [[UInt8]] = []
    var offset = firstChunkOffset
    while offset < file.count {
      let end = offset + ObjectHeader.lengthPrefixSize + Int(readLE32(file, at: offset))
      precondition(end <= file.count, "frame runs past the end of the file")
      out.append(Array(file[offset..<end]))
      offset = end
    }
    return out
  }

  /// Decrypts a well-framed object file with the fixture's key, vault and binding, chunk by chunk,
  /// without ObjectReader: the plaintexts exactly as stored (padding and trailer included).
  func decryptFrames(_ file: [UInt8]) throws -> [(plaintext: [UInt8], isFinal: Bool)] {
    let header = try ObjectHeader.decode(Array(file.prefix(ObjectHeader.size)))
    let ad = header.associatedData(vault: vault, binding: binding)
    let decryptor = try SecretStream.Decryptor(
      key: key, header: Array(file[ObjectHeader.size..<Self.firstChunkOffset]))
    return try Self.frames(file).map { frame in
      let plain = try decryptor.pull(Array(frame.dropFirst(ObjectHeader.lengthPrefixSize)), associatedData: ad)
      return (plain, decryptor.isFinished)
    }
  }

  /// The size of the file ObjectWriter makes for `contentLength` bytes, worked out from
  /// FORMAT.md §6 rather than from the writer: full MESSAGE chunks, the tail in the final chunk
  /// padded to `paddedFinalLength`, or, if tail + 4 does not fit, as a short MESSAGE chunk of
  /// its own before a final chunk of padding only.
  static func expectedFileSize(contentLength: Int, chunkSize: Int = chunkSize) -> Int {
    func framed(_ plaintext: Int) -> Int { ObjectHeader.lengthPrefixSize + plaintext + SecretStream.chunkOverhead }
    func padded(_ tail: Int) -> Int {
      var n = 256
      while n < tail + 4 { n *= 2 }
      return min(n, chunkSize)
    }
    let fullChunks = contentLength == 0 ? 0 : (contentLength - 1) / chunkSize
    let tail = contentLength - fullChunks * chunkSize
    var size = firstChunkOffset + fullChunks * framed(chunkSize)
    if tail + 4 > chunkSize {
      size += framed(tail) + framed(padded(0))
    } else {
      size += framed(padded(tail))
    }
    return size
  }

  /// Names left in the temporary directory.
  func temporaryFiles() throws -> [String] { try dir.contents(of: "tmp") }
}
