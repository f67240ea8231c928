import VaultCrypto

/// What an unlock session keeps in the kernel keyring: who unlocked which vault, the secret that
/// spares the passphrase, and when the session ends. It lives only in the kernel, never on disk.
///
/// Payload, version 1 (little-endian): version u8 = 1 · secret 32 · kind u8 · vault id 16 ·
/// practitioner id 16 · started i64 · expires i64 · idle i64 · name (u16 length, ≤ 200 UTF-8 bytes).
/// The secret comes right after the version byte so that it is copied only between secure buffers.
public struct UnlockSession: Sendable {
  /// The payload version this release writes and reads.
  public static let version: UInt8 = 1
  /// The size of the secret.
  public static let secretSize = 32
  /// The longest practitioner name, in UTF-8 bytes.
  public static let maxNameBytes = 200
  /// The longest payload: every fixed field and the longest name.
  public static let maxPayloadBytes = fixedBytes + 2 + maxNameBytes
  private static let fixedBytes = 1 + secretSize + 1 + RandomID.size * 2 + 8 * 3

  /// The vault the session unlocks.
  public let vault: RandomID
  /// The practitioner who unlocked it.
  public let practitioner: RandomID
  /// The practitioner's name when the session started.
  public let practitionerName: String
  /// What `secret` is; the caller's business.
  public let kind: UInt8
  /// 32 bytes in secure memory.
  public let secret: SecureBytes
  /// Unix seconds at which the session started.
  public let started: Int64
  /// Unix seconds after which the session is over, however recently it was used.
  public let expires: Int64
  /// Seconds without use after which the kernel drops the session.
  public let idle: Int64

  /// A session; throws `KeyringError.invalidSession` for a secret that is not 32 bytes, a name
  /// over 200 bytes, an idle time under 1 s, or an end not after the start.
  public init(
    vault: RandomID, practitioner: RandomID, practitionerName: String, kind: UInt8, secret: SecureBytes,
    started: Int64, expires: Int64, idle: Int64
  ) throws {
    guard secret.count == Self.secretSize else {
      throw KeyringError.invalidSession("the secret must be \(Self.secretSize) bytes, not \(secret.count)")
    }
    guard practitionerName.utf8.count <= Self.maxNameBytes else {
      throw KeyringError.invalidSession("the practitioner name is longer than \(Self.maxNameBytes) bytes")
    }
    guard idle >= 1, idle <= Int64(UInt32.max) else { throw KeyringError.invalidSession("the idle time must be at least 1 second") }
    guard expires > started else { throw KeyringError.invalidSession("the session must end after it starts") }
    self.vault = vault
    self.practitioner = practitioner
    self.practitionerName = practitionerName
    self.kind = kind
    self.secret = secret
    self.started = started
    self.expires = expires
    self.idle = idle
  }

  /// The payload, in secure memory.
  public func encoded() throws -> SecureBytes {
    var w = ByteWriter()
    w.write(kind)
    w.write(vault.bytes)
    w.write(practitioner.bytes)
    w.write(started)
    w.write(expires)
    w.write(idle)
    w.writeString(practitionerName)
    let tail = w.bytes
    let out = try SecureBytes(count: 1 + Self.secretSize + tail.count)
    out.withUnsafeMutableBytes { o in
      o[0] = Self.version
      secret.withUnsafeBytes { s in
        UnsafeMutableRawBufferPointer(rebasing: o[1..<1 + Self.secretSize]).copyMemory(from: s)
      }
      tail.withUnsafeBytes { t in
        UnsafeMutableRawBufferPointer(rebasing: o[(1 + Self.secretSize)...]).copyMemory(from: t)
      }
    }
    return out
  }

  /// Parses a payload; throws `KeyringError.damagedSession` (saying why, never what) for an
  /// unknown version, a short or overlong payload, bytes after the name, or a field out of range.
  public static func decode(_ payload: SecureBytes) throws -> UnlockSession {
    guard payload.count <= maxPayloadBytes else { throw KeyringError.damagedSession("payload longer than \(maxPayloadBytes) bytes") }
    guard payload.count >= 1 + secretSize else { throw KeyringError.damagedSession("payload is truncated") }
    let version = payload.withUnsafeBytes { $0[0] }
    guard version == Self.version else { throw KeyringError.damagedSession("unknown payload version \(version)") }
    let secret = try payload.withUnsafeBytes { try SecureBytes(copying: UnsafeRawBufferPointer(rebasing: $0[1..<1 + secretSize])) }
    let tail = payload.withUnsafeBytes { Array($0[(1 + secretSize)...]) }
    var r = ByteReader(tail)
    do {
      let kind = try r.readUInt8()
      let vault = try RandomID(bytes: r.read(RandomID.size))
      let practitioner = try RandomID(bytes: r.read(RandomID.size))
      let started = try r.readInt64()
      let expires = try r.readInt64()
      let idle = try r.readInt64()
      let name = try r.readString(maxBytes: maxNameBytes)
      try r.expectEnd()
      return try UnlockSession(
        vault: vault, practitioner: practitioner, practitionerName: name, kind: kind, secret: secret,
        started: started, expires: expires, idle: idle)
    } catch let e as FormatError {
      switch e {
      case .truncated: throw KeyringError.damagedSession("payload is truncated")
      case .trailingBytes: throw KeyringError.damagedSession("bytes after the last field")
      case .invalidField(let why): throw KeyringError.damagedSession(why)
      default: throw KeyringError.damagedSession(e.description)
      }
    } catch KeyringError.invalidSession(let why) {
      throw KeyringError.damagedSession(why)
    }
  }
}
