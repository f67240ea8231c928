import ArgumentParser
import Foundation
import VaultCore

/// The command line before swift-argument-parser sees it: shared options written before the
/// command (`vault --vault DIR info`) are moved after the command's name, and a mistyped
/// command name is reported as such, with the nearest name, instead of as unexpected arguments.
enum CommandLineShape {
  /// The options of the shared groups (VaultOptions, LockOptions, UnlockOptions, QuietOption)
  /// that may come before the command, and whether each takes a value.
  static let leadingOptions: [String: Bool] = [
    "--vault": true, "--json": false, "--reason": true, "--wait": true, "--passphrase-file": true,
    "--recovery-key-file": true, "--as": true, "--quiet": false,
  ]

  /// How to unlock: before the command (in an alias), ignored by commands that never unlock
  /// (and, with --vault, by those that open no vault).
  static let credentialOptions: Set<String> = ["--passphrase-file", "--recovery-key-file", "--as"]

  /// A usage error found here, reported against `command`.
  struct Refusal: Error {
    let message: String
    let command: any ParsableCommand.Type
    /// The command's name as typed ("vault client").
    let name: String
  }

  /// The arguments in the order the parser expects.
  static func normalize(_ arguments: [String]) throws -> [String] {
    // `vault help client shw` names a command too: a mistyped one is reported the same way.
    if arguments.first == "help" {
      _ = try normalize(Array(arguments.dropFirst().prefix { !$0.hasPrefix("-") }))
      return arguments
    }
    var rest = ArraySlice(arguments)
    var leading: [String] = []
    while let first = rest.first, let takesValue = leadingOptions[String(first.prefix { $0 != "=" })] {
      leading.append(rest.removeFirst())
      if takesValue, !first.contains("="), let value = rest.first {
        leading.append(value)
        rest.removeFirst()
      }
    }
    var command: any ParsableCommand.Type = VaultCommand.self
    var path: [String] = []
    while let word = rest.first, !word.hasPrefix("-") {
      let subcommands = command.configuration.subcommands
      if subcommands.isEmpty || (ObjectIdentifier(command) == ObjectIdentifier(VaultCommand.self) && word == "help") { break }
      if let next = subcommands.first(where: { $0._commandName == word || $0.configuration.aliases.contains(word) }) {
        path.append(rest.removeFirst())
        command = next
        continue
      }
      // A group with a default command passes its arguments on (`vault export jo --out f`).
      if let fallback = command.configuration.defaultSubcommand, !shape(of: fallback).positionals.isEmpty { break }
      throw Refusal(message: unknownCommand(word, in: command, path: path), command: command, name: (["vault"] + path).joined(separator: " "))
    }
    guard !leading.isEmpty, !path.isEmpty else { return arguments }
    // Help shows what a command takes; options meant for running it (an alias's) are dropped.
    if rest.contains(where: { $0 == "--help" || $0 == "-h" }) { return path + Array(rest) }
    let target = command.configuration.defaultSubcommand ?? command
    let accepted = shape(of: target).options
    // A command without a vault (`export open`) may have a --passphrase-file of its own, for
    // another file: the vault's location and credentials are not moved to it.
    let opensVault = accepted.contains("--vault")
    var moved: [String] = []
    var index = leading.startIndex
    while index < leading.endIndex {
      let name = String(leading[index].prefix { $0 != "=" })
      let count = leadingOptions[name] == true && !leading[index].contains("=") ? 2 : 1
      let option = leading[index..<min(index + count, leading.endIndex)]
      index += count
      let vaultOption = credentialOptions.contains(name) || name == "--vault"
      if accepted.contains(name), opensVault || !vaultOption {
        moved += option
      } else if !vaultOption {
        let typed = (["vault"] + path).joined(separator: " ")
        throw Refusal(message: "'\(typed)' does not take \(name)", command: command, name: typed)
      }
      // A credential for a command that never unlocks is ignored, as VAULT_PASSPHRASE_FILE is,
      // and a vault for a command without one, as VAULT_DIR is.
    }
    return path + moved + Array(rest)
  }

  /// "vault client add" for the type of `vault client add`.
  static func name(of target: any ParsableCommand.Type) -> String {
    func find(_ command: any ParsableCommand.Type, _ path: [String]) -> [String]? {
      if ObjectIdentifier(command) == ObjectIdentifier(target) { return path }
      for sub in command.configuration.subcommands {
        if let found = find(sub, path + [sub._commandName]) { return found }
      }
      return nil
    }
    return (["vault"] + (find(VaultCommand.self, []) ?? [target._commandName])).joined(separator: " ")
  }

  /// "unknown command 'clinet'; did you mean 'client'?"
  private static func unknownCommand(_ word: String, in command: any ParsableCommand.Type, path: [String]) -> String {
    let names = command.configuration.subcommands.filter { $0.configuration.shouldDisplay }.map { $0._commandName }
    let prefix = (["vault"] + path).joined(separator: " ")
    let what = path.isEmpty ? "unknown command '\(word)'" : "'\(prefix)' has no command '\(word)'"
    if let near = Suggestion.nearest(to: word, among: names) { return "\(what); did you mean '\(near)'?" }
    return names.count <= 12 ? "\(what); the commands are: \(names.joined(separator: ", "))" : what
  }

  /// The long option names and positional arguments a command declares (from its tool-info dump).
  static func shape(of command: any ParsableCommand.Type) -> (options: Set<String>, positionals: [String]) {
    struct Info: Decodable { let command: Command }
    struct Command: Decodable { let arguments: [Argument]? }
    struct Argument: Decodable {
      let kind: String
      let names: [Name]?
      let valueName: String?
    }
    struct Name: Decodable {
      let kind: String
      let name: String
    }
    guard let info = try? JSONDecoder().decode(Info.self, from: Data(command._dumpHelp().utf8)) else { return ([], []) }
    let arguments = info.command.arguments ?? []
    let options = arguments.flatMap { ($0.names ?? []).filter { $0.kind == "long" }.map { "--" + $0.name } }
    return (Set(options), arguments.filter { $0.kind == "positional" }.map { $0.valueName ?? "" })
  }

  /// The usage error text: "vault: error: MESSAGE", a short usage line and where help is.
  static func usageText(message: String, usage: String, command: String) -> String {
    var line = usage
    if line.count > 80 {
      // The options are in --help; the short line keeps the command, its arguments and required options.
      line = line.replacingOccurrences(of: #" \[--[^\[\]]*\]"#, with: "", options: .regularExpression)
      line = line.replacingOccurrences(of: " <options>", with: "")
      if line.hasPrefix(command) { line = command + " [<options>]" + line.dropFirst(command.count) }
    }
    return "vault: error: \(sentence(message))\nUsage: \(line)\nSee '\(command) --help'.\n"
  }

  /// The parser's message as vault writes its own: a lowercase start ("unknown option '--x'").
  static func sentence(_ message: String) -> String {
    guard let first = message.first, first.isUppercase, message.dropFirst().first?.isLowercase == true else { return message }
    return first.lowercased() + message.dropFirst()
  }

  /// Splits swift-argument-parser's full message ("Error: …", "Help: …", "Usage: …", "  See '…'")
  /// into the message, the usage and the command's name.
  static func parts(ofParserMessage full: String) -> (message: String, usage: String, command: String) {
    var message: [String] = []
    var usage: [String] = []
    var command = "vault"
    var inUsage = false
    for raw in full.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
      let trimmed = raw.trimmingCharacters(in: .whitespaces)
      if trimmed.hasPrefix("See '"), let end = trimmed.range(of: " --help'") {
        command = String(trimmed[trimmed.index(trimmed.startIndex, offsetBy: 5)..<end.lowerBound])
        inUsage = false
      } else if raw.hasPrefix("Usage: ") {
        usage.append(String(raw.dropFirst(7)))
        inUsage = true
      } else if inUsage {
        usage.append(trimmed)
      } else if !trimmed.isEmpty {
        message.append(raw.hasPrefix("Error: ") ? String(raw.dropFirst(7)) : raw)
      }
    }
    return (message.joined(separator: "\n"), usage.joined(separator: " "), command)
  }
}
