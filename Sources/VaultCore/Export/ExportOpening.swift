import Foundation
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

/// Decrypts an age file (an export, or any age file), or an HTML export, to check it; needs no vault.
public enum ExportOpening {
  /// Where the key comes from.
  public enum Key {
    /// An age identity file (AGE-SECRET-KEY-1… lines).
    case identityFile(String)
    /// A passphrase, read when needed.
    case passphrase(PassphraseSource)
  }

  /// Decrypts `file` into `out` (which appears only if the whole file decrypted and
  /// authenticated); returns the number of bytes written.
  public static func decrypt(_ file: String, with key: Key, to out: String, force: Bool) throws -> UInt64 {
    if try isHTMLExport(file) { return try openHTML(file, with: key, to: out, force: force) }
    var identities: [AgeIdentity] = []
    switch key {
    case .identityFile(let path):
      let text = String(decoding: try InputFile.read(path: path, limit: 1 << 16), as: UTF8.self)
      identities = try text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { $0.hasPrefix("AGE-SECRET-KEY-1") }.map { try AgeIdentity.parse($0) }
      guard !identities.isEmpty else { throw VaultError.noAgeIdentity(path: path) }
    case .passphrase(let source):
      identities = [.passphrase(try source.read(prompt: "Export passphrase: "))]
    }
    let fd = FileSystem.openUserFile(file, O_RDONLY)
    guard fd >= 0 else { throw VaultError.io(path: file, reason: "cannot open it: \(String(cString: strerror(errno)).lowercased())") }
    defer { close(fd) }
    let target = try OutputFile(out, force: force)
    var total: UInt64 = 0
    try AgeReader(identities: identities).decrypt({ buffer in
      while true {
        let n = read(fd, buffer.baseAddress, buffer.count)
        if n < 0 && errno == EINTR { continue }
        guard n >= 0 else { throw VaultError.io(path: file, reason: String(cString: strerror(errno)).lowercased()) }
        return n
      }
    }) { chunk in
      try target.write(chunk)
      total += UInt64(chunk.count)
    }
    try target.commit()
    return total
  }

  /// Whether `file` starts as an HTML export does.
  static func isHTMLExport(_ file: String) throws -> Bool {
    let fd = FileSystem.openUserFile(file, O_RDONLY)
    guard fd >= 0 else { throw VaultError.io(path: file, reason: "cannot open it: \(String(cString: strerror(errno)).lowercased())") }
    defer { close(fd) }
    var prefix = [UInt8](repeating: 0, count: 15)
    let n = prefix.withUnsafeMutableBytes { read(fd, $0.baseAddress, 15) }
    return n == 15 && HTMLExportReader.looksLikeHTML(prefix)
  }

  /// Opens an HTML export (FORMAT.md §15.1) as its page does and writes what it holds as a ZIP:
  /// index.html, the documents under their paths, record.json.
  static func openHTML(_ file: String, with key: Key, to out: String, force: Bool) throws -> UInt64 {
    guard case .passphrase(let source) = key else {
      throw RecordError.exportFormUnsuitable("\(file) is an HTML export, which opens with its passphrase: give --passphrase-file, not --identity")
    }
    let page = try InputFile.read(path: file, limit: HTMLExportReader.maximumBytes)
    let passphrase = try source.read(prompt: "Export passphrase: ")
    // The ZIP gets its name only when every part opened.
    let target = try OutputFile(out, force: force)
    var total: UInt64 = 0
    let zip = ZipWriter { bytes in
      try target.write(bytes)
      total += UInt64(bytes.count)
    }
    try HTMLExportReader.open(page, passphrase: passphrase, record: { try zip.add("index.html", $0) }, file: { try zip.add($0, $1) })
    try zip.finish()
    try target.commit()
    return total
  }
}
