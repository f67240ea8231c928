import Testing

@testable import VaultCore

@Suite("did you mean: the nearest command")
struct SuggestionTests {
  let commands = ["init", "client", "add-note", "note", "search", "consent", "form", "log", "verify", "info", "lock", "unlock", "status"]

  @Test("a swapped pair, a missing or an extra letter find the command")
  func slips() {
    #expect(Suggestion.nearest(to: "clinet", among: commands) == "client")
    #expect(Suggestion.nearest(to: "serach", among: commands) == "search")
    #expect(Suggestion.nearest(to: "verfy", among: commands) == "verify")
    #expect(Suggestion.nearest(to: "consents", among: commands) == "consent")
    #expect(Suggestion.nearest(to: "shw", among: ["add", "list", "show", "update"]) == "show")
    #expect(Suggestion.nearest(to: "CLIENT", among: commands) == "client")
  }

  @Test("nothing near, or two equally near, suggests nothing; a unique start does")
  func noGuess() {
    #expect(Suggestion.nearest(to: "zzzzzz", among: commands) == nil)
    #expect(Suggestion.nearest(to: "x", among: commands) == nil)
    #expect(Suggestion.nearest(to: "", among: commands) == nil)
    #expect(Suggestion.nearest(to: "lck", among: ["lock", "lick"]) == nil)
    #expect(Suggestion.nearest(to: "disc", among: ["disclose", "discharge", "list"]) == nil)
    #expect(Suggestion.nearest(to: "pract", among: ["practitioner", "passwd"]) == "practitioner")
  }

  @Test("distance counts an adjacent swap as one edit")
  func distance() {
    #expect(Suggestion.distance(Array("ab"), Array("ba")) == 1)
    #expect(Suggestion.distance(Array("kitten"), Array("sitting")) == 3)
    #expect(Suggestion.distance(Array(""), Array("abc")) == 3)
  }
}
