#if canImport(Glibc)
  import Glibc
#endif
import VaultCrypto

/// AWS Signature Version 4 for S3, header-signed (`Authorization`), with the payload hashed.
struct S3Signer: Sendable {
  let credentials: S3Credentials
  let service = "s3"

  /// The SHA-256 of an empty payload, hex.
  static let emptyPayloadHash = hex(SHA256.hash(UnsafeRawBufferPointer(start: nil, count: 0)))

  /// The headers to add to a request (x-amz-date, x-amz-content-sha256, the session token and
  /// Authorization). `path` is already URI-encoded; `query` items are raw and encoded here, and
  /// the caller must send them in the same encoding (`canonicalQuery`). `headers` are signed too.
  func sign(method: String, host: String, path: String, query: [(String, String)], headers: [String: String],
            payloadHash: String, time: Int) -> [String: String] {
    let (amzDate, day) = Self.timestamps(time)
    var signed: [String: String] = [:]
    for (k, v) in headers { signed[k.lowercased()] = v.trimmingSpaces }
    signed["host"] = host
    signed["x-amz-date"] = amzDate
    signed["x-amz-content-sha256"] = payloadHash
    if let token = credentials.sessionToken { signed["x-amz-security-token"] = token }
    let names = signed.keys.sorted()
    let signedHeaders = names.joined(separator: ";")
    let canonicalRequest = [
      method, path, Self.canonicalQuery(query),
      names.map { "\($0):\(signed[$0]!)\n" }.joined(), signedHeaders, payloadHash,
    ].joined(separator: "\n")
    let scope = "\(day)/\(credentials.region)/\(service)/aws4_request"
    let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.hex(Self.sha256(canonicalRequest))].joined(separator: "\n")
    var key = Array("AWS4\(credentials.secretAccessKey)".utf8)
    for part in [day, credentials.region, service, "aws4_request"] { key = Self.hmac(key, part) }
    let signature = Self.hex(Self.hmac(key, stringToSign))
    var out = signed
    out["host"] = nil  // the HTTP layer sets Host from the URL
    out["authorization"] = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope),SignedHeaders=\(signedHeaders),Signature=\(signature)"
    return out
  }

  /// The query string, sorted by name then value, each part URI-encoded: what is signed and sent.
  static func canonicalQuery(_ items: [(String, String)]) -> String {
    items.map { (uriEncode($0.0, keepSlash: false), uriEncode($0.1, keepSlash: false)) }
      .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
      .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
  }

  /// RFC 3986 encoding as SigV4 wants it: unreserved characters kept, every other byte %XX.
  static func uriEncode(_ s: String, keepSlash: Bool) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for b in s.utf8 {
      switch b {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
        UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
        out.unicodeScalars.append(Unicode.Scalar(b))
      case UInt8(ascii: "/") where keepSlash: out.append("/")
      default:
        let digits = Array("0123456789ABCDEF".utf8)
        out.unicodeScalars.append(Unicode.Scalar(UInt8(ascii: "%")))
        out.unicodeScalars.append(Unicode.Scalar(digits[Int(b >> 4)]))
        out.unicodeScalars.append(Unicode.Scalar(digits[Int(b & 15)]))
      }
    }
    return out
  }

  /// "20130524T000000Z" and "20130524" for a Unix time, UTC.
  static func timestamps(_ time: Int) -> (String, String) {
    var t = time_t(time)
    var tm = tm()
    gmtime_r(&t, &tm)
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    let day = "\(tm.tm_year + 1900)\(two(tm.tm_mon + 1))\(two(tm.tm_mday))"
    return ("\(day)T\(two(tm.tm_hour))\(two(tm.tm_min))\(two(tm.tm_sec))Z", day)
  }

  static func sha256(_ s: String) -> [UInt8] { Array(s.utf8).withUnsafeBytes { SHA256.hash($0) } }

  static func hmac(_ key: [UInt8], _ message: String) -> [UInt8] {
    key.withUnsafeBytes { k in Array(message.utf8).withUnsafeBytes { SHA256.hmac(key: k, $0) } }
  }

  /// Lowercase hex, as SigV4 spells hashes and signatures.
  static func hex(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }
}

extension String {
  /// Leading and trailing spaces removed, inner runs of spaces made one (SigV4 header values).
  fileprivate var trimmingSpaces: String {
    split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
  }
}
