import Foundation
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

/// Why an HTML export did not open.
public enum HTMLExportError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The key check failed: a wrong passphrase (or a changed header).
  case wrongPassphrase
  /// The page is not an HTML export, or a part is missing, added, moved or modified.
  case damaged(String)

  public var description: String {
    switch self {
    case .wrongPassphrase: "the passphrase does not open this HTML export (or its header was changed)"
    case .damaged(let why): "the HTML export is damaged or was changed: \(why); nothing was written"
    }
  }

}

/// Reads an HTML export (FORMAT.md §15.1) the way its page does, for `vault export open`: every
/// part must open, in place and complete, or nothing is returned. The second reader of the
/// format, independent of the page's JavaScript.
enum HTMLExportReader {
  /// The largest page read: 200 MiB of documents in base64 lines, and the record.
  static let maximumBytes = 400 << 20

  /// Whether `prefix` (the file's first bytes) starts an HTML export.
  static func looksLikeHTML(_ prefix: [UInt8]) -> Bool {
    String(decoding: prefix.prefix(15), as: UTF8.self).lowercased() == "<!doctype html>"
  }

  /// Opens every part: `record` gets the decrypted record (index.html), then `file` each other
  /// part (ZIP path, bytes) in part order, each once it checked; throws at the first that does not.
  /// Elements are decoded one at a time, so memory holds the page and one part twice.
  static func open(
    _ page: [UInt8], passphrase: SecureBytes, record: ([UInt8]) throws -> Void, file: (String, [UInt8]) throws -> Void
  ) throws {
    let ranges = try elements(page)
    func decoded(_ id: String) -> [UInt8]? {
      // Whitespace (and anything else outside the alphabet) is skipped: the tags authenticate the bytes.
      ranges[id].flatMap { Data(base64Encoded: Data(page[$0]), options: .ignoreUnknownCharacters) }.map(Array.init)
    }
    guard let header = decoded("vault-header"), header.count == HTMLExportWriter.headerSize,
      header.starts(with: Array("\(HTMLExportWriter.format)\n".utf8))
    else { throw HTMLExportError.damaged("its header is missing or not an HTML export's") }
    let iterations = header[20..<24].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    guard iterations >= 1, iterations <= PBKDF2.maxIterations else { throw HTMLExportError.damaged("its iteration count is out of range") }
    let key = try PBKDF2.sha256(passphrase: passphrase, salt: Array(header[24..<40]), iterations: iterations)
    func open(_ part: UInt32, last: Bool, _ sealed: [UInt8]?) -> [UInt8]? {
      guard let sealed else { return nil }
      return try? AES256GCM.open(
        sealed, key: key, nonce: HTMLExportWriter.nonce(part, header: header),
        associatedData: HTMLExportWriter.additionalData(part, last: last, header: header))
    }
    guard open(HTMLExportWriter.checkPart, last: false, decoded("vault-check")) != nil else { throw HTMLExportError.wrongPassphrase }
    guard let plain = open(0, last: false, decoded("vault-part-0")) else { throw HTMLExportError.damaged("part 0 (the record) does not open") }
    guard let manifest = try? JSONDecoder().decode(HTMLExportWriter.Manifest.self, from: Data(plain)), manifest.format == HTMLExportWriter.format,
      manifest.parts == manifest.documents.count + 1, manifest.parts < Int(HTMLExportWriter.checkPart), ranges["vault-part-\(manifest.parts)"] == nil
    else { throw HTMLExportError.damaged("its manifest does not match its parts") }
    // The paths become ZIP entry names: only what a writer makes, each once (a hand-made page
    // must not smuggle `../` or a second index.html into the check copy).
    let paths = manifest.documents.map(\.path)
    guard Set(paths).count == paths.count, paths.allSatisfy(Self.isWrittenPath) else {
      throw HTMLExportError.damaged("its manifest names a file no export writes")
    }
    try record(Array(manifest.record.utf8))
    for (i, d) in manifest.documents.enumerated() {
      let p = i + 1
      guard d.part == p, let bytes = open(UInt32(p), last: p == manifest.parts - 1, decoded("vault-part-\(p)")), bytes.count == d.size,
        Hex.encode(bytes.withUnsafeBytes { SHA256.hash($0) }) == d.sha256
      else { throw HTMLExportError.damaged("part \(p) (\(d.path)) is missing, moved or modified") }
      try file(d.path, bytes)
    }
  }

  /// record.json, or `documents/NAME` with a name `Records.safeFileName` leaves as it is.
  static func isWrittenPath(_ path: String) -> Bool {
    if path == "record.json" { return true }
    guard path.hasPrefix("documents/") else { return false }
    let name = String(path.dropFirst("documents/".count))
    return !name.isEmpty && Records.safeFileName(name) == name
  }

  /// Where the text of every `<script type="application/octet-stream" id="…">` element is.
  static func elements(_ page: [UInt8]) throws -> [String: Range<Int>] {
    let start = Array("<script type=\"application/octet-stream\" id=\"".utf8)
    let end = Array("</script>".utf8)
    var out: [String: Range<Int>] = [:]
    var at = 0
    while let s = find(start, in: page, from: at) {
      let idStart = s + start.count
      guard let quote = page[idStart...].firstIndex(of: UInt8(ascii: "\"")), quote + 1 < page.count, page[quote + 1] == UInt8(ascii: ">"),
        let e = find(end, in: page, from: quote + 2)
      else { throw HTMLExportError.damaged("an element is cut short") }
      let id = String(decoding: page[idStart..<quote], as: UTF8.self)
      guard out[id] == nil else { throw HTMLExportError.damaged("element \(id) is repeated") }
      out[id] = (quote + 2)..<e
      at = e + end.count
    }
    return out
  }

  private static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
    guard from < hay.count else { return nil }
    return hay.withUnsafeBytes { h in
      needle.withUnsafeBytes { n in
        // memchr for the first byte, memcmp for the rest (glibc's memmem needs _GNU_SOURCE).
        var i = from
        while i + n.count <= h.count {
          guard let p = memchr(h.baseAddress! + i, Int32(n[0]), h.count - i) else { return nil }
          i = p - UnsafeMutableRawPointer(mutating: h.baseAddress!)
          if i + n.count <= h.count && memcmp(h.baseAddress! + i, n.baseAddress!, n.count) == 0 { return i }
          i += 1
        }
        return nil
      }
    }
  }
}
