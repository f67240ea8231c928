#if canImport(Glibc)
  import Glibc
#endif
import VaultCrypto

/// An append-only log file (entries or checkpoints): common header, then records.
final class LogFile {
  let path: String
  private let fd: Int32

  /// Opens (creating it with its header if it is missing or empty, which needs `LOCK_EX`) and
  /// takes `lock` (`LOCK_EX`, `LOCK_SH` or nil) for the lifetime of the object.
  init(path: String, kind: FileKind, lock: Int32?) throws {
    self.path = path
    var fd: Int32
    do {
      fd = try FileSystem.open(path, O_RDWR | O_CREAT | O_APPEND)
    } catch let e as StorageError where lock == LOCK_SH && (e.code == EROFS || e.code == EACCES) {
      fd = try FileSystem.open(path, O_RDONLY)
    }
    // Appenders queue behind each other: an append is a few hundred bytes and one fsync.
    if let lock, flock(fd, lock) != 0 {
      let e = errno
      close(fd)
      throw StorageError(path: path, operation: "lock", code: e)
    }
    self.fd = fd
    if try size() == 0 && lock != LOCK_SH {
      guard fchmod(fd, FileSystem.fileMode) == 0 else { throw StorageError(path: path, operation: "chmod", code: errno) }
      try append(FileHeader.encode(kind))
      // The new file's directory entry must survive a crash, or the log would look deleted.
      try Directories.syncDirectory(SystemPath.parent(path))
    }
    if try size() > 0 {
      var r = ByteReader(try read(at: 0, count: min(FileHeader.size, Int(try size()))))
      try FileHeader.read(kind, from: &r)
    }
  }

  deinit { close(fd) }

  func size() throws -> UInt64 {
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw StorageError(path: path, operation: "stat", code: errno) }
    return UInt64(st.st_size)
  }

  func read(at offset: UInt64, count: Int) throws -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    var done = 0
    while done < count {
      let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
      if n < 0 && errno == EINTR { continue }
      if n < 0 { throw StorageError(path: path, operation: "read", code: errno) }
      if n == 0 { throw FormatError.truncated }
      done += n
    }
    return out
  }

  /// Appends `bytes` in one write (O_APPEND) and fsyncs: an append is durable when this returns.
  func append(_ bytes: [UInt8]) throws {
    try bytes.withUnsafeBytes { try FileSystem.writeAll(fd, $0, path: path) }
    try FileSystem.sync(fd, path: path)
  }

  func truncate(to length: UInt64) throws {
    guard try size() != length else { return }
    guard ftruncate(fd, off_t(length)) == 0 else { throw StorageError(path: path, operation: "truncate", code: errno) }
    try FileSystem.sync(fd, path: path)
  }

  /// The end of the last whole fixed-size record.
  func alignedEnd(recordSize: Int) throws -> UInt64 {
    let body = try size() - UInt64(FileHeader.size)
    return UInt64(FileHeader.size) + body - body % UInt64(recordSize)
  }

  /// The end of the entries: found from the last two records in O(1) (the last one must be
  /// well formed and chain from the one before), or by a full scan otherwise.
  func tail(vault: RandomID) throws -> LogTail {
    let size = try size()
    let start = UInt64(FileHeader.size)
    if size <= start { return LogTail(count: 0, chain: try LogRecord.genesis(vault: vault), end: start, tornBytes: nil) }
    if let (last, lastStart) = try record(endingAt: size) {
      let previous: (chain: [UInt8], ok: Bool)
      if last.seq == 0 {
        previous = (try LogRecord.genesis(vault: vault), lastStart == start)
      } else if let (before, _) = try record(endingAt: lastStart), before.seq == last.seq - 1 {
        previous = (before.chain, true)
      } else {
        previous = ([], false)
      }
      if previous.ok, try LogRecord.chain(previous: previous.chain, seq: last.seq, body: last.body) == last.chain {
        return LogTail(count: last.seq + 1, chain: last.chain, end: size, tornBytes: nil)
      }
    }
    var last: LogRecord?
    var count: UInt64 = 0
    var end = start
    let stop = try scan { record in
      last = record
      count += 1
      end += UInt64(record.body.count + LogRecord.overhead)
    }
    let chain = try last?.chain ?? LogRecord.genesis(vault: vault)
    switch stop {
    case .complete: return LogTail(count: count, chain: chain, end: end, tornBytes: nil)
    case .torn(let bytes): return LogTail(count: count, chain: chain, end: end, tornBytes: bytes)
    case .malformed(let seq, let reason):
      // Garbage after the last whole record can be cut (and the cut is logged); bytes that
      // hide whole records cannot, or the "repair" would delete entries.
      if try !wholeRecordFollows(from: end, position: count) {
        return LogTail(count: count, chain: chain, end: end, tornBytes: size - end)
      }
      throw VaultError.integrity([Finding(.error, "log/entries", "entry \(seq + 1): \(reason); run 'vault log verify'")])
    }
  }

  /// Whether a whole record with a later sequence number lies anywhere after `offset`: the
  /// difference between the remains of an interrupted append and damage in the middle.
  func wholeRecordFollows(from offset: UInt64, position: UInt64) throws -> Bool {
    let size = try size()
    guard offset < size else { return false }
    let remaining = size - offset
    // More than the largest record cannot be one torn append.
    guard remaining <= UInt64(LogRecord.maxBody + LogRecord.overhead) else { return true }
    if try record(endingAt: size) != nil { return true }
    let rest = try read(at: offset, count: Int(remaining))
    var o = 1
    while o + LogRecord.overhead <= rest.count {
      let seq = u64(Array(rest[(o + 4)..<(o + 12)]))
      if seq > position && seq < position + 1 << 20 {
        let length = Int(u32(Array(rest[o..<(o + 4)])))
        let end = o + length + LogRecord.overhead
        if length <= LogRecord.maxBody, end <= rest.count, u32(Array(rest[(end - 4)..<end])) == UInt32(length) { return true }
      }
      o += 1
    }
    return false
  }

  /// The well-formed record that ends at `end` (lengths at both ends agree, a known body mode,
  /// a sane sequence number), with its start offset; nil if there is none.
  func record(endingAt end: UInt64) throws -> (LogRecord, UInt64)? {
    let start = UInt64(FileHeader.size)
    guard end >= start + UInt64(LogRecord.overhead) + 1 else { return nil }
    let length = u32(try read(at: end - 4, count: 4))
    let size = UInt64(length) + UInt64(LogRecord.overhead)
    guard length >= UInt32(LogRecord.minimumBody), length <= LogRecord.maxBody, end >= start + size else { return nil }
    let recordStart = end - size
    let bytes = try read(at: recordStart, count: Int(size))
    guard u32(Array(bytes.prefix(4))) == length else { return nil }
    let seq = u64(Array(bytes[4..<12]))
    let body = Array(bytes[12..<12 + Int(length)])
    guard seq < UInt64.max, let mode = body.first, LogRecord.Mode(rawValue: mode) != nil else { return nil }
    return (LogRecord(seq: seq, body: body, chain: Array(bytes[(12 + Int(length))..<(44 + Int(length))])), recordStart)
  }

  /// The record that starts at `offset`, if one is there whole.
  func record(startingAt offset: UInt64) throws -> (LogRecord, UInt64)? {
    let size = try size()
    guard offset + UInt64(LogRecord.overhead) <= size else { return nil }
    let length = u32(try read(at: offset, count: 4))
    guard length >= UInt32(LogRecord.minimumBody), length <= LogRecord.maxBody else { return nil }
    return try record(endingAt: offset + UInt64(length) + UInt64(LogRecord.overhead))
  }

  /// Reads every record in order.
  func scan(_ body: (LogRecord) throws -> Void) throws -> LogScanEnd {
    let size = try size()
    var offset = UInt64(FileHeader.size)
    var reader = BufferedReader(file: self, offset: offset, end: size)
    var position: UInt64 = 0
    // A record that claims to run past the end is a torn append only if the file does not end
    // in a whole record; otherwise a length in the middle was damaged.
    func cut(_ remaining: UInt64) throws -> LogScanEnd {
      if try wholeRecordFollows(from: size - remaining, position: position) {
        return .malformed(seq: position, reason: "its length runs past the end of the file, but whole records follow it (the file was damaged here)")
      }
      // An interrupted append leaves a prefix of the record it was writing: a length in range,
      // then this position's number. Anything else was appended by someone, or is damage.
      let tail = try read(at: size - remaining, count: Int(min(remaining, 12)))
      if tail.count >= 4 {
        let length = u32(Array(tail.prefix(4)))
        guard length >= UInt32(LogRecord.minimumBody), length <= LogRecord.maxBody else {
          return .malformed(seq: position, reason: "the bytes after the last record are not the start of one (appended, or damaged)")
        }
      }
      if tail.count >= 12, u64(Array(tail[4..<12])) != position {
        return .malformed(seq: position, reason: "the bytes after the last record are not the start of the next one (appended, or damaged)")
      }
      return .torn(bytes: remaining)
    }
    while offset < size {
      let remaining = size - offset
      guard remaining >= UInt64(LogRecord.overhead) else { return try cut(remaining) }
      let length = u32(try reader.read(4))
      guard length >= UInt32(LogRecord.minimumBody), length <= LogRecord.maxBody else {
        return .malformed(seq: position, reason: "record length \(length) is out of range")
      }
      let recordSize = UInt64(length) + UInt64(LogRecord.overhead)
      guard remaining >= recordSize else { return try cut(remaining) }
      let seq = u64(try reader.read(8))
      let bodyBytes = try reader.read(Int(length))
      let chain = try reader.read(32)
      let trailing = u32(try reader.read(4))
      guard trailing == length else { return .malformed(seq: position, reason: "record lengths at its two ends differ") }
      try body(LogRecord(seq: seq, body: bodyBytes, chain: chain))
      offset += recordSize
      position += 1
    }
    return .complete
  }

  private func u32(_ b: [UInt8]) -> UInt32 { LittleEndian.u32(b) }
  private func u64(_ b: [UInt8]) -> UInt64 { LittleEndian.u64(b) }
}

/// Sequential reads through a 4 MiB window: a million-entry scan makes few system calls.
private struct BufferedReader {
  let file: LogFile
  var offset: UInt64
  let end: UInt64
  var buffer: [UInt8] = []
  var position = 0

  init(file: LogFile, offset: UInt64, end: UInt64) {
    self.file = file
    self.offset = offset
    self.end = end
  }

  mutating func read(_ count: Int) throws -> [UInt8] {
    if buffer.count - position < count {
      let keep = Array(buffer[position...])
      let want = max(count - keep.count, min(4 << 20, Int(end - offset)))
      let more = try file.read(at: offset, count: min(want, Int(end - offset)))
      offset += UInt64(more.count)
      buffer = keep + more
      position = 0
      guard buffer.count >= count else { throw FormatError.truncated }
    }
    defer { position += count }
    return Array(buffer[position..<position + count])
  }
}
