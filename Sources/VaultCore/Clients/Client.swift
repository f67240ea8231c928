import VaultCrypto

/// A client as loaded from the vault: identity, key and their client index.
public struct Client: Sendable {
  /// The random id that names the client's key file.
  public let id: RandomID
  /// The short code people type.
  public let code: ClientCode
  /// The client's keys as this unlock opened them.
  let keys: ClientKeyRing
  /// Summary, record versions and notes.
  public var index: ClientIndex
  /// The object holding `index` (replaced by every change).
  public let indexObject: ObjectID
  /// The object holding the client's register (in a practice with practitioners).
  let registerObject: ObjectID?

  /// The key new objects are written under; refused to a holder of the register key only.
  var key: SecretKey {
    get throws(AccessError) {
      guard let k = keys.newest else {
        throw .roleRefused(name: "this practitioner", role: .auditor, what: "writing \(code)'s record (their key opens only its register)", allowed: [.owner, .clinician])
      }
      return k
    }
  }

  /// Whether only the register (no clinical content) was opened: an auditor's view.
  public var isRegisterOnly: Bool { keys.clinical.isEmpty }

  /// True once discharged.
  public var isDischarged: Bool { index.dischargeDate != nil }

  /// "Preferred (Legal)" when the client goes by another name, else the legal name.
  public var displayName: String {
    let p = index.preferredName
    return p.isEmpty || p == index.legalName ? index.legalName : "\(p) (\(index.legalName))"
  }

  /// The id of this client's note `number`.
  public func noteID(_ number: UInt32) -> NoteID { NoteID(client: code, number: number) }
  /// The id of this client's consent `number`.
  public func consentID(_ number: UInt32) -> ItemID { ItemID("C", client: code, number: number) }
  /// The id of this client's disclosure `number`.
  public func disclosureID(_ number: UInt32) -> ItemID { ItemID("D", client: code, number: number) }
}

/// A note's id as people type it: the client code, a dot, the note number ("K7F3-2Q.3").
public struct NoteID: Hashable, Sendable, CustomStringConvertible {
  /// The client's code.
  public let client: ClientCode
  /// The note's number within the client.
  public let number: UInt32

  /// Creates an id.
  public init(client: ClientCode, number: UInt32) {
    self.client = client
    self.number = number
  }

  /// Parses "K7F3-2Q.3" (code rules of `ClientCode`).
  public init(parsing text: String) throws(RecordError) {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 2, let code = ClientCode(parsing: String(parts[0])), let n = UInt32(parts[1]), n > 0 else {
      throw .invalidNoteID(text)
    }
    self.init(client: code, number: n)
  }

  /// "K7F3-2Q.3".
  public var description: String { "\(client).\(number)" }
}

/// A consent's or disclosure's id: the client code, a dot, a letter and a number ("K7F3-2Q.C2").
public struct ItemID: Hashable, Sendable, CustomStringConvertible {
  /// "C" for consents, "D" for disclosures.
  public let letter: Character
  /// The client's code.
  public let client: ClientCode
  /// The number within the client.
  public let number: UInt32

  /// Creates an id.
  public init(_ letter: Character, client: ClientCode, number: UInt32) {
    self.letter = letter
    self.client = client
    self.number = number
  }

  /// Parses "K7F3-2Q.C2" (letter case-insensitive; code rules of `ClientCode`).
  public init(parsing text: String, letter: Character) throws(RecordError) {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 2, let code = ClientCode(parsing: String(parts[0])), parts[1].first?.uppercased() == String(letter),
      let n = UInt32(parts[1].dropFirst()), n > 0
    else { throw .invalidItemID(text, example: "K7F3-2Q.\(letter)1") }
    self.init(letter, client: code, number: n)
  }

  /// "K7F3-2Q.C2".
  public var description: String { "\(client).\(letter)\(number)" }
}

/// Which notes a list or search covers.
public struct NoteFilter: Sendable {
  /// Kinds to include; psychotherapy notes only when named here.
  public var kinds: Set<NoteKind>
  /// Earliest session date, inclusive.
  public var since: Day?
  /// Latest session date, inclusive.
  public var until: Day?

  /// Every kind except psychotherapy notes, which are kept apart unless asked for.
  public static let recordKinds = Set(NoteKind.allCases).subtracting([.psychotherapy])

  /// A filter; by default the record's kinds, any date.
  public init(kinds: Set<NoteKind> = NoteFilter.recordKinds, since: Day? = nil, until: Day? = nil) {
    self.kinds = kinds
    self.since = since
    self.until = until
  }

  /// True if `note` passes.
  public func matches(_ note: NoteEntry) -> Bool {
    kinds.contains(note.kind) && since.map { note.date >= $0 } ?? true && until.map { note.date <= $0 } ?? true
  }
}
