import Dispatch
import Foundation
import VaultCrypto
#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif
#if canImport(Glibc)
  import Glibc
#endif

/// An answer from the server: status, headers (names lowercased) and body.
struct S3Response: Sendable {
  let status: Int
  let headers: [String: String]
  let body: Data

  /// The body as text, for XML.
  var text: Substring { Substring(String(decoding: body, as: UTF8.self)) }
}

/// Signed requests to one bucket, retried with backoff when the failure may pass (5xx, 429,
/// SlowDown, timeouts, lost connections), mapped to `StorageError`/`S3Error` when it will not.
final class S3Client: Sendable {
  let location: S3Location
  let signer: S3Signer
  let session: URLSession
  let maxAttempts: Int
  let retryBase: Double

  init(location: S3Location, credentials: S3Credentials, timeout: Double, maxAttempts: Int, retryBase: Double) {
    self.location = location
    signer = S3Signer(credentials: credentials)
    let config = URLSessionConfiguration.ephemeral
    config.timeoutIntervalForRequest = timeout
    config.urlCache = nil
    config.httpCookieStorage = nil
    config.httpShouldSetCookies = false
    config.httpMaximumConnectionsPerHost = 4
    // TLS: URLSession verifies the server against the system trust store, always.
    session = URLSession(configuration: config)
    self.maxAttempts = max(1, maxAttempts)
    self.retryBase = retryBase
  }

  deinit { session.finishTasksAndInvalidate() }

  /// The URI-encoded path of a key ("" for the bucket itself).
  func path(key: String?) -> String {
    "/\(S3Signer.uriEncode(location.bucket, keepSlash: false))" + (key.map { "/" + S3Signer.uriEncode($0, keepSlash: true) } ?? "")
  }

  /// Sends a request, retrying what may pass; returns the answer when its status is 2xx or in
  /// `accept`, otherwise throws the mapped failure. `what` and `where` name it in messages.
  func send(_ method: String, key: String?, query: [(String, String)] = [], headers: [String: String] = [:], body: Data? = nil,
            accept: Set<Int> = [], what: String, where place: String) throws -> S3Response {
    let payloadHash = body.map { b in S3Signer.hex(b.withUnsafeBytes { SHA256.hash($0) }) } ?? S3Signer.emptyPayloadHash
    return try send(method, key: key, query: query, headers: headers, body: body.map { .data($0) }, payloadHash: payloadHash,
                    accept: accept, what: what, where: place)
  }

  /// What a request carries: bytes in memory, or a file streamed from disk (its SHA-256 known).
  enum Body {
    case data(Data)
    case file(URL)
  }

  /// `send` with the body's SHA-256 (hex) already computed.
  func send(_ method: String, key: String?, query: [(String, String)] = [], headers: [String: String] = [:], body: Body?, payloadHash: String,
            accept: Set<Int> = [], what: String, where place: String) throws -> S3Response {
    let encodedPath = path(key: key)
    let queryString = S3Signer.canonicalQuery(query)
    guard let url = URL(string: location.endpoint + encodedPath + (queryString.isEmpty ? "" : "?" + queryString)) else {
      throw StorageError(path: place, operation: "\(what) (the key does not make a URL)", code: EINVAL)
    }
    var attempt = 0
    while true {
      attempt += 1
      var request = URLRequest(url: url)
      request.httpMethod = method
      let signed = signer.sign(method: method, host: location.hostHeader, path: encodedPath, query: query, headers: headers,
                               payloadHash: payloadHash, time: Int(Date().timeIntervalSince1970))
      for (k, v) in signed { request.setValue(v, forHTTPHeaderField: k) }
      let outcome = perform(request, body: body)
      switch outcome {
      case .success(let response):
        if (200..<300).contains(response.status) || accept.contains(response.status) {
          // CompleteMultipartUpload may fail with a 200 whose body is an error.
          if response.status == 200 && method == "POST" && response.text.contains("<Error>") {
            if attempt < maxAttempts && Self.retryable(response) { backoff(attempt); continue }
            throw failure(response, what: what, where: place, attempts: attempt)
          }
          return response
        }
        if attempt < maxAttempts && Self.retryable(response) { backoff(attempt); continue }
        throw failure(response, what: what, where: place, attempts: attempt)
      case .failure(let error):
        if attempt < maxAttempts && Self.retryable(error) { backoff(attempt); continue }
        let reason = (error as? URLError).map { Self.describe($0) } ?? "\(error)"
        throw StorageError(path: place, operation: "\(what) (\(reason) after \(attempt) tries; check that the S3 server at \(location.endpoint) runs and is reachable, then retry)", code: EIO)
      }
    }
  }

  /// Waits before the next try: exponential, with jitter so that clients do not retry in step.
  private func backoff(_ attempt: Int) {
    let delay = min(10, retryBase * Double(1 << min(attempt - 1, 10)) * Double.random(in: 0.5...1))
    if delay > 0 { usleep(useconds_t(delay * 1e6)) }
  }

  static func retryable(_ r: S3Response) -> Bool {
    r.status >= 500 || r.status == 429 || S3XML.value("Code", in: r.text) == "SlowDown" || S3XML.value("Code", in: r.text) == "RequestTimeout"
  }

  static func retryable(_ error: any Error) -> Bool {
    guard let e = error as? URLError else { return true }
    switch e.code {
    case .cancelled, .badURL, .unsupportedURL, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
      .serverCertificateHasUnknownRoot, .clientCertificateRejected, .clientCertificateRequired, .secureConnectionFailed:
      return false  // a TLS refusal will not pass by trying again
    default: return true
    }
  }

  static func describe(_ e: URLError) -> String {
    switch e.code {
    case .timedOut: "the server did not answer in time"
    case .cannotConnectToHost: "the server refused the connection"
    case .networkConnectionLost: "the connection was lost"
    case .cannotFindHost, .dnsLookupFailed: "the host name does not resolve"
    case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasUnknownRoot, .serverCertificateHasBadDate,
      .serverCertificateNotYetValid:
      "the TLS connection failed (the server's certificate is not trusted by this machine; vault never skips the check)"
    default: "the request failed (\(e.code.rawValue))"
    }
  }

  /// The error an unwanted answer means.
  func failure(_ r: S3Response, what: String, where place: String, attempts: Int) -> any Error {
    let code = S3XML.value("Code", in: r.text) ?? ""
    let message = String((S3XML.value("Message", in: r.text) ?? "").filter { !$0.isASCII || ($0.asciiValue! >= 0x20 && $0.asciiValue! < 0x7F) }.prefix(200))
    let answer = "the S3 server answered \(r.status)" + (code.isEmpty ? "" : " \(code)") + (message.isEmpty ? "" : ": \(message)")
    if code == "NoSuchBucket" { return S3Error.noSuchBucket(bucket: location.bucket, endpoint: location.endpoint) }
    if r.status == 403 || r.status == 401
      || ["InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "ExpiredToken", "InvalidToken", "RequestTimeTooSkewed"].contains(code)
    {
      return StorageError(path: place, operation: "\(what) (\(answer); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or the profile in the credentials file, AWS_REGION, this machine's clock, and that the key may read and write this bucket)", code: EACCES)
    }
    if r.status == 507 || ["QuotaExceeded", "XMinioStorageFull", "InsufficientStorage", "EntityTooLarge"].contains(code) {
      return StorageError(path: place, operation: "\(what) (\(answer); the server or the account is out of space: free space or raise the quota)", code: ENOSPC)
    }
    if r.status == 404 { return StorageError(path: place, operation: what, code: ENOENT) }
    let tries = attempts > 1 ? " after \(attempts) tries" : ""
    return StorageError(path: place, operation: "\(what) (\(answer)\(tries))", code: EIO)
  }

  /// One request, waited for.
  private func perform(_ request: URLRequest, body: Body?) -> Result<S3Response, any Error> {
    let box = ResultBox()
    let done = DispatchSemaphore(value: 0)
    let handler: @Sendable (Data?, URLResponse?, (any Error)?) -> Void = { data, response, error in
      if let error {
        box.result = .failure(error)
      } else if let http = response as? HTTPURLResponse {
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields {
          if let k = k as? String, let v = v as? String { headers[k.lowercased()] = v }
        }
        box.result = .success(S3Response(status: http.statusCode, headers: headers, body: data ?? Data()))
      } else {
        box.result = .failure(URLError(.badServerResponse))
      }
      done.signal()
    }
    let task: URLSessionTask
    switch body {
    case .data(let data): task = session.uploadTask(with: request, from: data, completionHandler: handler)
    case .file(let url): task = session.uploadTask(with: request, fromFile: url, completionHandler: handler)
    case nil: task = session.dataTask(with: request, completionHandler: handler)
    }
    task.resume()
    done.wait()
    return box.result ?? .failure(URLError(.unknown))
  }
}

/// Carries a result out of URLSession's completion handler (written once, read after the
/// semaphore).
private final class ResultBox: @unchecked Sendable {
  var result: Result<S3Response, any Error>?
}
