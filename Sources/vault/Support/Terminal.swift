import Foundation
import VaultCore

/// The controlling terminal: no-echo prompts and stderr output.
enum Terminal {
  /// Writes to stderr (Swift 6 rejects Glibc's `stderr` global, so go through FileHandle).
  static func writeError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }

  /// True when stderr is a terminal: progress is shown only then.
  static var stderrIsTerminal: Bool { FileStatus.isTerminal(2) }

  /// True when the process has a controlling terminal (/dev/tty opens): an editor can run.
  static var isAvailable: Bool {
    let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
    guard fd >= 0 else { return false }
    close(fd)
    return true
  }

  /// After a failed save of edited text: shows the error and asks on /dev/tty whether to edit
  /// again (true) or discard (false). False when there is no terminal to ask on.
  static func askToEditAgain(after error: VaultError) -> Bool {
    guard let answer = SecretInput.ask("vault: error: \(error)\nvault: your text is kept. Edit it again [E], or discard it [d]? ") else { return false }
    return !answer.hasPrefix("d") && !answer.hasPrefix("D")
  }
}
