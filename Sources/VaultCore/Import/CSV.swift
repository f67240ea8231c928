/// A comma-separated file as RFC 4180 describes it, read leniently enough to report every bad
/// record rather than stop at the first: fields separated by commas, records by CRLF or LF;
/// a field may be quoted, and inside quotes a doubled quote is a quote and commas and line
/// breaks are text. Encoding: UTF-8, with or without a byte-order mark.
///
/// A record with a quoting mistake (a quote inside an unquoted field, text after a closing
/// quote, a quote never closed) keeps its number and gets a `problem`; the records after it
/// are read as usual (a quote never closed takes the rest of the file, and says so).
public enum CSV {
  /// One record: where it starts and its fields (line breaks inside quotes as "\n").
  public struct Record: Sendable, Equatable {
    /// Its number, counting the header as 1 and every record (blank lines too): the row a
    /// spreadsheet shows when no field holds a line break.
    public let row: Int
    /// The line of the file it starts on (1 = the first line).
    public let line: Int
    /// The fields, as text.
    public var fields: [String]
    /// Why the record cannot be trusted (a quoting mistake, a field too long), if it cannot.
    public var problem: String?

    /// True for an empty line: one empty field, no problem.
    public var isBlank: Bool { problem == nil && fields.count == 1 && fields[0].isEmpty }
  }

  /// The longest field read (longer ones are a problem of their record, not held in memory).
  public static let maxFieldBytes = 64 << 10
  /// The most fields a record may have.
  public static let maxFields = 256

  /// The text of a file that must be UTF-8: the byte-order mark removed; UTF-16 and UTF-32
  /// (a byte-order mark, or NUL bytes) and bytes that are not UTF-8 refused with the line they are on.
  public static func utf8Text(_ bytes: [UInt8], source: String) throws(RecordError) -> ArraySlice<UInt8> {
    if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0, 0, 0xFE, 0xFF]) {
      throw .importInvalid(
        source: source, why: "it is UTF-16 or UTF-32 text, not UTF-8; save it as 'CSV UTF-8' (or convert it with 'iconv -f UTF-16 -t UTF-8')")
    }
    var text = bytes[...]
    if text.starts(with: [0xEF, 0xBB, 0xBF]) { text = text.dropFirst(3) }
    if let nul = text.firstIndex(of: 0) {
      throw .importInvalid(
        source: source, why: "line \(lineNumber(of: nul, in: text)) holds a NUL byte: it is not UTF-8 text (UTF-16?); save it as 'CSV UTF-8'")
    }
    if String(validating: text, as: UTF8.self) == nil {
      let offset = text.startIndex + NoteText.firstInvalidOffset(Array(text))
      throw .importInvalid(
        source: source,
        why: "line \(lineNumber(of: offset, in: text)) is not UTF-8 text (invalid byte at offset \(offset)); save it as 'CSV UTF-8', or convert it, "
          + "e.g. 'iconv -f WINDOWS-1252 -t UTF-8'")
    }
    return text
  }

  static func lineNumber(of offset: Int, in text: ArraySlice<UInt8>) -> Int {
    text[text.startIndex..<offset].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
  }

  /// The records of `text` (UTF-8, as `utf8Text` returns it), the header first; at most `limit`
  /// of them (blank ones too), so a file of millions of tiny rows costs no more than the limit.
  public static func parse(_ text: ArraySlice<UInt8>, limit: Int = .max) -> [Record] {
    let quote: UInt8 = 0x22, comma: UInt8 = 0x2C, cr: UInt8 = 0x0D, lf: UInt8 = 0x0A
    var records: [Record] = []
    var i = text.startIndex
    let end = text.endIndex
    var line = 1
    while i < end, records.count < limit {
      let startLine = line
      var fields: [String] = []
      var problem: String?
      func flag(_ why: String) { if problem == nil { problem = why } }
      fieldLoop: while true {
        var field: [UInt8] = []
        var tooLong = false
        func add(_ b: UInt8) {
          if field.count < maxFieldBytes { field.append(b) } else { tooLong = true }
        }
        let column = fields.count + 1
        if i < end, text[i] == quote {
          i += 1
          var closed = false
          while i < end {
            let c = text[i]
            if c == quote {
              if i + 1 < end, text[i + 1] == quote {
                add(quote)
                i += 2
              } else {
                i += 1
                closed = true
                break
              }
            } else if c == cr || c == lf {
              // A line break inside quotes is text; CRLF and a lone CR become LF.
              add(lf)
              i += c == cr && i + 1 < end && text[i + 1] == lf ? 2 : 1
              line += 1
            } else {
              add(c)
              i += 1
            }
          }
          if !closed {
            flag("field \(column) opens a quote that is never closed (the rest of the file, from line \(startLine), was read as that one field)")
          }
          if i < end, text[i] != comma, text[i] != cr, text[i] != lf {
            flag("field \(column) has text after its closing quote; put the whole field in quotes and write a quote inside it as two (\"\")")
            while i < end, text[i] != comma, text[i] != cr, text[i] != lf {
              add(text[i])
              i += 1
            }
          }
        } else {
          while i < end, text[i] != comma, text[i] != cr, text[i] != lf {
            if text[i] == quote {
              flag("field \(column) has a quote but does not start with one; put the whole field in quotes and write a quote inside it as two (\"\")")
            }
            add(text[i])
            i += 1
          }
        }
        if tooLong { flag("field \(column) is longer than \(maxFieldBytes >> 10) KiB") }
        if fields.count < maxFields {
          fields.append(tooLong ? "" : String(decoding: field, as: UTF8.self))
        } else {
          flag("the record has more than \(maxFields) fields")
        }
        if i < end, text[i] == comma {
          i += 1
          continue fieldLoop
        }
        break
      }
      if i < end {
        i += text[i] == cr && i + 1 < end && text[i + 1] == lf ? 2 : 1
        line += 1
      }
      records.append(Record(row: records.count + 1, line: startLine, fields: fields, problem: problem))
    }
    return records
  }
}
