/// A blank form the practice registered: the current version of a consent kind.
public struct PracticeForm: Sendable, Equatable {
  /// The consent kind it is the form for.
  public var kind: ConsentKind
  /// The practice's version label ("2026-01", "v3").
  public var version: String
  /// The blank form's file (a vault-level document object).
  public var file: StoredFile
}

/// The plaintext of the practice index object (type 5, FORMAT.md §8.3): everything the practice
/// keeps that belongs to no client. The index names it with the all-zero client id, and it is
/// encrypted under the vault-object key.
public struct PracticeIndex: Sendable, Equatable {
  /// Every form ever registered, oldest first; the last of each kind is current.
  public var forms: [PracticeForm]

  /// An index holding `forms`.
  public init(forms: [PracticeForm] = []) { self.forms = forms }

  /// The current form of each kind that has one.
  public var currentForms: [ConsentKind: PracticeForm] {
    var out: [ConsentKind: PracticeForm] = [:]
    for f in forms { out[f.kind] = f }
    return out
  }

  static let version: UInt8 = 1

  /// The encoded plaintext.
  public func encoded() -> [UInt8] {
    var w = ByteWriter()
    w.write(Self.version)
    w.write(UInt32(forms.count))
    for f in forms {
      w.write(f.kind.rawValue)
      w.writeString(f.version)
      w.write(f.file)
    }
    return w.bytes
  }

  /// Parses and validates the plaintext of a practice index object.
  public static func decode(_ bytes: [UInt8]) throws(FormatError) -> PracticeIndex {
    var r = ByteReader(bytes)
    let version = try r.readUInt8()
    guard version == Self.version else { throw .invalidField("practice index version \(version) is not supported") }
    let count = Int(try r.readUInt32())
    guard count <= r.remaining / 57 else { throw .invalidField("a count is larger than the data holds") }
    var forms: [PracticeForm] = []
    for _ in 0..<count {
      let raw = try r.readUInt8()
      guard let kind = ConsentKind(rawValue: raw) else { throw .invalidField("unknown consent kind \(raw)") }
      let label = try r.readString(maxBytes: ClientIndex.maxAuthor)
      forms.append(PracticeForm(kind: kind, version: label, file: try r.readStoredFile()))
    }
    try r.expectEnd()
    return PracticeIndex(forms: forms)
  }
}
