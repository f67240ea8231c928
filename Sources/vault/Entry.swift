import ArgumentParser
import Foundation
import VaultCore

/// The process entry point: harden the process, run one command, map every error to an exit status.
@main
enum Entry {
  static func main() {
    // Before anything could hold a key or a note: no core dumps, no ptrace from other users.
    if !ProcessHardening.apply() {
      Terminal.writeError("vault: warning: could not disable core dumps; a crash could write decrypted data to disk\n")
    }
    let json = CommandLine.arguments.contains("--json")
    // Exit only once the command and its error are gone: nothing is left alive for exit() to cut short.
    exit(execute(json: json))
  }

  /// Runs the command line; returns the exit status (after printing any error).
  static func execute(json: Bool) -> Int32 {
    do {
      let arguments = try CommandLineShape.normalize(SystemPath.arguments())
      var command = try VaultCommand.parseAsRoot(arguments)
      do {
        try Arguments.checkText(in: command, arguments: arguments)
        try command.run()
      } catch let error as ValidationError {
        // Thrown after parsing: the usage shown is the command's own, not the root's.
        throw CommandLineShape.Refusal(message: error.message, command: type(of: command), name: CommandLineShape.name(of: type(of: command)))
      }
      // A change held for a log entry that never came did not happen: that is a bug, never a success.
      if CommitCheck.unpublished > 0 {
        return fail(.internalError("the command changed records without recording it in the access log; nothing was changed"), json: json)
      }
      return ExitStatus.success.rawValue
    } catch let error as ExitStatus.Thrown {
      return error.status.rawValue
    } catch let refusal as CommandLineShape.Refusal {
      return usage(refusal.message, usage: VaultCommand.usageString(for: refusal.command), command: refusal.name, json: json)
    } catch let error where VaultCommand.exitCode(for: error) == .validationFailure {
      // swift-argument-parser reports usage errors as EX_USAGE (64) on Linux; we document 2.
      let parts = CommandLineShape.parts(ofParserMessage: VaultCommand.fullMessage(for: error))
      return usage(parts.message, usage: parts.usage, command: parts.command, json: json)
    } catch let error where error is CleanExit || VaultCommand.exitCode(for: error) == .success {
      VaultCommand.exit(withError: error)
    } catch {
      return fail(VaultError.from(error), json: json)
    }
  }

  /// Prints a usage error (vault's one error style, with a short usage line) and returns 2.
  static func usage(_ message: String, usage: String, command: String, json: Bool) -> Int32 {
    if json { return fail(.usage, kind: "usage", message: CommandLineShape.sentence(message), json: true) }
    Terminal.writeError(TerminalText.escape(CommandLineShape.usageText(message: message, usage: usage, command: command), multiline: true))
    return ExitStatus.usage.rawValue
  }

  /// Prints `error` (one line, or JSON on stderr) and returns its exit status.
  static func fail(_ error: VaultError, json: Bool) -> Int32 {
    fail(error.exitStatus, kind: error.kind, message: error.description, json: json)
  }

  /// Prints an error and returns `status`.
  static func fail(_ status: ExitStatus, kind: String, message: String, json: Bool) -> Int32 {
    if json {
      let body = ["error": ["code": AnyCodable.int(Int(status.rawValue)), "kind": .string(kind), "message": .string(message)]]
      Terminal.writeError(Output.jsonLine(body) + "\n")
    } else {
      Terminal.writeError("vault: error: \(TerminalText.escape(message))\n")
    }
    return status.rawValue
  }
}
