import ArgumentParser
import Foundation
import VaultCore

#if canImport(Glibc)
  import Glibc
#endif

extension VaultCommand {
  /// Hidden: the guardian `Editor` starts. It waits until vault closes the pipe on fd 3 (by
  /// finishing, crashing or being killed) and then wipes the editor's scratch directory.
  struct ScratchGuard: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "internal-scratch-guard", abstract: "Internal: wipes an editor scratch directory when vault exits.",
      shouldDisplay: false)

    @Argument var directory: String

    func run() throws {
      guard let scratch = ScratchDirectory(existing: directory) else { throw ExitStatus.Thrown(status: .usage) }
      // A hangup or Ctrl-C aimed at the session must not stop the clean-up.
      for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { signal(s, SIG_IGN) }
      var byte: UInt8 = 0
      while true {
        let n = read(3, &byte, 1)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
      }
      scratch.wipe()
    }
  }
}
