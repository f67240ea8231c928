import CVaultSystem
import Foundation

/// Writes a ZIP archive as a stream, for exports: entries are stored (not compressed: the
/// documents are PDFs and images, and the whole file is encrypted anyway), each followed by a data
/// descriptor so nothing needs to be known or rewritten before its data, and ZIP64 records are
/// used when an entry or the archive passes 4 GiB. Names are UTF-8 (flag bit 11). Memory does not
/// grow with an entry's size. `unzip`, Windows Explorer and macOS Archive Utility read it.
public final class ZipWriter {
  private let output: (UnsafeRawBufferPointer) throws -> Void
  private var offset: UInt64 = 0
  private var central: [UInt8] = []
  private var count = 0
  private var open: (name: [UInt8], offset: UInt64, crc: UInt32, size: UInt64, zip64: Bool)?
  /// Forces ZIP64 records everywhere (tests exercise that path without 4 GiB of data).
  let forceZip64: Bool
  private let dosTime: UInt16
  private let dosDate: UInt16

  /// A writer sending the archive's bytes to `output`; entries are dated `date` (local time).
  public init(date: Date = Date(), forceZip64: Bool = false, output: @escaping (UnsafeRawBufferPointer) throws -> Void) {
    self.output = output
    self.forceZip64 = forceZip64
    var t = time_t(date.timeIntervalSince1970)
    var parts = tm()
    localtime_r(&t, &parts)
    dosTime = UInt16(parts.tm_hour) << 11 | UInt16(parts.tm_min) << 5 | UInt16(parts.tm_sec / 2)
    dosDate = UInt16(max(0, Int(parts.tm_year) - 80)) << 9 | UInt16(parts.tm_mon + 1) << 5 | UInt16(parts.tm_mday)
  }

  /// Starts an entry; its bytes follow with `write`. `sizeHint` (if known) decides ZIP64 up front.
  public func begin(_ name: String, sizeHint: UInt64 = 0) throws {
    precondition(open == nil, "an entry is already open")
    let nameBytes = Array(name.utf8)
    let zip64 = forceZip64 || sizeHint >= 0xFFFF_FFFF || offset >= 0xFFFF_FFFF
    var h = ZipBytes()
    h.u32(0x0403_4b50)
    h.u16(zip64 ? 45 : 20)
    h.u16(1 << 3 | 1 << 11)  // data descriptor follows; UTF-8 names
    h.u16(0)  // stored
    h.u16(dosTime)
    h.u16(dosDate)
    h.u32(0)  // CRC and sizes are in the descriptor
    h.u32(zip64 ? 0xFFFF_FFFF : 0)
    h.u32(zip64 ? 0xFFFF_FFFF : 0)
    h.u16(UInt16(nameBytes.count))
    h.u16(zip64 ? 20 : 0)
    h.bytes += nameBytes
    if zip64 {
      h.u16(1)
      h.u16(16)
      h.u64(0)
      h.u64(0)
    }
    open = (nameBytes, offset, 0, 0, zip64)
    try emit(h.bytes)
  }

  /// Appends bytes to the open entry.
  public func write(_ bytes: UnsafeRawBufferPointer) throws {
    guard var entry = open else { preconditionFailure("no open entry") }
    if let base = bytes.baseAddress { entry.crc = vault_crc32(entry.crc, base.assumingMemoryBound(to: UInt8.self), bytes.count) }
    entry.size += UInt64(bytes.count)
    open = entry
    try emit(bytes)
  }

  /// Ends the open entry with its data descriptor.
  public func end() throws {
    guard let entry = open else { preconditionFailure("no open entry") }
    guard entry.zip64 || entry.size < 0xFFFF_FFFF else {
      throw VaultError.internalError("a ZIP entry grew past 4 GiB without ZIP64 (its size hint was wrong)")
    }
    var d = ZipBytes()
    d.u32(0x0807_4b50)
    d.u32(entry.crc)
    if entry.zip64 {
      d.u64(entry.size)
      d.u64(entry.size)
    } else {
      d.u32(UInt32(entry.size))
      d.u32(UInt32(entry.size))
    }
    try emit(d.bytes)
    let needs64 = entry.zip64 || entry.offset >= 0xFFFF_FFFF
    var c = ZipBytes()
    c.u32(0x0201_4b50)
    c.u16(3 << 8 | 45)  // made by Unix, spec 4.5
    c.u16(needs64 ? 45 : 20)
    c.u16(1 << 3 | 1 << 11)
    c.u16(0)
    c.u16(dosTime)
    c.u16(dosDate)
    c.u32(entry.crc)
    c.u32(needs64 ? 0xFFFF_FFFF : UInt32(entry.size))
    c.u32(needs64 ? 0xFFFF_FFFF : UInt32(entry.size))
    c.u16(UInt16(entry.name.count))
    c.u16(needs64 ? 28 : 0)
    c.u16(0)  // comment
    c.u16(0)  // disk
    c.u16(0)  // internal attributes
    c.u32(0o100600 << 16)  // a regular file, readable by its owner only
    c.u32(needs64 ? 0xFFFF_FFFF : UInt32(entry.offset))
    c.bytes += entry.name
    if needs64 {
      c.u16(1)
      c.u16(24)
      c.u64(entry.size)
      c.u64(entry.size)
      c.u64(entry.offset)
    }
    central += c.bytes
    count += 1
    open = nil
  }

  /// Adds a whole entry from memory.
  public func add(_ name: String, _ bytes: [UInt8]) throws {
    try begin(name, sizeHint: UInt64(bytes.count))
    try bytes.withUnsafeBytes { try write($0) }
    try end()
  }

  /// Writes the central directory and the end records.
  public func finish() throws {
    precondition(open == nil, "an entry is still open")
    let start = offset
    try emit(central)
    let size = UInt64(central.count)
    let zip64 = forceZip64 || start >= 0xFFFF_FFFF || count >= 0xFFFF || size >= 0xFFFF_FFFF
    var e = ZipBytes()
    if zip64 {
      let recordOffset = offset
      e.u32(0x0606_4b50)
      e.u64(44)
      e.u16(3 << 8 | 45)
      e.u16(45)
      e.u32(0)
      e.u32(0)
      e.u64(UInt64(count))
      e.u64(UInt64(count))
      e.u64(size)
      e.u64(start)
      e.u32(0x0706_4b50)
      e.u32(0)
      e.u64(recordOffset)
      e.u32(1)
    }
    e.u32(0x0605_4b50)
    e.u16(0)
    e.u16(0)
    e.u16(zip64 ? 0xFFFF : UInt16(count))
    e.u16(zip64 ? 0xFFFF : UInt16(count))
    e.u32(zip64 ? 0xFFFF_FFFF : UInt32(size))
    e.u32(zip64 ? 0xFFFF_FFFF : UInt32(start))
    e.u16(0)
    try emit(e.bytes)
  }

  private func emit(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try emit($0) } }

  private func emit(_ bytes: UnsafeRawBufferPointer) throws {
    try output(bytes)
    offset += UInt64(bytes.count)
  }
}

/// Little-endian field builder for ZIP records.
struct ZipBytes {
  var bytes: [UInt8] = []
  mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
  mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
  mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
}
