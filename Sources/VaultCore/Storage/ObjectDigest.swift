import VaultCrypto

/// The hash that names an object (FORMAT.md §6.5, §6.8), computed over its file's bytes in order.
///
/// Every keyless check of an object (`ObjectStore.checkHash`, backup copies, pack files) goes
/// through this one type, so the rule for which hash names which object lives in one place. The
/// rule is chosen from the first 12 bytes as they stream in:
///
/// - an object header of revision 1 with a valid chunk size S: the **chunk tree**,
///   SHA-256(file[0..<28] ‖ SHA-256(piece 0) ‖ SHA-256(piece 1) ‖ …), where the pieces are the
///   bytes after offset 28 cut every S + 16 bytes (the chunks; the last may be shorter);
/// - anything else (revision 0, or bytes that are no valid object at all): BLAKE2b-256 of the
///   whole file, as `b2sum -l 256` prints it.
///
/// Writers and readers that seal or open the chunks of revision 1 on several threads hash each
/// chunk where it is (`leaf`) and hand the leaves in order to `append(leaf:)`.
public final class ObjectDigest {
  private enum Mode {
    /// Fewer than 12 bytes seen: the rule is not known yet.
    case undecided
    case blake2b(Hasher)
    /// Revision 1: the root hash, the current piece's hash, its bytes so far and the piece length.
    case tree(root: SHA256.Stream, piece: SHA256.Stream, filled: Int, pieceSize: Int)
  }

  private var mode = Mode.undecided
  /// The first bytes, until the rule is known.
  private var head: [UInt8] = []
  /// Bytes absorbed so far (the tree's head is the first 28).
  private var absorbed = 0

  /// BLAKE2b-256, the rule for anything but revision 1.
  private let blake: Hasher

  /// Starts the digest of one object file.
  public init() throws { blake = try Hasher() }

  /// Absorbs the next bytes of the file.
  public func update(_ bytes: UnsafeRawBufferPointer) {
    var rest = bytes
    if case .undecided = mode {
      let n = min(ObjectHeader.size - head.count, rest.count)
      head += rest.prefix(n)
      rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(n))
      absorbed += n
      guard head.count == ObjectHeader.size else { return }
      decide()
    }
    guard rest.count > 0 else { return }
    switch mode {
    case .undecided: preconditionFailure("undecided after the header")
    case .blake2b(let h):
      h.update(rest)
      absorbed += rest.count
    case .tree(let root, let piece, var filled, let pieceSize):
      // The rest of the 28-byte head goes into the root as it is.
      if absorbed < ObjectHeader.headSize1 {
        let n = min(ObjectHeader.headSize1 - absorbed, rest.count)
        root.update(UnsafeRawBufferPointer(rebasing: rest.prefix(n)))
        rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(n))
        absorbed += n
      }
      absorbed += rest.count
      while rest.count > 0 {
        if filled == 0 && rest.count >= pieceSize {
          // A whole piece at once: hashed in one call, without the streaming state.
          var leaf = [UInt8](repeating: 0, count: SHA256.size)
          leaf.withUnsafeMutableBytes { SHA256.hash(UnsafeRawBufferPointer(rebasing: rest.prefix(pieceSize)), into: $0) }
          root.update(leaf)
          rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(pieceSize))
          continue
        }
        let n = min(pieceSize - filled, rest.count)
        piece.update(UnsafeRawBufferPointer(rebasing: rest.prefix(n)))
        filled += n
        rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(n))
        if filled == pieceSize {
          root.update(piece.finalize())
          piece.reset()
          filled = 0
        }
      }
      mode = .tree(root: root, piece: piece, filled: filled, pieceSize: pieceSize)
    }
  }

  /// Absorbs the next bytes of the file.
  public func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

  /// The object id the bytes absorbed so far would have; the digest must not be used afterwards.
  public func finalize() -> [UInt8] {
    switch mode {
    case .undecided:
      // Too short to be an object of any revision: named, like revision 0, by its BLAKE2b.
      blake.update(head)
      return blake.finalize()
    case .blake2b(let h): return h.finalize()
    case .tree(let root, let piece, let filled, _):
      if filled > 0 { root.update(piece.finalize()) }
      return root.finalize()
    }
  }

  // MARK: Chunk trees built by several threads (revision 1)

  /// Hashes one chunk of revision 1 (ciphertext and tag) into the 32 bytes of `out`; any thread.
  static func leaf(_ chunk: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
    SHA256.hash(chunk, into: out)
  }

  /// Absorbs the leaf of the next chunk, after exactly the 28 bytes of a revision-1 head and
  /// whole chunks given as leaves.
  func append(leaf: UnsafeRawBufferPointer) {
    guard case .tree(let root, _, let filled, _) = mode, absorbed >= ObjectHeader.headSize1, filled == 0 else {
      preconditionFailure("append(leaf:) outside a revision-1 chunk tree")
    }
    root.update(UnsafeRawBufferPointer(rebasing: leaf.prefix(SHA256.size)))
  }

  private func decide() {
    if let header = try? ObjectHeader.decode(head), header.revision == 1 {
      let root = SHA256.Stream()
      root.update(head)
      mode = .tree(root: root, piece: SHA256.Stream(), filled: 0, pieceSize: Int(header.chunkSize) + ObjectHeader.chunkOverhead1)
    } else {
      blake.update(head)
      mode = .blake2b(blake)
    }
  }
}
