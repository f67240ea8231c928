import Foundation
import VaultCrypto

/// Writes the self-decrypting HTML form of an export (FORMAT.md, "HTML export"): one page that
/// a browser opens offline with the passphrase, decrypting with WebCrypto (PBKDF2-HMAC-SHA-256,
/// AES-256-GCM). Part 0 is the record (index.html and a manifest of the other parts); parts
/// 1…n−1 are the documents and record.json, each sealed on its own. Parts stream out as they are
/// written, base64 in lines, so memory does not grow with a document's size; the record and
/// record.json, which the export adds last, are sealed at `finish`. The notes as Markdown,
/// README.txt and manifest.sha256 belong to the ZIP form and are not written (the record holds
/// the notes; the manifest is part 0's).
public final class HTMLExportWriter: ExportSink {
  /// The format's name, first in the header and in the manifest.
  public static let format = "vault-html-export/1"
  /// PBKDF2 iterations of a new file (OWASP's 2023 figure for PBKDF2-HMAC-SHA-256).
  public static let iterations: UInt32 = 600_000
  /// The most document bytes an HTML export holds: a phone's browser holds the page, the
  /// decoded ciphertext and the plaintext at once.
  public static let maxDocumentBytes: UInt64 = 200 << 20
  /// Bytes of the binary header: magic (20), iterations (4), salt (16), nonce prefix (8).
  static let headerSize = 48
  /// The part number of the key check (an empty message: a wrong passphrase is told apart from damage).
  static let checkPart: UInt32 = 0xFFFF_FFFF

  private let output: (UnsafeRawBufferPointer) throws -> Void
  private let key: SecretKey
  /// The 48-byte header every part's additional data starts with.
  let header: [UInt8]
  private var started = false
  private var nextPart: UInt32 = 1
  private var documents: [Manifest.Document] = []
  private var record: [UInt8]?
  private var recordJSON: [UInt8]?
  private var open: Open?

  /// A part being written.
  private struct Open {
    var document: Manifest.Document
    let sealer: AES256GCM?
    let sha: SHA256.Stream?
    var base64: Base64Lines
  }

  /// Part 0's plaintext (UTF-8 JSON).
  struct Manifest: Codable {
    struct Document: Codable {
      let part: UInt32
      let name: String
      let path: String
      let mediaType: String
      var size: UInt64
      var sha256: String
    }
    let format: String
    let parts: Int
    let record: String
    let documents: [Document]
  }

  /// A writer sealing with a key derived from `passphrase`; `salt` and `noncePrefix` are random
  /// unless given (for the test vector).
  public init(
    passphrase: SecureBytes, iterations: UInt32 = HTMLExportWriter.iterations, salt: [UInt8]? = nil, noncePrefix: [UInt8]? = nil,
    output: @escaping (UnsafeRawBufferPointer) throws -> Void
  ) throws {
    let salt = try salt ?? Random.bytes(16)
    let prefix = try noncePrefix ?? Random.bytes(8)
    precondition(salt.count == 16 && prefix.count == 8, "salt is 16 bytes, nonce prefix 8")
    var h = Array("\(Self.format)\n".utf8)
    withUnsafeBytes(of: iterations.bigEndian) { h += $0 }
    header = h + salt + prefix
    key = try PBKDF2.sha256(passphrase: passphrase, salt: salt, iterations: iterations)
    self.output = output
  }

  /// The nonce of part `part`: the prefix, then the part number (u32, big-endian).
  func nonce(_ part: UInt32) -> [UInt8] { Self.nonce(part, header: header) }
  /// The additional data of part `part`: the header, the part number, 1 if it is the last part.
  func additionalData(_ part: UInt32, last: Bool) -> [UInt8] { Self.additionalData(part, last: last, header: header) }
  /// The nonce of part `part` of the file with `header` (the reader's too).
  static func nonce(_ part: UInt32, header: [UInt8]) -> [UInt8] { Array(header[40..<48]) + u32(part) }
  /// The additional data of part `part` of the file with `header` (the reader's too).
  static func additionalData(_ part: UInt32, last: Bool, header: [UInt8]) -> [UInt8] { header + u32(part) + [last ? 1 : 0] }
  static func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }

  private func emit(_ text: String) throws { try emit(Array(text.utf8)) }
  private func emit(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try output($0) } }

  /// The page's head, the form, the header and the key check, once.
  private func start() throws {
    guard !started else { return }
    started = true
    let hash = Base64Lines.encode(Array(HTMLExportPage.script.utf8).withUnsafeBytes { SHA256.hash($0) })
    try emit(HTMLExportPage.head(scriptHash: hash))
    try emit(element("vault-header", Base64Lines.encode(header)))
    let check = try AES256GCM.seal([], key: key, nonce: nonce(Self.checkPart), associatedData: additionalData(Self.checkPart, last: false))
    try emit(element("vault-check", Base64Lines.encode(check)))
  }

  private func element(_ id: String, _ base64: String) -> String {
    "<script type=\"application/octet-stream\" id=\"\(id)\">\n\(base64)\n</script>\n"
  }

  public func add(_ name: String, _ bytes: [UInt8]) throws {
    switch name {
    case "index.html": record = bytes
    case "record.json": recordJSON = bytes
    case _ where name.hasPrefix("documents/"):
      try begin(name, sizeHint: UInt64(bytes.count), mediaType: "application/octet-stream")
      try bytes.withUnsafeBytes { try write($0) }
      try end()
    default: break  // notes/*.md, README.txt, manifest.sha256: the ZIP form's
    }
  }

  public func begin(_ name: String, sizeHint: UInt64, mediaType: String) throws {
    precondition(open == nil, "a part is already open")
    try start()
    let part = nextPart
    nextPart += 1
    let document = Manifest.Document(
      part: part, name: String(name.split(separator: "/").last ?? Substring(name)), path: name, mediaType: mediaType, size: 0, sha256: "")
    // Only documents are sealed as they stream; whatever else comes whole is kept for `finish`.
    open = Open(
      document: document, sealer: try AES256GCM(sealingWith: key, nonce: nonce(part), associatedData: additionalData(part, last: false)),
      sha: SHA256.Stream(), base64: Base64Lines())
    try emit("<script type=\"application/octet-stream\" id=\"vault-part-\(part)\">\n")
  }

  public func write(_ bytes: UnsafeRawBufferPointer) throws {
    guard var o = open, let sealer = o.sealer else { preconditionFailure("no open part") }
    o.sha?.update(bytes)
    o.document.size += UInt64(bytes.count)
    let sealed = try sealer.update(bytes)
    let text = o.base64.add(sealed)
    open = o
    try emit(text)
  }

  public func end() throws {
    guard var o = open, let sealer = o.sealer, let sha = o.sha else { preconditionFailure("no open part") }
    let text = o.base64.add(try sealer.finish()) + o.base64.flush()
    o.document.sha256 = Hex.encode(sha.finalize())
    documents.append(o.document)
    open = nil
    try emit(text)
    try emit("\n</script>\n")
  }

  /// Seals record.json as the last part and the record with the manifest as part 0, then ends the page.
  public func finish() throws {
    precondition(open == nil, "a part is still open")
    guard let record else { throw VaultError.internalError("an HTML export was finished without its index.html") }
    try start()
    if let recordJSON {
      let part = nextPart
      nextPart += 1
      let sealed = try AES256GCM.seal(recordJSON, key: key, nonce: nonce(part), associatedData: additionalData(part, last: true))
      documents.append(
        .init(part: part, name: "record.json", path: "record.json", mediaType: "application/json", size: UInt64(recordJSON.count),
          sha256: Hex.encode(recordJSON.withUnsafeBytes { SHA256.hash($0) })))
      try emit(element("vault-part-\(part)", Base64Lines.encode(sealed)))
    } else {
      throw VaultError.internalError("an HTML export was finished without its record.json")
    }
    let manifest = Manifest(format: Self.format, parts: documents.count + 1, record: String(decoding: record, as: UTF8.self), documents: documents)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let sealed = try AES256GCM.seal(Array(try encoder.encode(manifest)), key: key, nonce: nonce(0), associatedData: additionalData(0, last: false))
    try emit(element("vault-part-0", Base64Lines.encode(sealed)))
    try emit(HTMLExportPage.tail)
  }
}

/// Base64 (RFC 4648, standard alphabet, padded) in lines of 76 characters (57 bytes), fed in
/// pieces; whole lines are encoded by Foundation.
struct Base64Lines {
  private var pending: [UInt8] = []
  private var started = false

  /// The whole of `bytes`, in lines.
  static func encode(_ bytes: [UInt8]) -> String {
    var b = Base64Lines()
    return b.add(bytes) + b.flush()
  }

  /// Encodes the whole lines of `pending ‖ bytes`; keeps the rest.
  mutating func add(_ bytes: [UInt8]) -> String {
    let all = pending.isEmpty ? bytes : pending + bytes
    let whole = all.count / 57 * 57
    pending = Array(all[whole...])
    guard whole > 0 else { return "" }
    return line(all[..<whole])
  }

  /// Encodes what is left (the last line, padded).
  mutating func flush() -> String {
    defer { pending = [] }
    return pending.isEmpty ? "" : line(pending[...])
  }

  private mutating func line(_ bytes: ArraySlice<UInt8>) -> String {
    let text = Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
    defer { started = true }
    return started ? "\n" + text : text
  }
}
