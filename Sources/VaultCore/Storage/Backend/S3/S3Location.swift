/// Where a remote repository lives: `s3:https://HOST[:PORT]/BUCKET[/PREFIX]`, path-style.
///
/// Plain `http` is accepted only for a loopback host (a test server on this machine): anywhere
/// else the credentials' signatures and the (encrypted) backups would cross the network in clear.
public struct S3Location: Sendable, Equatable, CustomStringConvertible {
  /// "https", or "http" for loopback.
  public let scheme: String
  /// The host as written in the URL (an IPv6 address in brackets).
  public let host: String
  /// The port when given.
  public let port: Int?
  /// The bucket.
  public let bucket: String
  /// The key prefix every blob name is put under, without a trailing "/" ("" for none).
  public let prefix: String

  /// `string` with anything between `://` and an `@` before the first `/` replaced by `…`.
  static func redacted(_ string: String) -> String {
    guard let scheme = string.range(of: "://") else { return string }
    let rest = string[scheme.upperBound...]
    let authority = rest[..<(rest.firstIndex(of: "/") ?? rest.endIndex)]
    guard let at = authority.lastIndex(of: "@") else { return string }
    return String(string[..<scheme.upperBound]) + "…" + String(string[at...])
  }

  /// Parses `s3:https://HOST[:PORT]/BUCKET[/PREFIX]`.
  public init(_ string: String) throws(S3Error) {
    // A location with user information (`user:secret@host`) is echoed without it: the message
    // ends up in cron mail and the journal.
    func bad(_ reason: String) -> S3Error { .invalidLocation(Self.redacted(string), reason: reason) }
    guard string.hasPrefix("s3:") else { throw bad("it does not start with s3:") }
    var rest = Substring(string.dropFirst(3))
    if rest.hasPrefix("https://") {
      scheme = "https"
    } else if rest.hasPrefix("http://") {
      scheme = "http"
    } else {
      throw bad("the scheme must be https:// (or http:// for a server on this machine)")
    }
    rest = rest.dropFirst(scheme.count + 3)
    guard !rest.contains(where: { $0 == "?" || $0 == "#" }) else { throw bad("a query or fragment has no meaning here") }
    guard !rest.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true }) else {
      throw bad("it contains spaces or control characters")
    }
    let slash = rest.firstIndex(of: "/") ?? rest.endIndex
    let authority = rest[..<slash]
    // Credentials never travel in the URL (it ends up in shell history and process lists).
    guard !authority.contains("@") else { throw bad("credentials do not belong in the URL; use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or ~/.aws/credentials") }
    var hostPart = authority
    var portPart: Substring?
    if authority.hasPrefix("[") {
      guard let close = authority.firstIndex(of: "]") else { throw bad("an IPv6 address lacks its closing ]") }
      hostPart = authority[...close]
      let after = authority[authority.index(after: close)...]
      if !after.isEmpty {
        guard after.hasPrefix(":") else { throw bad("unexpected text after the IPv6 address") }
        portPart = after.dropFirst()
      }
    } else if let colon = authority.firstIndex(of: ":") {
      hostPart = authority[..<colon]
      portPart = authority[authority.index(after: colon)...]
    }
    guard !hostPart.isEmpty, hostPart.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.[]:".contains($0)) }) else {
      throw bad("the host is missing or not a host name")
    }
    host = String(hostPart)
    if let portPart {
      guard let p = Int(portPart), (1...65_535).contains(p), portPart.allSatisfy(\.isNumber) else { throw bad("the port is not a number from 1 to 65535") }
      port = p
    } else {
      port = nil
    }
    if scheme == "http" && !S3Location.isLoopback(host) {
      throw bad("plain http is refused except for a server on this machine (127.0.0.1, ::1, localhost): use https")
    }
    let path = slash == rest.endIndex ? "" : rest[rest.index(after: slash)...]
    var components = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    if components.last == "" { components.removeLast() }  // one trailing slash is harmless
    guard let first = components.first, !first.isEmpty else { throw bad("the bucket is missing") }
    guard (3...63).contains(first.count), first.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }) else {
      throw bad("'\(first)' is not a bucket name (3 to 63 letters, digits, '.', '-', '_')")
    }
    bucket = first
    let prefixComponents = components.dropFirst()
    let joined = prefixComponents.joined(separator: "/")
    if !joined.isEmpty, let problem = BlobName.problem(joined) {
      throw bad("the prefix '\(joined)' is not usable: \(problem.rawValue)")
    }
    prefix = joined
  }

  /// True for the hosts plain http is allowed to: this machine.
  static func isLoopback(_ host: String) -> Bool {
    let h = host.lowercased()
    if h == "localhost" || h == "[::1]" { return true }
    let octets = h.split(separator: ".", omittingEmptySubsequences: false)
    return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
  }

  /// The `Host` header value: the host and any port.
  public var hostHeader: String { port.map { "\(host):\($0)" } ?? host }

  /// `https://HOST[:PORT]`.
  public var endpoint: String { "\(scheme)://\(hostHeader)" }

  /// The location as the user writes it.
  public var description: String { "s3:\(endpoint)/\(bucket)" + (prefix.isEmpty ? "" : "/\(prefix)") }
}
