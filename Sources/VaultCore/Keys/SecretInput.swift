import Foundation
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

/// Secrets typed or piped in: no-echo prompts on the controlling terminal and first lines of
/// files, read straight into secure memory (a String or Data would leave copies behind).
public enum SecretInput {
  // Saved so a Ctrl-C during a no-echo prompt can restore the terminal before exiting.
  nonisolated(unsafe) private static var savedState = termios()
  nonisolated(unsafe) private static var savedFD: Int32 = -1

  /// Prompts on /dev/tty with echo off and reads one line into secure memory.
  /// - Throws: `.noPassphraseSource` when there is no terminal.
  static func readSecret(prompt: String) throws -> SecureBytes {
    let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
    guard fd >= 0 else { throw VaultError.noPassphraseSource }
    defer { close(fd) }
    var original = termios()
    guard tcgetattr(fd, &original) == 0 else { throw VaultError.noPassphraseSource }
    var silent = original
    silent.c_lflag &= ~tcflag_t(ECHO)
    savedState = original
    savedFD = fd
    signal(SIGINT) { _ in
      if SecretInput.savedFD >= 0 { tcsetattr(SecretInput.savedFD, TCSAFLUSH, &SecretInput.savedState) }
      _exit(130)
    }
    defer {
      tcsetattr(fd, TCSAFLUSH, &original)
      signal(SIGINT, SIG_DFL)
      savedFD = -1
      _ = "\n".withCString { write(fd, $0, 1) }
    }
    _ = prompt.withCString { write(fd, $0, strlen($0)) }
    // If echo cannot be turned off, the passphrase would appear on screen: refuse instead.
    guard tcsetattr(fd, TCSAFLUSH, &silent) == 0 else {
      throw VaultError.passphraseSourceFailed("cannot turn off echo on the terminal; use --passphrase-file instead")
    }
    return try readLine(from: fd, what: "the terminal")
  }

  /// Reads bytes from `fd` until newline or end of input into secure memory, without the newline.
  static func readLine(from fd: Int32, what: String, limit: Int = 4096) throws -> SecureBytes {
    let buffer = try SecureBytes(count: limit)
    var length = 0
    var byte: UInt8 = 0
    while true {
      let n = read(fd, &byte, 1)
      if n < 0 && errno == EINTR { continue }
      if n < 0 { throw VaultError.passphraseSourceFailed("cannot read from \(what): \(String(cString: strerror(errno)))") }
      if n == 0 || byte == 10 { break }
      guard length < limit else { throw VaultError.passphraseSourceFailed("\(what) gave more than \(limit) bytes on one line") }
      buffer.withUnsafeMutableBytes { $0[length] = byte }
      length += 1
    }
    byte = 0
    if length > 0, buffer.withUnsafeBytes({ $0[length - 1] }) == 13 { length -= 1 }
    return try buffer.prefix(length)
  }


  /// Asks a question on the controlling terminal and reads one short answer (nil: no terminal).
  public static func ask(_ prompt: String, limit: Int = 64) -> String? {
    let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    _ = prompt.withCString { write(fd, $0, strlen($0)) }
    guard let answer = try? readLine(from: fd, what: "the terminal", limit: limit) else { return nil }
    return answer.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
  }
}
