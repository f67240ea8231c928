import ArgumentParser
import VaultCore

/// Which notes a list or search covers.
struct NoteFilterOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("Only notes of this kind; repeatable.", valueName: "kind")) var kind: [NoteKind] = []
  @Flag(name: .long, help: "Include psychotherapy notes (kept apart otherwise).") var psychotherapy = false
  @Option(name: .long, help: ArgumentHelp("Only sessions on or after <date>.", valueName: "date"), transform: parseDay) var since: Day?
  @Option(name: .long, help: ArgumentHelp("Only sessions on or before <date>.", valueName: "date"), transform: parseDay) var until: Day?

  /// The filter: the kinds named (psychotherapy only if named or --psychotherapy), the dates.
  var filter: NoteFilter {
    var kinds = kind.isEmpty ? NoteFilter.recordKinds : Set(kind)
    if psychotherapy { kinds.insert(.psychotherapy) }
    return NoteFilter(kinds: kinds, since: since, until: until)
  }
}
