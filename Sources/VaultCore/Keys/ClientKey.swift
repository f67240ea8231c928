import VaultCrypto

/// A client's data key wrapped under the vault's client-key-wrapping key (FORMAT.md §8).
///
/// Each client's objects are encrypted under their own key, so deleting this one small file
/// (and the backups that hold it) makes every copy of that client's objects unreadable.
public enum ClientKeyFile {
  /// Wraps `clientKey` for `client`.
  public static func encode(client: RandomID, clientKey: SecretKey, keys: VaultKeys, vault: RandomID) throws -> [UInt8] {
    let sealed = try AEAD.seal(clientKey, using: keys.clientKeyWrap, binding: associatedData(client: client, vault: vault))
    return try ChecksummedFile.encode(.clientKey, body: client.bytes + sealed)
  }

  /// Checks the file's structure without a key and returns the client id it names.
  public static func client(in bytes: [UInt8]) throws -> RandomID {
    var r = ByteReader(try ChecksummedFile.decode(.clientKey, bytes))
    let client = try RandomID(bytes: r.read(RandomID.size))
    _ = try r.read(SecretKey.size + AEAD.overhead)
    try r.expectEnd()
    return client
  }

  /// Unwraps the key; the client id in the file must be `client`, and the AD binds it too.
  public static func decode(_ bytes: [UInt8], client: RandomID, keys: VaultKeys, vault: RandomID) throws -> SecretKey {
    var r = ByteReader(try ChecksummedFile.decode(.clientKey, bytes))
    let stored = try RandomID(bytes: r.read(RandomID.size))
    guard stored == client else { throw FormatError.invalidField("client key file names another client") }
    let sealed = try r.read(SecretKey.size + AEAD.overhead)
    try r.expectEnd()
    return try AEAD.openKey(sealed, using: keys.clientKeyWrap, binding: associatedData(client: client, vault: vault))
  }

  static func associatedData(client: RandomID, vault: RandomID) -> [UInt8] {
    Binding.clientKey + vault.bytes + client.bytes
  }
}
