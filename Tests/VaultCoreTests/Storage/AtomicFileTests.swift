import Foundation
import Testing
import VaultCore
import VaultCrypto

#if canImport(Glibc)
  import Glibc
#endif

// The umask belongs to the whole process, and other suites create files at the same time, so
// every test that changes it does so in a child process (an exit test). That also allows masks
// that strip the owner's own bits, which only fchmod/chmod after creation can undo.
@Suite("file modes under any umask")
struct UmaskTests {
  static let umasks: [mode_t] = [0o000, 0o022, 0o077, 0o277]

  /// In the child: runs `body` in a fresh directory under `mask`; exits 0 if it returns true,
  /// 1 if it returns false or throws, 2 if the directory cannot be made.
  static func runInChild(umask mask: mode_t, _ body: (ScratchDirectory) throws -> Bool) -> Never {
    guard let dir = try? ScratchDirectory() else { exit(2) }
    umask(mask)
    let passed = (try? body(dir)) ?? false
    dir.remove()
    exit(passed ? 0 : 1)
  }

  @Test("AtomicFile.write creates files with mode 0600", arguments: umasks)
  func atomicFileMode(mask: mode_t) async {
    await #expect(processExitsWith: .success, "umask \(String(mask, radix: 8))") { [mask] in
      UmaskTests.runInChild(umask: mask) { dir in
        try AtomicFile.write(Array("x".utf8), to: dir.file("config"))
        return try ScratchDirectory.permissions(of: dir.file("config")) == 0o600
      }
    }
  }

  @Test("AtomicFile.write replaces a world-readable file with a 0600 one", arguments: umasks)
  func replacedFileMode(mask: mode_t) async {
    await #expect(processExitsWith: .success, "umask \(String(mask, radix: 8))") { [mask] in
      UmaskTests.runInChild(umask: mask) { dir in
        let path = dir.file("index")
        guard FileManager.default.createFile(atPath: path, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644]) else { return false }
        try AtomicFile.write(Array("new".utf8), to: path)
        return try ScratchDirectory.permissions(of: path) == 0o600
      }
    }
  }

  @Test("FileSystem.makeDirectory creates directories with mode 0700", arguments: umasks)
  func directoryMode(mask: mode_t) async {
    await #expect(processExitsWith: .success, "umask \(String(mask, radix: 8))") { [mask] in
      UmaskTests.runInChild(umask: mask) { dir in
        try Directories.makeDirectory(dir.file("objects"))
        return try ScratchDirectory.permissions(of: dir.file("objects")) == 0o700
      }
    }
  }

  @Test("objects and their fan-out directories get modes 0600 and 0700", arguments: umasks)
  func objectMode(mask: mode_t) async {
    await #expect(processExitsWith: .success, "umask \(String(mask, radix: 8))") { [mask] in
      UmaskTests.runInChild(umask: mask) { dir in
        // makeDirectory restores 0700 itself, so the store is usable under any mask.
        let store = ObjectStore(directory: dir.file("objects"), temporaryDirectory: dir.file("tmp"))
        try Directories.makeDirectory(store.directory)
        try Directories.makeDirectory(store.temporaryDirectory)
        let id = try store.put(
          [1, 2, 3], binding: ObjectBinding(type: .note, client: .none), key: .random(), vault: .generate(),
          header: ObjectHeader(chunkSize: 1024))
        return try ScratchDirectory.permissions(of: store.path(for: id)) == 0o600
          && ScratchDirectory.permissions(of: SystemPath.parent(store.path(for: id))) == 0o700
      }
    }
  }
}

@Suite("atomic file writes")
struct AtomicFileTests {
  @Test("a written file holds exactly the bytes, and no temporary file is left")
  func writes() throws {
    let dir = try ScratchDirectory()
    defer { dir.remove() }
    for bytes in [[], [0], TestBytes.pattern(count: 1 << 20)] {
      try AtomicFile.write(bytes, to: dir.file("file"))
      #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.file("file")))) == bytes)
      #expect(try dir.contents() == ["file"])
    }
  }

  @Test("replacing a file swaps in a new file rather than rewriting the old one")
  func replacesAtomically() throws {
    let dir = try ScratchDirectory()
    defer { dir.remove() }
    let path = dir.file("index")
    try AtomicFile.write(Array("generation 1".utf8), to: path)
    // A reader that opened the old file keeps seeing all of it: the new content arrives by
    // rename, never by truncating and rewriting in place.
    let reader = try #require(FileHandle(forReadingAtPath: path))
    defer { try? reader.close() }
    try AtomicFile.write(Array("generation 2, longer".utf8), to: path)
    #expect(try reader.readToEnd() == Data("generation 1".utf8))
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("generation 2, longer".utf8))
    #expect(try dir.contents() == ["index"])
  }

  @Test("a separate temporary directory is used and left empty")
  func separateTemporaryDirectory() throws {
    let dir = try ScratchDirectory()
    defer { dir.remove() }
    let tmp = try dir.makeSubdirectory("tmp")
    try AtomicFile.write([1, 2, 3], to: dir.file("config"), temporaryDirectory: tmp)
    #expect(try dir.contents(of: "tmp") == [])
    #expect(try dir.contents() == ["config", "tmp"])
  }

  @Test("a failed write throws and leaves no temporary file")
  func failedWrite() throws {
    let dir = try ScratchDirectory()
    defer { dir.remove() }
    let tmp = try dir.makeSubdirectory("tmp")
    // The rename target's directory does not exist: the temporary file is written, then removed.
    let error = #expect(throws: StorageError.self) {
      try AtomicFile.write([1, 2, 3], to: dir.file("missing/config"), temporaryDirectory: tmp)
    }
    #expect(error?.isNotFound == true)
    #expect(try dir.contents(of: "tmp") == [])
    // Without a temporary directory, the temporary file cannot even be created.
    #expect(throws: StorageError.self) { try AtomicFile.write([1], to: dir.file("missing/config")) }
    #expect(try dir.contents() == ["tmp"])
  }

  @Test("temporary paths carry the leftover prefix and are unique")
  func temporaryPaths() throws {
    let a = try AtomicFile.temporaryPath(in: "/v/tmp")
    let b = try AtomicFile.temporaryPath(in: "/v/tmp")
    #expect(a.hasPrefix("/v/tmp/" + AtomicFile.temporaryPrefix))
    #expect(a != b)
  }
}

@Suite("file system helpers")
struct FileSystemTests {
  @Test("makeDirectory accepts an existing directory but not an existing file")
  func makeDirectoryExisting() throws {
    let dir = try ScratchDirectory()
    defer { dir.remove() }
    try Directories.makeDirectory(dir.file("d"))
    try Directories.makeDirectory(dir.file("d"))
    try AtomicFile.write([1], to: dir.file("f"))
    #expect(throws: StorageError.self) { try Directories.makeDirectory(dir.file("f")) }
    #expect(throws: StorageError.self) { try Directories.makeDirectory(dir.file("no/such/parent")) }
  }

  @Test("readFile refuses files above its limit")
  func readFileLimit() throws {
    let dir = try ScratchDirectory()
    defer { dir.remove() }
    try AtomicFile.write([UInt8](repeating: 7, count: 100), to: dir.file("f"))
    #expect(try FileSystem.readFile(dir.file("f"), limit: 100).count == 100)
    let error = #expect(throws: StorageError.self) { try FileSystem.readFile(dir.file("f"), limit: 99) }
    #expect(error?.code == EFBIG)
    let missing = #expect(throws: StorageError.self) { try FileSystem.readFile(dir.file("nope")) }
    #expect(missing?.isNotFound == true)
  }

  @Test("list is sorted, skips dot entries and is empty for a missing directory")
  func list() throws {
    let dir = try ScratchDirectory()
    defer { dir.remove() }
    for name in ["b", ".hidden", "a", "c"] { try AtomicFile.write([], to: dir.file(name)) }
    #expect(try Directories.list(dir.path) == [".hidden", "a", "b", "c"])
    #expect(try Directories.list(dir.file("missing")) == [])
  }

  @Test("parent splits off the last path component")
  func parent() {
    #expect(SystemPath.parent("/a/b/c") == "/a/b")
    #expect(SystemPath.parent("/a") == "/")
    #expect(SystemPath.parent("a") == ".")
    #expect(SystemPath.parent("a/b") == "a")
  }
}
