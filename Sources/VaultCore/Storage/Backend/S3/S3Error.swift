/// A remote repository that cannot be used as given: what is wrong and what to do.
///
/// Failures of a request (network, server, refused credentials) are `StorageError`s with an
/// errno like every other medium's; these are the mistakes of configuration around them.
public enum S3Error: Error, Equatable, Sendable, CustomStringConvertible {
  /// The `s3:` location does not parse; the reason says which part.
  case invalidLocation(String, reason: String)
  /// No usable credentials in the environment or the credentials file.
  case missingCredentials(String)
  /// The credentials file exists but cannot be read or parsed.
  case unreadableCredentials(path: String, reason: String)
  /// The bucket does not exist on the server.
  case noSuchBucket(bucket: String, endpoint: String)

  public var description: String {
    switch self {
    case .invalidLocation(let s, let reason):
      "invalid S3 location '\(s)': \(reason) (expected s3:https://HOST[:PORT]/BUCKET[/PREFIX])"
    case .missingCredentials(let why):
      "no S3 credentials: \(why); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or put them in ~/.aws/credentials (AWS_SHARED_CREDENTIALS_FILE, profile AWS_PROFILE)"
    case .unreadableCredentials(let path, let reason):
      "cannot read the S3 credentials file \(path): \(reason)"
    case .noSuchBucket(let bucket, let endpoint):
      "the bucket '\(bucket)' does not exist on \(endpoint): create it first (with the provider's console, or e.g. 'aws s3 mb s3://\(bucket) --endpoint-url \(endpoint)'); vault never creates buckets"
    }
  }
}
