import Foundation

/// File paths are bytes to the kernel, and a path typed on the command line need not be UTF-8
/// (a file saved by an old Windows program, a Latin-1 archive). Such a path is carried in a
/// Swift `String` with each byte that is not part of valid UTF-8 written as U+FFFF followed by
/// two hex digits, and turned back into exactly those bytes where it is handed to the kernel
/// (`FileSystem`). U+FFFF is a noncharacter that no text field accepts, so nothing else carries it.
public enum SystemPath {
  /// The process's arguments after the program name, each with its bytes kept.
  public static func arguments() -> [String] {
    (1..<Int(CommandLine.argc)).map { i in
      guard let p = CommandLine.unsafeArgv[i] else { return "" }
      return string(fromBytes: UnsafeBufferPointer(start: p, count: strlen(p)).map { UInt8(bitPattern: $0) })
    }
  }

  /// An environment variable that holds a path, with its bytes kept.
  public static func environment(_ name: String) -> String? {
    guard let p = getenv(name) else { return nil }
    return string(fromBytes: UnsafeBufferPointer(start: p, count: strlen(p)).map { UInt8(bitPattern: $0) })
  }

  /// The scalar that starts an escaped raw byte.
  public static let rawByteMarker: Unicode.Scalar = "\u{FFFF}"

  /// The path `bytes` stand for: valid UTF-8 kept as text, every other byte escaped.
  public static func string(fromBytes bytes: some Collection<UInt8>) -> String {
    // Nearly every name is ASCII (object ids, slot ids): no scalar needs escaping then.
    if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
    var out = String.UnicodeScalarView()
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var pending = Array(bytes)[...]
    loop: while true {
      switch parser.parseScalar(from: &iterator) {
      case .valid(let encoded):
        let scalar = Unicode.UTF8.decode(encoded)
        if scalar == rawByteMarker {
          // A real U+FFFF in a name is escaped too, so decoding is never ambiguous.
          for b in pending.prefix(encoded.count) { appendRaw(b, to: &out) }
        } else {
          out.append(scalar)
        }
        pending = pending.dropFirst(encoded.count)
      case .error(let length):
        for b in pending.prefix(length) { appendRaw(b, to: &out) }
        pending = pending.dropFirst(length)
      case .emptyInput:
        break loop
      }
    }
    return String(out)
  }

  /// The bytes `path` stands for.
  public static func bytes(of path: String) -> [UInt8] {
    let scalars = Array(path.unicodeScalars)
    guard scalars.contains(rawByteMarker) else { return Array(path.utf8) }
    var out: [UInt8] = []
    var i = 0
    while i < scalars.count {
      let u = scalars[i]
      i += 1
      if u == rawByteMarker, let byte = rawByte(at: i, in: scalars) {
        out.append(byte)
        i += 2
      } else {
        out.append(contentsOf: String(u).utf8)
      }
    }
    return out
  }

  /// Calls `body` with `path` as the NUL-terminated bytes the kernel takes.
  public static func withCString<T>(_ path: String, _ body: (UnsafePointer<CChar>) throws -> T) rethrows -> T {
    guard path.unicodeScalars.contains(rawByteMarker) else { return try path.withCString(body) }
    let raw = bytes(of: path).map { CChar(bitPattern: $0) } + [0]
    return try raw.withUnsafeBufferPointer { try body($0.baseAddress!) }
  }

  /// The byte escaped by the two hex digits at `index`, if they are there.
  static func rawByte(at index: Int, in scalars: [Unicode.Scalar]) -> UInt8? {
    guard index + 1 < scalars.count, let hi = hexValue(scalars[index]), let lo = hexValue(scalars[index + 1]) else { return nil }
    return hi << 4 | lo
  }

  private static func appendRaw(_ byte: UInt8, to out: inout String.UnicodeScalarView) {
    out.append(rawByteMarker)
    out.append(contentsOf: String(byte >> 4, radix: 16, uppercase: true).unicodeScalars)
    out.append(contentsOf: String(byte & 0xF, radix: 16, uppercase: true).unicodeScalars)
  }

  private static func hexValue(_ u: Unicode.Scalar) -> UInt8? {
    switch u.value {
    case 0x30...0x39: UInt8(u.value - 0x30)
    case 0x41...0x46: UInt8(u.value - 0x41 + 10)
    default: nil
    }
  }

  /// The directory part of a path.
  public static func parent(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// The last component of a path.
  public static func lastComponent(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return path }
    return String(path[path.index(after: slash)...])
  }
}
