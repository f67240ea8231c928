import ArgumentParser
import Foundation
import VaultCore

/// The command line as the kernel gave it: bytes.
///
/// Swift's `CommandLine.arguments` replaces bytes that are not UTF-8 with U+FFFD, so a name typed
/// in Latin-1 would be stored altered and a file named in Latin-1 could not be found. Here every
/// argument keeps its bytes (`SystemPath`); after parsing, options that name files take them as
/// they are, and any other option holding bytes that are not UTF-8 text is refused.
enum Arguments {
  /// Options and arguments that name files or directories (by property name): their values are paths, which are bytes.
  static let pathProperties: Set<String> = [
    "vault", "file", "out", "passphraseFile", "recoveryKeyFile", "newPassphraseFile", "recoveryKeyOut", "identity",
    "exportPassphraseFile", "to", "from", "directory",
  ]

  /// Refuses a parsed command any of whose text values is not UTF-8 (paths excepted).
  static func checkText(in command: any ParsableCommand, arguments: [String]) throws {
    // Walking the command by reflection costs every process milliseconds of runtime type
    // lookups; it is needed only to name the option when some argument is not UTF-8.
    guard arguments.contains(where: { $0.unicodeScalars.contains(SystemPath.rawByteMarker) }) else { return }
    if let bad = firstInvalidText(in: command, property: nil, depth: 0) {
      throw ValidationError(
        "\(bad) is not valid UTF-8 text; vault keeps names, reasons and notes as UTF-8. Convert it (for example with "
          + "'iconv -f latin1 -t utf-8') and run the command again")
    }
  }

  /// The name of the first option or argument holding escaped raw bytes, walking the parsed
  /// command's stored properties (swift-argument-parser keeps each value in its wrapper).
  private static func firstInvalidText(in value: Any, property: (name: String, positional: Bool)?, depth: Int) -> String? {
    guard depth < 12 else { return nil }
    if let text = value as? String {
      guard text.unicodeScalars.contains(SystemPath.rawByteMarker), let property else { return nil }
      return pathProperties.contains(property.name) ? nil : describe(property)
    }
    let mirror = Mirror(reflecting: value)
    for child in mirror.children {
      var inner = property
      if let label = child.label, label.hasPrefix("_"), !label.hasPrefix("_parsed") {
        inner = (String(label.dropFirst()), String(describing: type(of: child.value)).hasPrefix("Argument<"))
      }
      if let found = firstInvalidText(in: child.value, property: inner, depth: depth + 1) { return found }
    }
    return nil
  }

  /// "the value of --legal-name" for the option `legalName`, "the <client> argument" for a positional one.
  private static func describe(_ property: (name: String, positional: Bool)) -> String {
    var kebab = ""
    for c in property.name {
      if c.isUppercase { kebab += "-" + c.lowercased() } else { kebab.append(c) }
    }
    return property.positional ? "the <\(kebab)> argument" : "the value of --\(kebab)"
  }
}
