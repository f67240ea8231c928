/// What an object holds; part of its header and of every chunk's associated data.
public enum ObjectType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
  /// The list of one client's records (FORMAT.md §7).
  case clientIndex = 1
  /// A version of a client's demographic record.
  case clientRecord = 2
  /// A version of a session note.
  case note = 3
  /// An attached document (consent form, release).
  case document = 4

  /// The name used in findings and FORMAT.md.
  public var description: String {
    switch self {
    case .clientIndex: "client index"
    case .clientRecord: "client record"
    case .note: "note"
    case .document: "document"
    }
  }
}

/// The clear prefix of an object file: common header, type, owning client, chunk size (FORMAT.md §6).
public struct ObjectHeader: Equatable, Sendable {
  /// Encoded length: 8 (header) + 1 + 16 + 4.
  public static let size = FileHeader.size + 1 + RandomID.size + 4
  /// The smallest valid object: header, stream header and one empty final chunk.
  public static let minimumFileSize = size + 24 + 17
  /// Plaintext bytes per chunk unless a writer chooses otherwise.
  public static let defaultChunkSize: UInt32 = 64 << 10
  /// Smallest and largest chunk sizes a reader accepts; larger would let a hostile file demand huge buffers.
  public static let chunkSizeRange: ClosedRange<UInt32> = 1024...(16 << 20)

  /// What the object holds.
  public var type: ObjectType
  /// The client whose key encrypts it, or `RandomID.none` for vault-level objects.
  public var client: RandomID
  /// Plaintext bytes per chunk.
  public var chunkSize: UInt32

  /// Creates a header.
  public init(type: ObjectType, client: RandomID, chunkSize: UInt32 = ObjectHeader.defaultChunkSize) {
    self.type = type
    self.client = client
    self.chunkSize = chunkSize
  }

  /// The encoded header bytes.
  public var encoded: [UInt8] {
    var w = ByteWriter()
    w.write(FileHeader.encode(.object))
    w.write(type.rawValue)
    w.write(client.bytes)
    w.write(chunkSize)
    return w.bytes
  }

  /// Parses and validates a header.
  public static func decode(_ bytes: [UInt8]) throws(FormatError) -> ObjectHeader {
    var r = ByteReader(bytes)
    try FileHeader.read(.object, from: &r)
    let rawType = try r.readUInt8()
    guard let type = ObjectType(rawValue: rawType) else { throw .invalidField("unknown object type \(rawType)") }
    let client = try RandomID(bytes: r.read(RandomID.size))
    let chunk = try r.readUInt32()
    guard chunkSizeRange.contains(chunk) else { throw .invalidField("chunk size \(chunk) out of range") }
    try r.expectEnd()
    return ObjectHeader(type: type, client: client, chunkSize: chunk)
  }

  /// The associated data of every chunk: label ‖ vault id ‖ encoded header.
  public func associatedData(vault: RandomID) -> [UInt8] {
    Binding.object + vault.bytes + encoded
  }
}
