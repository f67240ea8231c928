import Foundation

/// Just enough XML for S3's answers (listings, upload ids, errors): elements found by name,
/// text with the five entities and numeric references decoded. S3 answers are flat, regular
/// documents; a full parser (FoundationXML) would add libxml2 to the binary for nothing.
enum S3XML {
  /// The text inside every `<tag>…</tag>` in `xml`, in order (not nested in itself).
  static func elements(_ tag: String, in xml: Substring) -> [Substring] {
    let open = "<\(tag)>", close = "</\(tag)>"
    var out: [Substring] = []
    var rest = xml
    while let o = rest.range(of: open) {
      guard let c = rest[o.upperBound...].range(of: close) else { break }
      out.append(rest[o.upperBound..<c.lowerBound])
      rest = rest[c.upperBound...]
    }
    return out
  }

  /// The decoded text of the first `<tag>` in `xml`, or nil.
  static func value(_ tag: String, in xml: Substring) -> String? {
    elements(tag, in: xml).first.map { decode($0) }
  }

  /// Text with XML entities decoded.
  static func decode(_ s: Substring) -> String {
    guard s.contains("&") else { return String(s) }
    var out = ""
    var rest = s
    while let amp = rest.firstIndex(of: "&") {
      out += rest[..<amp]
      guard let semi = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semi) <= 10 else {
        out += rest[amp...]
        return out
      }
      let entity = rest[rest.index(after: amp)..<semi]
      switch entity {
      case "amp": out += "&"
      case "lt": out += "<"
      case "gt": out += ">"
      case "quot": out += "\""
      case "apos": out += "'"
      default:
        let scalar: UInt32? =
          entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16) : entity.hasPrefix("#") ? UInt32(entity.dropFirst(), radix: 10) : nil
        if let scalar, let u = Unicode.Scalar(scalar) { out.unicodeScalars.append(u) } else { out += "&\(entity);" }
      }
      rest = rest[rest.index(after: semi)...]
    }
    return out + rest
  }

  /// Text escaped for an element's content.
  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
  }
}
