/// Where an export's files go: a ZIP (`ZipWriter`, then age or the plain file) or the
/// self-decrypting HTML page (`HTMLExportWriter`). Small files come whole; documents stream
/// (`begin`, `write`…, `end`) so memory does not grow with their size; `finish` ends the output.
protocol ExportSink: AnyObject {
  /// Adds a whole file from memory.
  func add(_ name: String, _ bytes: [UInt8]) throws
  /// Starts a streamed file of about `sizeHint` bytes and type `mediaType`.
  func begin(_ name: String, sizeHint: UInt64, mediaType: String) throws
  /// Appends bytes to the open file.
  func write(_ bytes: UnsafeRawBufferPointer) throws
  /// Ends the open file.
  func end() throws
  /// Writes whatever closes the output (nothing may be added after).
  func finish() throws
}

extension ZipWriter: ExportSink {
  /// A ZIP entry has no media type: the name's extension says it.
  func begin(_ name: String, sizeHint: UInt64, mediaType: String) throws { try begin(name, sizeHint: sizeHint) }
}
