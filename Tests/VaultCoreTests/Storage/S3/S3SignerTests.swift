import Foundation
import Testing
@testable import VaultCore

/// SigV4, `s3:` locations and credentials: no server needed.
@Suite("S3 signing, locations and credentials")
struct S3SignerTests {
  /// AWS's published example (S3 API reference, "Signature Calculations for the Authorization
  /// Header: Transferring Payload in a Single Chunk", GET Object): the expected signature is theirs.
  @Test("the signer reproduces the AWS documentation's GET Object example")
  func awsExample() throws {
    let signer = S3Signer(credentials: S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1"))
    // 2013-05-24T00:00:00Z
    let headers = signer.sign(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt", query: [], headers: ["Range": "bytes=0-9"],
                              payloadHash: S3Signer.emptyPayloadHash, time: 1_369_353_600)
    #expect(S3Signer.emptyPayloadHash == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(headers["x-amz-date"] == "20130524T000000Z")
    #expect(headers["authorization"] == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
  }

  @Test("query strings and keys are encoded the SigV4 way")
  func encoding() {
    #expect(S3Signer.uriEncode("a b/é~_-.x", keepSlash: true) == "a%20b/%C3%A9~_-.x")
    #expect(S3Signer.uriEncode("a/b", keepSlash: false) == "a%2Fb")
    #expect(S3Signer.canonicalQuery([("prefix", "x/"), ("list-type", "2"), ("uploads", "")]) == "list-type=2&prefix=x%2F&uploads=")
  }

  @Test("s3: locations parse into endpoint, bucket and prefix")
  func locations() throws {
    let a = try S3Location("s3:https://s3.us-west-002.backblazeb2.com/practice-backups/vault/nightly/")
    #expect(a.endpoint == "https://s3.us-west-002.backblazeb2.com" && a.bucket == "practice-backups" && a.prefix == "vault/nightly")
    #expect(a.description == "s3:https://s3.us-west-002.backblazeb2.com/practice-backups/vault/nightly")
    let b = try S3Location("s3:http://127.0.0.1:8333/bkt")
    #expect(b.hostHeader == "127.0.0.1:8333" && b.prefix == "" && b.scheme == "http")
    #expect(try S3Location("s3:http://[::1]:9000/bkt/p").host == "[::1]")
    #expect(try S3Location("s3:http://localhost/bkt").port == nil)
    #expect(try S3Location("s3:https://nas.local:9000/bkt").port == 9000)
  }

  @Test("malformed locations and plain http off this machine are refused, saying why")
  func badLocations() {
    let cases: [(String, String)] = [
      ("https://host/bkt", "does not start with s3:"),
      ("s3:ftp://host/bkt", "scheme must be https"),
      ("s3:http://nas.example.com/bkt", "plain http is refused"),
      ("s3:http://192.168.1.5:9000/bkt", "plain http is refused"),
      ("s3:https://host", "bucket is missing"),
      ("s3:https://host/", "bucket is missing"),
      ("s3:https://host:0/bkt", "port"),
      ("s3:https://host:99999/bkt", "port"),
      ("s3:https://host:x/bkt", "port"),
      ("s3:https://key:secret@host/bkt", "credentials do not belong in the URL"),
      ("s3:https://host/bkt?x=1", "query"),
      ("s3:https://host/b", "not a bucket name"),
      ("s3:https://host/bkt/a//b", "prefix"),
      ("s3:https://host/bkt/../x", "prefix"),
      ("s3:https:///bkt", "host"),
      ("s3:https://host name/bkt", "spaces"),
    ]
    for (raw, reason) in cases {
      do {
        _ = try S3Location(raw)
        Issue.record("accepted \(raw)")
      } catch {
        #expect(error.description.contains(reason), "\(raw): \(error)")
      }
    }
    // The refusal of credentials in a URL does not echo the secret.
    if case .failure(let e) = Result(catching: { try S3Location("s3:https://key:hunter2@host/bkt") }) {
      #expect(!"\(e)".contains("hunter2") || "\(e)".contains("invalid S3 location"))
    }
  }

  @Test("credentials come from the environment, else the credentials file's profile; region defaults to us-east-1")
  func credentials() throws {
    let env = try S3Credentials.from(environment: ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SESSION_TOKEN": "tok", "AWS_DEFAULT_REGION": "eu-central-1"])
    #expect(env.accessKeyID == "AKIDENV" && env.secretAccessKey == "envsecret" && env.sessionToken == "tok" && env.region == "eu-central-1")
    #expect(try S3Credentials.from(environment: ["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "s"]).region == "us-east-1")
    #expect(throws: S3Error.self) { try S3Credentials.from(environment: ["AWS_ACCESS_KEY_ID": "A"]) }

    let dir = try ScratchDirectory()
    defer { dir.remove() }
    try """
    # comment
    [default]
    aws_access_key_id = AKIDDEFAULT
    aws_secret_access_key = defaultsecret

    [profile offsite]
    aws_access_key_id=AKIDOFFSITE
    aws_secret_access_key=offsitesecret
    region = us-west-002
    """.write(toFile: dir.file("credentials"), atomically: true, encoding: .utf8)
    let d = try S3Credentials.from(environment: ["AWS_SHARED_CREDENTIALS_FILE": dir.file("credentials")])
    #expect(d.accessKeyID == "AKIDDEFAULT" && d.secretAccessKey == "defaultsecret" && d.region == "us-east-1")
    let o = try S3Credentials.from(environment: ["AWS_SHARED_CREDENTIALS_FILE": dir.file("credentials"), "AWS_PROFILE": "offsite"])
    #expect(o.accessKeyID == "AKIDOFFSITE" && o.region == "us-west-002")
    try FileManager.default.createDirectory(atPath: dir.file("home/.aws"), withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: dir.file("credentials"), toPath: dir.file("home/.aws/credentials"))
    #expect(try S3Credentials.from(environment: ["HOME": dir.file("home"), "AWS_REGION": "ca-central-1"]).region == "ca-central-1")
    let missing = #expect(throws: S3Error.self) { try S3Credentials.from(environment: ["AWS_SHARED_CREDENTIALS_FILE": dir.file("credentials"), "AWS_PROFILE": "nope"]) }
    #expect(missing?.description.contains("[nope]") == true)
    #expect(throws: S3Error.self) { try S3Credentials.from(environment: ["HOME": dir.file("nohome")]) }
  }

  @Test("a secret never appears in a description, a dump, or a store's description")
  func secretsHidden() throws {
    let c = S3Credentials(accessKeyID: "AKIDHIDDENTEST", secretAccessKey: "s3cr3t-never-shown", sessionToken: "tok3n-never-shown")
    var dumped = ""
    dump(c, to: &dumped)
    let store = S3BlobStore(location: try S3Location("s3:https://host/bkt/p"), credentials: c)
    var dumpedStore = ""
    dump(store, to: &dumpedStore)
    for text in ["\(c)", String(reflecting: c), dumped, store.location, store.path(of: try BlobName("a/b")), dumpedStore] {
      #expect(!text.contains("s3cr3t") && !text.contains("tok3n"), "\(text)")
    }
  }

  @Test("S3's XML answers are read, entities decoded")
  func xml() {
    let page: Substring = "<ListBucketResult><Prefix>p/</Prefix><Contents><Key>p/a&amp;b</Key><Size>3</Size></Contents><CommonPrefixes><Prefix>p/d/</Prefix></CommonPrefixes><IsTruncated>true</IsTruncated><NextContinuationToken>t&#x2F;1</NextContinuationToken></ListBucketResult>"
    #expect(S3XML.elements("Contents", in: page).compactMap { S3XML.value("Key", in: $0) } == ["p/a&b"])
    #expect(S3XML.elements("CommonPrefixes", in: page).compactMap { S3XML.value("Prefix", in: $0) } == ["p/d/"])
    #expect(S3XML.value("NextContinuationToken", in: page) == "t/1")
    #expect(S3Time.parseISO8601("2013-05-24T00:00:00.000Z") == 1_369_353_600)
    #expect(S3Time.parseHTTPDate("Fri, 24 May 2013 00:00:00 GMT") == 1_369_353_600)
    #expect(S3BlobStore.total(ofContentRange: "bytes 0-9/1234") == 1234)
  }
}
