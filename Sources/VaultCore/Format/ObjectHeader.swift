/// What an object holds; bound into every chunk's associated data, never stored in the clear.
public enum ObjectType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
  /// The list of one client's records (FORMAT.md §8.2).
  case clientIndex = 1
  /// A version of a client's demographic record.
  case clientRecord = 2
  /// A version of a session note.
  case note = 3
  /// An attached document (consent form, release, a practice's blank form).
  case document = 4
  /// The practice's own list: its registered blank forms (FORMAT.md §8.3).
  case practiceIndex = 5
  /// What an auditor may read of one client: names, consents, disclosures, requests (FORMAT.md §17.5).
  case register = 6

  /// The name used in findings and FORMAT.md.
  public var description: String {
    switch self {
    case .clientIndex: "client index"
    case .clientRecord: "client record"
    case .note: "note"
    case .document: "document"
    case .practiceIndex: "practice index"
    case .register: "client register"
    }
  }

  /// The most content an object of this type can hold when read whole into memory; a larger one
  /// is damage (FORMAT.md §6.7). Documents are always streamed, never held whole.
  public var maximumContent: Int {
    switch self {
    case .clientIndex, .practiceIndex, .register: 8 << 20
    case .clientRecord: 1 << 20
    case .note: 16 << 20
    case .document: Int.max
    }
  }
}

/// What an object is, as the structure that refers to it (the index) says: its type and owner.
///
/// Neither is written in the object's clear bytes, so the files do not reveal which objects
/// belong to the same client or which are notes; both are bound into the associated data, so
/// an object opened as anything other than what it was written as fails to authenticate.
public struct ObjectBinding: Equatable, Sendable {
  /// What the object holds.
  public var type: ObjectType
  /// The client whose key encrypts it, or `RandomID.none` for vault-level objects.
  public var client: RandomID

  /// Creates a binding.
  public init(type: ObjectType, client: RandomID) {
    self.type = type
    self.client = client
  }
}

/// The clear prefix of an object file: common header and chunk size (FORMAT.md §6.1).
public struct ObjectHeader: Equatable, Sendable {
  /// Encoded length: 8 (common header) + 4 (chunk size).
  public static let size = FileHeader.size + 4
  /// Plaintext bytes per chunk unless a writer chooses otherwise.
  public static let defaultChunkSize: UInt32 = 64 << 10
  /// Smallest and largest chunk sizes a reader accepts; larger would let a hostile file demand huge buffers.
  public static let chunkSizeRange: ClosedRange<UInt32> = 1024...(16 << 20)
  /// The final chunk's plaintext is padded to a power of two of at least this many bytes.
  public static let minimumFinalChunk = 256
  /// Bytes of the padding-length trailer at the end of the final chunk's plaintext.
  public static let trailerSize = 4
  /// Bytes of the length prefix before each chunk.
  public static let lengthPrefixSize = 4
  /// The smallest valid object: header, stream header and one final chunk of 256 plaintext bytes.
  public static let minimumFileSize = size + 24 + lengthPrefixSize + minimumFinalChunk + 17

  /// Plaintext bytes per full chunk.
  public var chunkSize: UInt32

  /// Creates a header.
  public init(chunkSize: UInt32 = ObjectHeader.defaultChunkSize) {
    self.chunkSize = chunkSize
  }

  /// The encoded header bytes.
  public var encoded: [UInt8] {
    var w = ByteWriter()
    w.write(FileHeader.encode(.object))
    w.write(chunkSize)
    return w.bytes
  }

  /// Parses and validates a header.
  public static func decode(_ bytes: [UInt8]) throws(FormatError) -> ObjectHeader {
    var r = ByteReader(bytes)
    try FileHeader.read(.object, from: &r)
    let chunk = try r.readUInt32()
    guard chunkSizeRange.contains(chunk) else { throw .invalidField("chunk size \(chunk) out of range") }
    try r.expectEnd()
    return ObjectHeader(chunkSize: chunk)
  }

  /// The associated data of every chunk: label ‖ vault id ‖ type ‖ client id ‖ encoded header.
  public func associatedData(vault: RandomID, binding: ObjectBinding) -> [UInt8] {
    Binding.object + vault.bytes + [binding.type.rawValue] + binding.client.bytes + encoded
  }

  /// The plaintext length of a final chunk holding `tail` bytes of content: tail plus trailer,
  /// rounded up to a power of two (at least 256, at most the chunk size), so an object's size
  /// reveals only a coarse bucket of its content's length.
  public func paddedFinalLength(tail: Int) -> Int {
    let needed = tail + Self.trailerSize
    var n = Self.minimumFinalChunk
    while n < needed { n <<= 1 }
    precondition(needed <= Int(chunkSize), "the final chunk's content must leave room for the trailer")
    return min(n, Int(chunkSize))
  }
}
