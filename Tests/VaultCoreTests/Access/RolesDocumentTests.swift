import Foundation
import Testing
@testable import VaultCore

/// docs/ROLES.md says, command by command, which role may do what. These tests read its table
/// and hold every row to the access layer's own decision (`AccessPolicy.check`, built on
/// `AccessPolicy.roles(for:)`), and require every action to appear, so the document cannot drift.
@Suite("docs/ROLES.md is the access policy")
struct RolesDocumentTests {
  /// One row of the table: the command, its log action, and "yes"/"no" for each role.
  struct Row {
    let command: String
    let action: Action
    let keyless: Bool
    let allowed: [Role: Bool]
  }

  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// The rows of the table under "## Commands"; `problems` collects what could not be read.
  static func table(_ markdown: String) -> (rows: [Row], problems: [String]) {
    var rows: [Row] = []
    var problems: [String] = []
    var section = ""
    var columns: [String] = []
    for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
      let line = String(raw)
      if line.hasPrefix("## ") {
        section = String(line.dropFirst(3))
        columns = []
        continue
      }
      guard section == "Commands", line.hasPrefix("|") else { continue }
      let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      if cells.first == "Command" {
        columns = cells
        continue
      }
      if line.hasPrefix("| --") { continue }
      guard columns.count == 2 + Role.allCases.count, cells.count == columns.count else {
        problems.append("a row of \(cells.count) cells under a header of \(columns.count): \(line)")
        continue
      }
      let actionText = cells[1].split(separator: "`", omittingEmptySubsequences: false).dropFirst().first.map(String.init) ?? cells[1]
      guard let action = Action(rawValue: actionText) else {
        problems.append("'\(cells[1])' is not an action: \(line)")
        continue
      }
      var allowed: [Role: Bool] = [:]
      for (column, cell) in zip(columns.dropFirst(2), cells.dropFirst(2)) {
        guard let role = Role(name: column) else {
          problems.append("column '\(column)' is not a role")
          continue
        }
        if cell == "yes" || cell.hasPrefix("yes:") || cell.hasPrefix("yes (") {
          allowed[role] = true
        } else if cell == "no" {
          allowed[role] = false
        } else {
          problems.append("'\(cell)' is neither yes nor no: \(line)")
        }
      }
      rows.append(Row(command: cells[0], action: action, keyless: cells[0].contains("(keyless)"), allowed: allowed))
    }
    return (rows, problems)
  }

  static func load() throws -> (rows: [Row], problems: [String]) {
    table(try String(contentsOf: root.appendingPathComponent("docs/ROLES.md"), encoding: .utf8))
  }

  /// Whether the access layer lets a practitioner of `role` perform `action`.
  static func permits(_ role: Role, _ action: Action) throws -> Bool {
    let actor = Actor(name: "someone", role: role, practitioner: try RandomID.generate())
    do {
      try AccessPolicy.check(actor, action, client: nil)
      return true
    } catch .roleRefused {
      return false
    } catch {
      Issue.record("\(action.rawValue) for \(role): \(error)")
      return false
    }
  }

  @Test("the table parses: every row names an action and says yes or no for every role")
  func tableParses() throws {
    let (rows, problems) = try Self.load()
    #expect(problems.isEmpty, "\(problems)")
    #expect(rows.count >= Action.allCases.count, "\(rows.count) rows")
    for row in rows { #expect(Set(row.allowed.keys) == Set(Role.allCases), "\(row.command)") }
  }

  @Test("every row says what AccessPolicy decides for each role")
  func rowsMatchThePolicy() throws {
    let (rows, _) = try Self.load()
    #expect(!rows.isEmpty)
    for row in rows {
      for role in Role.allCases {
        guard let documented = row.allowed[role] else {
          Issue.record("\(row.command): no cell for \(role)")
          continue
        }
        if row.keyless {
          // Run without a key as `system`: the policy lets it through whoever types it.
          #expect(documented, "\(row.command): a keyless command is open to every role")
          #expect(throws: Never.self, "\(row.command)") { try AccessPolicy.check(.system, row.action, client: nil) }
          #expect(row.action.mode == .keyless, "\(row.command): '\(row.action.rawValue)' is not a keyless action")
        } else {
          let decided = try Self.permits(role, row.action)
          #expect(documented == decided, "\(row.command) (\(row.action.rawValue)): docs/ROLES.md says \(documented ? "yes" : "no") for \(role), AccessPolicy \(decided ? "allows" : "refuses")")
          // The check is the role table: roles(for:) agrees, except where `check` is stricter.
          if decided { #expect(AccessPolicy.roles(for: row.action).contains(role), "\(row.command): \(role)") }
        }
      }
    }
  }

  @Test("every action the access layer knows is in the table")
  func everyActionIsDocumented() throws {
    let (rows, _) = try Self.load()
    let named = Set(rows.map(\.action))
    let missing = Action.allCases.filter { !named.contains($0) }.map(\.rawValue)
    #expect(missing.isEmpty, "actions missing from docs/ROLES.md: \(missing)")
  }

  @Test("a changed cell is caught: the parser reads what the document says")
  func aWrongCellFails() throws {
    let doc = """
      ## Commands

      | Command | Log action | owner | clinician | supervisor | auditor |
      | ------- | ---------- | ----- | --------- | ---------- | ------- |
      | `vault note show` | `note-show` | yes | yes: assigned | yes: supervisees' | yes |
      """
    let (rows, problems) = Self.table(doc)
    #expect(problems.isEmpty, "\(problems)")
    let row = try #require(rows.first)
    #expect(row.allowed[.auditor] == true)
    #expect(try Self.permits(.auditor, row.action) == false, "the policy refuses note-show to an auditor, so the real document must say no")
    #expect(Self.table("## Commands\n| Command | Log action | owner | clinician | supervisor | auditor |\n| `x` | `no-such-action` | yes | no | no | no |").problems.count == 1)
  }
}
