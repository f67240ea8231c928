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

/// The clear prefix of an object file: common header (whose last byte is the object's layout
/// revision) and chunk size (FORMAT.md §6.1).
///
/// Revision 0 (§6.1–§6.7) is one secretstream named by its BLAKE2b; revision 1 (§6.8), written
/// for every new object, seals chunks independently and is named by a SHA-256 tree, so both
/// cores encrypt and hash. Readers read both.
public struct ObjectHeader: Equatable, Sendable {
  /// Encoded length: 8 (common header) + 4 (chunk size).
  public static let size = FileHeader.size + 4
  /// Plaintext bytes per chunk unless a writer chooses otherwise.
  public static let defaultChunkSize: UInt32 = 64 << 10
  /// Smallest and largest chunk sizes a reader accepts; larger would let a hostile file demand huge buffers.
  public static let chunkSizeRange: ClosedRange<UInt32> = 1024...(16 << 20)
  /// The final chunk's plaintext is padded to a power of two of at least this many bytes.
  public static let minimumFinalChunk = 256
  /// Bytes of the padding-length trailer at the end of the final chunk's plaintext (revision 0).
  public static let trailerSize = 4
  /// Bytes of the length prefix before each chunk (revision 0).
  public static let lengthPrefixSize = 4
  /// The smallest valid object of revision 0: header, stream header and one final chunk of 256 plaintext bytes.
  public static let minimumFileSize = size + 24 + lengthPrefixSize + minimumFinalChunk + 17
  /// The revision new objects are written in.
  public static let currentRevision: UInt8 = 1
  /// The revisions this release reads.
  public static let revisions: ClosedRange<UInt8> = 0...1
  /// Revision 1: bytes of the clear head (header and nonce prefix) before the first chunk.
  public static let headSize1 = size + 16
  /// Revision 1: bytes each chunk adds to its plaintext.
  public static let chunkOverhead1 = 16
  /// Revision 1: the smallest valid object (head and a final chunk of 256 plaintext bytes).
  public static let minimumFileSize1 = headSize1 + minimumFinalChunk + chunkOverhead1

  /// Plaintext bytes per full chunk.
  public var chunkSize: UInt32
  /// The layout revision (header byte 7): 0 or 1.
  public var revision: UInt8

  /// Creates a header (of the revision new objects are written in unless told otherwise).
  public init(chunkSize: UInt32 = ObjectHeader.defaultChunkSize, revision: UInt8 = ObjectHeader.currentRevision) {
    self.chunkSize = chunkSize
    self.revision = revision
  }

  /// The smallest valid object file of this header's revision.
  public var minimumObjectSize: Int { revision == 0 ? Self.minimumFileSize : Self.minimumFileSize1 }

  /// The encoded header bytes.
  public var encoded: [UInt8] {
    var w = ByteWriter()
    w.write(FileHeader.encode(.object, revision: revision))
    w.write(chunkSize)
    return w.bytes
  }

  /// Parses and validates a header.
  public static func decode(_ bytes: [UInt8]) throws(FormatError) -> ObjectHeader {
    var r = ByteReader(bytes)
    let revision = try FileHeader.read(.object, from: &r, revisions: revisions)
    let chunk = try r.readUInt32()
    guard chunkSizeRange.contains(chunk) else { throw .invalidField("chunk size \(chunk) out of range") }
    try r.expectEnd()
    return ObjectHeader(chunkSize: chunk, revision: revision)
  }

  /// The associated data of every chunk: label ‖ vault id ‖ type ‖ client id ‖ encoded header
  /// (revision 1 adds one byte to it per chunk: 1 for the final chunk, else 0).
  public func associatedData(vault: RandomID, binding: ObjectBinding) -> [UInt8] {
    Binding.object + vault.bytes + [binding.type.rawValue] + binding.client.bytes + encoded
  }

  /// The plaintext length of a final chunk holding `tail` bytes of content.
  ///
  /// Revision 0: tail plus trailer, rounded up to a power of two (at least 256, at most the
  /// chunk size). Revision 1: tail plus the 0x80 marker, rounded likewise. So an object's size
  /// reveals only a coarse bucket of its content's length.
  public func paddedFinalLength(tail: Int) -> Int {
    let needed = tail + (revision == 0 ? Self.trailerSize : 1)
    var n = Self.minimumFinalChunk
    while n < needed { n <<= 1 }
    precondition(needed <= Int(chunkSize), "the final chunk's content must leave room for the padding")
    return min(n, Int(chunkSize))
  }
}
