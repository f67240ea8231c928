/// Why bytes read from disk are not a valid vault file; VaultCore turns these into integrity findings.
public enum FormatError: Error, Equatable, Sendable {
  /// The file ended before a field did.
  case truncated
  /// The file does not start with the vault magic.
  case badMagic
  /// The file's format version is one this release cannot read.
  case unsupportedVersion(UInt8)
  /// The file is a valid vault file, but of another kind than expected.
  case wrongKind(expected: FileKind, found: UInt8)
  /// The trailing BLAKE2b checksum does not match the content.
  case checksumMismatch
  /// Bytes follow the last field.
  case trailingBytes
  /// A field has a value outside its allowed range.
  case invalidField(String)
}

extension FormatError: CustomStringConvertible {
  /// A short lowercase phrase, used inside integrity findings.
  public var description: String {
    switch self {
    case .truncated: "file is truncated"
    case .badMagic: "not a vault file (bad magic)"
    case .unsupportedVersion(let v): "unsupported format version \(v)"
    case .wrongKind(let e, let f): "wrong file kind (expected: \(e); found kind \(f))"
    case .checksumMismatch: "checksum mismatch (file corrupted or modified)"
    case .trailingBytes: "unexpected bytes after the last field"
    case .invalidField(let why): "invalid field: \(why)"
    }
  }
}
