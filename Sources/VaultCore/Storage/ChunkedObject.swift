#if canImport(Glibc)
  import Glibc
#endif
import Foundation
import VaultCrypto

// Objects of revision 1 (FORMAT.md §6.8): chunks sealed independently with XChaCha20-Poly1305
// (nonce = the object's random prefix ‖ chunk number, the final chunk flagged in its associated
// data) and named by a SHA-256 tree over the chunks (ObjectDigest). Chunks of a batch are sealed
// or opened and hashed on every core; a writer's previous batch goes to disk meanwhile.

/// How many threads seal or open one object's chunks, and the fan-out over them.
enum ChunkWorkers {
  /// One per core, at most 4.
  static let count = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))

  /// Calls `body(w)` for every worker w, on as many threads, when there are at least two items
  /// of work; otherwise once, inline, for worker 0 (a small object costs no thread hop).
  static func run(items: Int, _ body: (Int) -> Void) {
    let workers = min(count, items)
    if workers <= 1 {
      body(0)
      return
    }
    // Each worker touches only its own chunks, buffers' disjoint ranges and its own context.
    withoutActuallyEscaping(body) { b in
      let work = UncheckedWork(body: b)
      DispatchQueue.concurrentPerform(iterations: workers) { work.body($0) }
    }
  }

  private struct UncheckedWork: @unchecked Sendable {
    let body: (Int) -> Void
  }

  /// Runs `a` and `b` at once on two threads (one after the other on a single core); rethrows
  /// `b`'s error once both are done.
  static func both(_ a: () -> Void, _ b: () throws -> Void) throws {
    if count < 2 {
      a()
      try b()
      return
    }
    var failure: (any Error)?
    withoutActuallyEscaping(a) { a in
      withoutActuallyEscaping(b) { b in
        let work = UncheckedWork { w in
          if w == 0 {
            a()
          } else {
            do { try b() } catch { failure = error }
          }
        }
        DispatchQueue.concurrentPerform(iterations: 2) { work.body($0) }
      }
    }
    if let failure { throw failure }
  }

  /// The items of worker `w` among `workers(items)`: w, w + n, w + 2n …
  static func stride(_ w: Int, items: Int) -> StrideTo<Int> {
    Swift.stride(from: w, to: items, by: min(count, max(items, 1)))
  }
}

/// Threads of one large object's own, one per core: a batch is split among them while the
/// calling thread goes on reading or writing. (GCD's pool would run the halves of a batch one
/// after the other when its few threads are busy with I/O.) `stop` ends them.
final class ChunkThreads: @unchecked Sendable {
  let count: Int
  private let start: [DispatchSemaphore]
  private let done = DispatchSemaphore(value: 0)
  /// Set before the start signals and read by the workers after them (the semaphores order it).
  private var work: ((Int) -> Void)?
  private var stopping = false
  private var running = false

  init(count: Int = ChunkWorkers.count) {
    self.count = count
    start = (0..<count).map { _ in DispatchSemaphore(value: 0) }
    for w in 0..<count {
      let thread = Thread { [self] in loop(w) }
      thread.stackSize = 1 << 20
      thread.start()
    }
  }

  private func loop(_ w: Int) {
    while true {
      start[w].wait()
      if stopping {
        done.signal()
        return
      }
      work?(w)
      done.signal()
    }
  }

  /// Starts `body(w)` on every worker w and returns at once; `wait` returns when all are done.
  func launch(_ body: @escaping (Int) -> Void) {
    precondition(!running, "launch while a batch is running")
    work = body
    running = true
    for s in start { s.signal() }
  }

  /// Waits for the batch launched last, if any.
  func wait() {
    guard running else { return }
    for _ in 0..<count { done.wait() }
    work = nil
    running = false
  }

  /// Waits for the batch under way and ends the threads.
  func stop() {
    wait()
    stopping = true
    for s in start { s.signal() }
    for _ in 0..<count { done.wait() }
  }
}

/// Bytes, and the first failure, shared with the thread that writes a batch while the next is sealed.
final class BackgroundWrite: @unchecked Sendable {
  private let queue = DispatchQueue(label: "vault.object-write")
  private let group = DispatchGroup()
  private let lock = NSLock()
  private var failure: (any Error)?

  /// Runs `body` on the write thread; `wait` returns when it has.
  func start(_ body: @escaping @Sendable () throws -> Void) {
    queue.async(group: group) { [self] in
      do { try body() } catch { lock.withLock { if failure == nil { failure = error } } }
    }
  }

  /// Waits for the write under way, if any; rethrows its error.
  func wait() throws {
    group.wait()
    if let e = lock.withLock({ failure }) { throw e }
  }
}

/// A pointer and a writer handed to the write thread (used by one thread at a time: the owner
/// waits for the write before touching either again).
private struct PendingBytes: @unchecked Sendable {
  let blob: any BlobWriter
  let bytes: UnsafeRawBufferPointer
}

/// An output closure and bytes handed to the write thread (the owner waits for the write before
/// touching either again, so one thread at a time uses them).
struct PendingOutput: @unchecked Sendable {
  let output: (UnsafeRawBufferPointer) throws -> Void
  let bytes: UnsafeRawBufferPointer
}

/// Revision 1 writer.
///
/// A large object goes through three stages at once: the caller fills one plaintext buffer
/// while the worker threads seal and hash the previous batch, and the batch before that is
/// written by the background thread.
final class ChunkedObjectWriter: ObjectWriting {
  /// Chunks sealed per batch once an object outgrows one chunk (2 MiB of plaintext at 64 KiB).
  static let batchChunks = 32

  private let store: ObjectStore
  /// Where the ciphertext goes (see `StreamObjectWriter.blob`).
  private let blob: any BlobWriter
  private let header: ObjectHeader
  private let chunkSize: Int
  private let cipher: ChunkCipher
  private var contexts: [ChunkCipher.Context]
  private let adMessage: [UInt8]
  private let adFinal: [UInt8]
  private let digest: ObjectDigest
  /// Client plaintext: `batch` chunks per set, in secure memory (not swapped, wiped on release).
  private var plain: [SecureBytes]
  private var batch = 1
  private var filled = 0
  /// The next chunk's number.
  private var next: UInt64 = 0
  /// Per set: the sealed chunks and their leaves.
  private var sealed: [UnsafeMutableRawBufferPointer] = []
  private var leaves: [UnsafeMutableRawBufferPointer] = []
  /// The set being filled.
  private var current = 0
  /// The batch being sealed on the worker threads: its set, chunk count and byte count.
  private var sealing: (set: Int, chunks: Int, bytes: Int)?
  /// The object's own threads, once it outgrows one batch.
  private var threads: ChunkThreads?
  private let writes = BackgroundWrite()
  private var done = false

  init(store: ObjectStore, header: ObjectHeader, binding: ObjectBinding, key: SecretKey, vault: RandomID) throws {
    precondition(header.revision == 1)
    self.store = store
    self.header = header
    chunkSize = Int(header.chunkSize)
    let prefix = try Random.bytes(ChunkCipher.noncePrefixSize)
    cipher = try ChunkCipher(key: key, noncePrefix: prefix)
    contexts = [try cipher.context()]
    let ad = header.associatedData(vault: vault, binding: binding)
    adMessage = ad + [0]
    adFinal = ad + [1]
    digest = try ObjectDigest()
    plain = [try SecureBytes(count: chunkSize)]
    blob = try store.backend.makeWriter()
    allocate(sets: 1, chunks: 1)
    do {
      let head = header.encoded + prefix
      digest.update(head)
      try head.withUnsafeBytes { try blob.write($0) }
    } catch {
      abandon()
      throw error
    }
  }

  deinit {
    if !done { abandon() }
    for b in sealed + leaves { b.deallocate() }
  }

  private func allocate(sets: Int, chunks: Int) {
    for b in sealed + leaves { b.deallocate() }
    sealed = (0..<sets).map { _ in .allocate(byteCount: chunks * (chunkSize + ObjectHeader.chunkOverhead1), alignment: 64) }
    leaves = (0..<sets).map { _ in .allocate(byteCount: chunks * SHA256.size, alignment: 16) }
  }

  /// A large object: two sets of batch buffers and a cipher context per core (once).
  private func grow() throws {
    try collect()
    try writes.wait()
    let first = try SecureBytes(count: Self.batchChunks * chunkSize)
    first.withUnsafeMutableBytes { dst in plain[0].withUnsafeBytes { dst.copyMemory(from: $0) } }
    plain = [first, try SecureBytes(count: Self.batchChunks * chunkSize)]
    allocate(sets: 2, chunks: Self.batchChunks)
    while contexts.count < ChunkWorkers.count { contexts.append(try cipher.context()) }
    batch = Self.batchChunks
  }

  func write(_ bytes: UnsafeRawBufferPointer) throws {
    precondition(!done, "write after finish")
    var offset = 0
    while offset < bytes.count {
      if filled == batch * chunkSize {
        if batch == 1 { try grow() } else { try flush(chunks: batch, finalLength: nil) }
      }
      let n = min(batch * chunkSize - filled, bytes.count - offset)
      plain[current].withUnsafeMutableBytes { dst in
        (dst.baseAddress! + filled).copyMemory(from: bytes.baseAddress! + offset, byteCount: n)
      }
      filled += n
      offset += n
    }
  }

  func finish() throws -> ObjectID {
    precondition(!done, "finish called twice")
    do {
      // The final block needs a chunk of its own room: a full buffer goes out first.
      if filled == batch * chunkSize && filled > 0 { try flush(chunks: batch, finalLength: nil) }
      let full = filled / chunkSize
      let tail = filled - full * chunkSize
      let length = header.paddedFinalLength(tail: tail)
      plain[current].withUnsafeMutableBytes { p in
        let base = p.baseAddress! + full * chunkSize
        base.storeBytes(of: 0x80, toByteOffset: tail, as: UInt8.self)
        _ = memset(base + tail + 1, 0, length - tail - 1)
      }
      try flush(chunks: full + 1, finalLength: length)
      try collect()
      threads?.stop()
      threads = nil
      try writes.wait()
      let id = try ObjectID(bytes: digest.finalize())
      // Content-addressed: an object already there under this name holds these very bytes.
      try blob.commit(as: store.name(for: id), mode: .contentAddressed, durable: true)
      done = true
      return id
    } catch {
      abandon()
      throw error
    }
  }

  func abandon() {
    threads?.stop()
    threads = nil
    sealing = nil
    try? writes.wait()
    blob.abandon()
    done = true
  }

  /// Waits for the batch being sealed, absorbs its leaves in order and starts writing it.
  private func collect() throws {
    guard let s = sealing else { return }
    threads?.wait()
    sealing = nil
    for j in 0..<s.chunks { digest.append(leaf: UnsafeRawBufferPointer(rebasing: leaves[s.set][(j * 32)..<(j * 32 + 32)])) }
    try writes.wait()
    let pending = PendingBytes(blob: blob, bytes: UnsafeRawBufferPointer(rebasing: sealed[s.set][0..<s.bytes]))
    writes.start { try pending.blob.write(pending.bytes) }
  }

  /// Starts sealing and hashing the first `chunks` chunks of the set being filled (the last one
  /// final, of `finalLength` plaintext bytes, when given); the caller fills the other set meanwhile.
  private func flush(chunks: Int, finalLength: Int?) throws {
    // The other set's batch is written (or being written) before its buffers are reused; with
    // one set, the write must be over before the set is sealed into again.
    try collect()
    if plain.count == 1 { try writes.wait() }
    let set = current
    let c = chunkSize
    let stride = c + ObjectHeader.chunkOverhead1
    let job = SealJob(
      contexts: contexts, plain: plain[set], sealed: sealed[set], leaves: leaves[set], adMessage: adMessage, adFinal: adFinal,
      first: next, chunks: chunks, finalLength: finalLength, chunkSize: c)
    if plain.count == 1 {
      ChunkWorkers.run(items: chunks) { job.run(worker: $0, of: min(ChunkWorkers.count, chunks)) }  // a small object: nothing to overlap
    } else {
      if threads == nil { threads = ChunkThreads(count: contexts.count) }
      let workers = threads!.count
      threads!.launch { job.run(worker: $0, of: workers) }
    }
    sealing = (set, chunks, (chunks - 1) * stride + (finalLength ?? c) + ObjectHeader.chunkOverhead1)
    next += UInt64(chunks)
    filled = 0
    current = (current + 1) % plain.count
  }
}

/// Sealing and hashing one batch of a revision-1 object on the worker threads; every buffer it
/// touches belongs to this batch alone until the owner has waited for it.
private struct SealJob: @unchecked Sendable {
  let contexts: [ChunkCipher.Context]
  let plain: SecureBytes
  let sealed: UnsafeMutableRawBufferPointer
  let leaves: UnsafeMutableRawBufferPointer
  let adMessage: [UInt8]
  let adFinal: [UInt8]
  let first: UInt64
  let chunks: Int
  let finalLength: Int?
  let chunkSize: Int

  /// Seals chunks w, w + workers, w + 2·workers … of the batch with context w.
  func run(worker w: Int, of workers: Int) {
    let c = chunkSize
    let stride = c + ObjectHeader.chunkOverhead1
    plain.withUnsafeBytes { p in
      adMessage.withUnsafeBytes { adM in
        adFinal.withUnsafeBytes { adF in
          do {
            for j in Swift.stride(from: w, to: chunks, by: workers) {
              let isFinal = finalLength != nil && j == chunks - 1
              let n = isFinal ? finalLength! : c
              let dst = UnsafeMutableRawBufferPointer(rebasing: sealed[(j * stride)..<(j * stride + n + ObjectHeader.chunkOverhead1)])
              contexts[w].seal(
                first + UInt64(j), UnsafeRawBufferPointer(rebasing: p[(j * c)..<(j * c + n)]), associatedData: isFinal ? adF : adM, into: dst)
              ObjectDigest.leaf(UnsafeRawBufferPointer(dst), into: UnsafeMutableRawBufferPointer(rebasing: leaves[(j * 32)..<(j * 32 + 32)]))
            }
          }
        }
      }
    }
  }
}

/// Revision 1 reader.
final class ChunkedObjectReader: ObjectReading {
  private let id: ObjectID
  private let blob: any BlobReader
  private let header: ObjectHeader
  private let prefix: [UInt8]
  private let adMessage: [UInt8]
  private let adFinal: [UInt8]
  private var keys: [SecretKey]
  private let scratch: ReadScratch?
  private let digest: ObjectDigest

  init(id: ObjectID, blob: any BlobReader, header: ObjectHeader, binding: ObjectBinding, keys: [SecretKey], vault: RandomID, scratch: ReadScratch?) throws {
    self.id = id
    self.blob = blob
    self.header = header
    self.keys = keys
    self.scratch = scratch
    var p = [UInt8](repeating: 0, count: ChunkCipher.noncePrefixSize)
    let n = try p.withUnsafeMutableBytes { try blob.read(into: $0) }
    guard n == p.count else { throw ObjectError.corrupted(id, "file is truncated") }
    prefix = p
    let ad = header.associatedData(vault: vault, binding: binding)
    adMessage = ad + [0]
    adFinal = ad + [1]
    digest = try ObjectDigest()
    digest.update(header.encoded + p)
  }

  func readAll(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
    let c = Int(header.chunkSize)
    let stride = c + ObjectHeader.chunkOverhead1
    let body1 = blob.size - ObjectHeader.headSize1
    let minimumFinal = ObjectHeader.minimumFinalChunk + ObjectHeader.chunkOverhead1
    guard body1 >= minimumFinal else { throw ObjectError.corrupted(id, "file is truncated") }
    // Every chunk but the last is exactly S + 16 bytes; the last (the final chunk) is what remains.
    let count = (body1 + stride - 1) / stride
    let lastLength = body1 - (count - 1) * stride
    guard lastLength >= minimumFinal else {
      throw ObjectError.corrupted(id, "the file's length is not that of whole chunks (truncated or extended)")
    }
    let batch = min(ChunkedObjectWriter.batchChunks, count)
    // Two sets of buffers once there is more than one batch: batch i is opened on the worker
    // threads while batch i − 1 goes to `body` and batch i + 1 is read, here.
    let sets = count > batch ? 2 : 1
    let cipher = (0..<sets).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: batch * stride, alignment: 64) }
    defer { for b in cipher { b.deallocate() } }
    let plain = try (0..<sets).map { _ in
      try scratch.flatMap { batch == 1 && $0.plain.count >= c ? $0.plain : nil } ?? SecureBytes(count: batch * c)
    }
    let leaves = (0..<sets).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: batch * SHA256.size, alignment: 16) }
    defer { for b in leaves { b.deallocate() } }

    /// Reads batch `b` (chunks from b·batch) into `cipher[set]`.
    func read(batch b: Int, into set: Int) throws -> Int {
      let first = b * batch
      let n = min(batch, count - first)
      let bytes = (n - 1) * stride + (first + n == count ? lastLength : stride)
      let got = try blob.read(into: UnsafeMutableRawBufferPointer(rebasing: cipher[set][0..<bytes]))
      guard got == bytes else { throw ObjectError.corrupted(id, ObjectReader.explain(.truncated)) }
      return n
    }

    let batches = (count + batch - 1) / batch
    var n = try read(batch: 0, into: 0)
    let contexts = try openFirst(cipher[0], length: count == 1 ? lastLength : stride, isFinal: count == 1, into: plain[0])
    // More than one batch: the object's own threads open batches while this one reads and delivers.
    let threads = batches > 1 ? ChunkThreads(count: contexts.count) : nil
    defer { threads?.stop() }
    /// The content of the batch opened last (its set and length), not yet handed to `body`.
    var pending: (set: Int, length: Int)?
    for b in 0..<batches {
      let set = b % sets
      let first = b * batch
      let isLast = b == batches - 1
      let failed = Failures()
      let job = OpenJob(
        contexts: contexts, cipher: UnsafeRawBufferPointer(cipher[set]), leaves: leaves[set], adMessage: adMessage, adFinal: adFinal,
        first: first, n: n, isLast: isLast, stride: stride, chunkSize: c, lastLength: lastLength, failed: failed)
      var nextN = 0
      try plain[set].withUnsafeMutableBytes { p in
        let output = PlainOutput(p)
        if pending == nil && isLast {
          // One batch only: nothing to overlap.
          ChunkWorkers.run(items: n) { job.run(into: output, worker: $0, of: min(ChunkWorkers.count, n)) }
          return
        }
        let group = threads!
        let workers = group.count
        group.launch { job.run(into: output, worker: $0, of: workers) }
        do {
          if let (s, length) = pending {
            try plain[s].withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
            pending = nil
          }
          if !isLast { nextN = try read(batch: b + 1, into: (b + 1) % sets) }
        } catch {
          group.wait()
          throw error
        }
        group.wait()
      }
      if failed.any { throw ObjectError.corrupted(id, ObjectReader.explain(.authenticationFailed)) }
      for j in 0..<n { digest.append(leaf: UnsafeRawBufferPointer(rebasing: leaves[set][(j * 32)..<(j * 32 + 32)])) }
      var content = (n - 1) * c
      if isLast {
        content += try plain[set].withUnsafeBytes {
          try unpad(UnsafeRawBufferPointer(rebasing: $0[((n - 1) * c)..<((n - 1) * c + lastLength - ObjectHeader.chunkOverhead1)]))
        }
      } else {
        content += c
      }
      pending = (set, content)
      n = nextN
    }
    if let (s, length) = pending, length > 0 { try plain[s].withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<length])) } }
    // The file must not have grown since its size was taken.
    var extra: UInt8 = 0
    guard try withUnsafeMutableBytes(of: &extra, { try blob.read(into: $0) }) == 0 else {
      throw ObjectError.corrupted(id, ObjectReader.explain(.trailingData))
    }
    guard digest.finalize() == id.bytes else { throw ObjectError.corrupted(id, "content does not match its name (hash mismatch)") }
  }

  /// Opens chunk 0 under the first key that authenticates it (a client's epochs, newest first)
  /// and returns a context per core for that key.
  private func openFirst(_ cipherBuffer: UnsafeMutableRawBufferPointer, length: Int, isFinal: Bool, into plain: SecureBytes) throws -> [ChunkCipher.Context] {
    let chunk = UnsafeRawBufferPointer(rebasing: cipherBuffer[0..<length])
    for key in keys {
      let cipher = try ChunkCipher(key: key, noncePrefix: prefix, subkeyBuffer: scratch?.subkey)
      let context = try cipher.context()
      do {
        try plain.withUnsafeMutableBytes { p in
          try (isFinal ? adFinal : adMessage).withUnsafeBytes { ad in
            try context.open(0, chunk, associatedData: ad, into: UnsafeMutableRawBufferPointer(rebasing: p[0..<(length - ObjectHeader.chunkOverhead1)]))
          }
        }
      } catch CryptoError.authenticationFailed { continue }
      keys = [key]
      var contexts = [context]
      while contexts.count < ChunkWorkers.count { contexts.append(try cipher.context()) }
      return contexts
    }
    throw ObjectError.corrupted(id, ObjectReader.explain(.authenticationFailed))
  }

  /// The content length of a final block: tail ‖ 0x80 ‖ zeros, exactly as long as the writer pads it.
  private func unpad(_ block: UnsafeRawBufferPointer) throws -> Int {
    var t = block.count - 1
    while t >= 0 && block[t] == 0 { t -= 1 }
    guard t >= 0, block[t] == 0x80, block.count == header.paddedFinalLength(tail: t) else {
      throw ObjectError.corrupted(id, "final chunk has invalid padding")
    }
    return t
  }
}

/// A batch's plaintext buffer, filled by the worker threads while the owner waits for them.
private struct PlainOutput: @unchecked Sendable {
  let bytes: UnsafeMutableRawBufferPointer
  init(_ bytes: UnsafeMutableRawBufferPointer) { self.bytes = bytes }
}

/// Opening and hashing one batch of a revision-1 object on the worker threads; every buffer it
/// touches belongs to this batch alone until the owner has waited for it.
private struct OpenJob: @unchecked Sendable {
  let contexts: [ChunkCipher.Context]
  let cipher: UnsafeRawBufferPointer
  let leaves: UnsafeMutableRawBufferPointer
  let adMessage: [UInt8]
  let adFinal: [UInt8]
  let first: Int
  let n: Int
  let isLast: Bool
  let stride: Int
  let chunkSize: Int
  let lastLength: Int
  let failed: Failures

  /// Opens chunks w, w + workers, w + 2·workers … of the batch with context w.
  func run(into output: PlainOutput, worker w: Int, of workers: Int) {
    let p = output.bytes
    let c = chunkSize
    adMessage.withUnsafeBytes { adM in
      adFinal.withUnsafeBytes { adF in
        do {
          for j in Swift.stride(from: w, to: n, by: workers) {
            let isFinal = isLast && j == n - 1
            let length = isFinal ? lastLength : stride
            let chunk = UnsafeRawBufferPointer(rebasing: cipher[(j * stride)..<(j * stride + length)])
            ObjectDigest.leaf(chunk, into: UnsafeMutableRawBufferPointer(rebasing: leaves[(j * 32)..<(j * 32 + 32)]))
            // Chunk 0 was opened while the key was chosen.
            if first + j == 0 { continue }
            do {
              try contexts[w].open(
                UInt64(first + j), chunk, associatedData: isFinal ? adF : adM,
                into: UnsafeMutableRawBufferPointer(rebasing: p[(j * c)..<(j * c + length - ObjectHeader.chunkOverhead1)]))
            } catch { failed.fail() }
          }
        }
      }
    }
  }
}

/// Whether any worker's chunk failed to open.
private final class Failures: @unchecked Sendable {
  private let lock = NSLock()
  private var failed = false
  func fail() { lock.withLock { failed = true } }
  var any: Bool { lock.withLock { failed } }
}
