import VaultCrypto

/// The kinds of file a vault holds; the byte at offset 6 of every file (FORMAT.md §3).
public enum FileKind: UInt8, Sendable, CustomStringConvertible {
  case config = 1
  case keySlot = 2
  case index = 3
  case object = 4
  case clientKey = 5
  case logEntries = 6
  case logCheckpoints = 7
  /// The marker of a backup repository (FORMAT.md §16).
  case backupRepository = 8
  /// A backup snapshot's manifest.
  case backupSnapshot = 9
  /// The practice's practitioners and roles (FORMAT.md §17).
  case practitioners = 10
  /// A pack of a backup repository: entries back to back, then their list (FORMAT.md §16.2).
  case backupPack = 11
  /// An index of a backup repository: the lists of some of its packs (FORMAT.md §16.3).
  case backupIndex = 12

  /// The kind's name as FORMAT.md writes it.
  public var description: String {
    switch self {
    case .config: "config"
    case .keySlot: "key slot"
    case .index: "index"
    case .object: "object"
    case .clientKey: "client key"
    case .logEntries: "access log"
    case .logCheckpoints: "log checkpoints"
    case .backupRepository: "backup repository"
    case .backupSnapshot: "backup snapshot"
    case .practitioners: "practitioners"
    case .backupPack: "backup pack"
    case .backupIndex: "backup index"
    }
  }
}

/// The 8-byte header that opens every vault file: magic "vault", version, kind, revision.
///
/// The last byte is the kind's layout revision: 0 for every file of format 1 as first written;
/// 1 for the index and client key files of a practice with practitioners (FORMAT.md §17), which
/// earlier releases refuse rather than misread.
public enum FileHeader {
  /// ASCII "vault".
  public static let magic: [UInt8] = Array("vault".utf8)
  /// The only format version this release writes and reads.
  public static let currentVersion: UInt8 = 1
  /// Header length in bytes.
  public static let size = 8

  /// The header bytes for a file of `kind`.
  public static func encode(_ kind: FileKind, revision: UInt8 = 0) -> [UInt8] {
    magic + [currentVersion, kind.rawValue, revision]
  }

  /// Checks the header of `reader`'s bytes and consumes it; returns its revision, one of `revisions`.
  @discardableResult
  public static func read(_ kind: FileKind, from reader: inout ByteReader, revisions: ClosedRange<UInt8> = 0...0) throws(FormatError) -> UInt8 {
    let h = try reader.read(size)
    guard Array(h[0..<5]) == magic else { throw .badMagic }
    guard h[5] == currentVersion else { throw .unsupportedVersion(h[5]) }
    guard h[6] == kind.rawValue else { throw .wrongKind(expected: kind, found: h[6]) }
    guard revisions.contains(h[7]) else {
      throw .invalidField(revisions.upperBound > 0 && h[7] > revisions.upperBound ? "layout revision \(h[7]) is newer than this release reads; update vault" : "reserved header flags are not zero")
    }
    return h[7]
  }
}

/// Files other than objects end in a BLAKE2b-256 of everything before it, so that corruption
/// is found without a key (FORMAT.md §3). It is a checksum, not a MAC: authenticity comes from
/// the AEAD or MAC inside each file.
public enum ChecksummedFile {
  /// Header ‖ body ‖ checksum.
  public static func encode(_ kind: FileKind, revision: UInt8 = 0, body: [UInt8]) throws -> [UInt8] {
    let content = FileHeader.encode(kind, revision: revision) + body
    return content + (try Hasher.blake2b256(content))
  }

  /// Verifies header and checksum and returns the body.
  public static func decode(_ kind: FileKind, _ bytes: [UInt8]) throws -> [UInt8] {
    try decode(kind, bytes, revisions: 0...0).body
  }

  /// Verifies header (of one of `revisions`) and checksum; returns the revision and the body.
  public static func decode(_ kind: FileKind, _ bytes: [UInt8], revisions: ClosedRange<UInt8>) throws -> (revision: UInt8, body: [UInt8]) {
    guard bytes.count >= FileHeader.size + Hasher.digestSize else {
      if bytes.count >= FileHeader.size {
        var r = ByteReader(bytes)
        try FileHeader.read(kind, from: &r, revisions: revisions)
      }
      throw FormatError.truncated
    }
    var r = ByteReader(bytes)
    let revision = try FileHeader.read(kind, from: &r, revisions: revisions)
    // Hashed in place: a large file (a snapshot manifest) is not copied to be checked.
    let hasher = try Hasher()
    bytes.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0.prefix(bytes.count - Hasher.digestSize))) }
    let sum = Array(bytes.suffix(Hasher.digestSize))
    guard constantTimeEqual(hasher.finalize(), sum) else { throw FormatError.checksumMismatch }
    return (revision, Array(bytes[FileHeader.size..<(bytes.count - Hasher.digestSize)]))
  }
}
