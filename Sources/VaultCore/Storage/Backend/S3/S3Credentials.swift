import Foundation

/// The keys that sign S3 requests, and the region they are signed for.
///
/// Read from the environment or the shared credentials file, never from argv. The secret and
/// the session token never appear in a description, a dump or an error.
public struct S3Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
  /// The access key id (not secret: it names the key, like a user name).
  public let accessKeyID: String
  /// The secret access key.
  let secretAccessKey: String
  /// The session token of temporary credentials.
  let sessionToken: String?
  /// The region requests are signed for.
  public let region: String

  /// Credentials given directly (tests, or a caller with its own source).
  public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, region: String = "us-east-1") {
    self.accessKeyID = accessKeyID
    self.secretAccessKey = secretAccessKey
    self.sessionToken = sessionToken
    self.region = region
  }

  /// From AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (AWS_SESSION_TOKEN), else from the
  /// credentials file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, profile AWS_PROFILE or
  /// `default`); region from AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`, or us-east-1.
  public static func from(environment env: [String: String]) throws(S3Error) -> S3Credentials {
    func value(_ key: String) -> String? { env[key].flatMap { $0.isEmpty ? nil : $0 } }
    let envRegion = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION")
    if let id = value("AWS_ACCESS_KEY_ID") {
      guard let secret = value("AWS_SECRET_ACCESS_KEY") else {
        throw .missingCredentials("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
      }
      return S3Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"), region: envRegion ?? "us-east-1")
    }
    let path: String
    if let p = value("AWS_SHARED_CREDENTIALS_FILE") {
      path = p
    } else if let home = value("HOME") {
      path = home + "/.aws/credentials"
    } else {
      throw .missingCredentials("AWS_ACCESS_KEY_ID is not set and there is no HOME for ~/.aws/credentials")
    }
    let profile = value("AWS_PROFILE") ?? "default"
    guard FileStatus.exists(path) else {
      throw .missingCredentials("AWS_ACCESS_KEY_ID is not set and \(path) does not exist")
    }
    let text: String
    do {
      text = String(decoding: try FileSystem.readFile(path, limit: 1 << 20), as: UTF8.self)
    } catch {
      throw .unreadableCredentials(path: path, reason: "\(error)")
    }
    guard let section = parse(text)[profile] else {
      throw .missingCredentials("\(path) has no [\(profile)] profile")
    }
    guard let id = section["aws_access_key_id"], let secret = section["aws_secret_access_key"] else {
      throw .missingCredentials("the [\(profile)] profile in \(path) lacks aws_access_key_id or aws_secret_access_key")
    }
    return S3Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: section["aws_session_token"], region: envRegion ?? section["region"] ?? "us-east-1")
  }

  /// The INI sections of a credentials file: `[name]` then `key = value` lines; `#`/`;` comments.
  static func parse(_ text: String) -> [String: [String: String]] {
    var sections: [String: [String: String]] = [:]
    var current: String?
    for raw in text.split(whereSeparator: \.isNewline) {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
      if line.hasPrefix("[") && line.hasSuffix("]") {
        var name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
        // ~/.aws/config spells profiles "[profile NAME]"; accept it here too.
        if name.hasPrefix("profile ") { name = name.dropFirst(8).trimmingCharacters(in: .whitespaces) }
        current = name
        sections[name, default: [:]] = sections[name] ?? [:]
        continue
      }
      guard let current, let eq = line.firstIndex(of: "=") else { continue }
      let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
      let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
      sections[current]?[key] = value
    }
    return sections
  }

  /// Names the key without the secret: "access key …ABCD, region us-east-1".
  public var description: String { "access key …\(accessKeyID.suffix(4)), region \(region)" }
  public var debugDescription: String { "S3Credentials(\(description))" }
  /// Reflection (dump, debuggers) shows no field, so the secret cannot leak through it.
  public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
