import Foundation

/// A uniquely named directory under the system temporary directory.
///
/// Call `remove()` in a `defer`: relying on `deinit` would let ARC delete the directory as soon
/// as the last reference is used, while the test still works with paths inside it.
struct ScratchDirectory {
  let path: String

  init() throws {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("vault-coretests-\(UUID().uuidString.lowercased())", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
    path = url.path
  }

  /// A path inside the directory.
  func file(_ name: String) -> String { "\(path)/\(name)" }

  /// Creates a subdirectory and returns its path.
  func makeSubdirectory(_ name: String) throws -> String {
    try FileManager.default.createDirectory(atPath: file(name), withIntermediateDirectories: true)
    return file(name)
  }

  /// Names in a subdirectory (or the directory itself), sorted.
  func contents(of name: String? = nil) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: name.map(file) ?? path).sorted()
  }

  /// The permission bits of `path`, read with Foundation rather than the code under test.
  static func permissions(of path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    guard let mode = attributes[.posixPermissions] as? Int else { throw CocoaError(.fileReadUnknown) }
    return mode
  }

  func remove() { try? FileManager.default.removeItem(atPath: path) }
}
