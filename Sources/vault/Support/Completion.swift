import ArgumentParser
import VaultCore

/// Shell completion of client codes and note ids (the core decides what may be offered, and
/// offers nothing unless an unlock session is open: `Completions`).
extension CompletionKind {
  /// The codes of the clients of the vault the command line names.
  static var clientCodes: CompletionKind {
    .custom { words, _, prefix in Completions.clientCodes(vault: completionVault(words), prefix: prefix) }
  }

  /// Note ids ("K7F3-2Q.3") of the vault the command line names.
  static var noteIDs: CompletionKind {
    .custom { words, _, prefix in Completions.noteIDs(vault: completionVault(words), prefix: prefix) }
  }
}

/// The vault a partly typed command line names (--vault DIR or --vault=DIR), else the default.
private func completionVault(_ words: [String]) -> String {
  var named: String?
  for (i, word) in words.enumerated() {
    if word == "--vault", i + 1 < words.count { named = words[i + 1] }
    if word.hasPrefix("--vault=") { named = String(word.dropFirst(8)) }
  }
  return VaultOptions.path(named)
}
