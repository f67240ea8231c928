/// The last checkpoint is signed by the vault's signing key; with the links before it, that
/// authenticates every checkpoint.
struct CheckpointSignatureCheck: LogCheck {
  let name = "checkpoint signature"

  func start(_ context: LogCheckContext, _ findings: inout LogFindings) throws {
    if let last = context.lastCheckpoint, !last.isValid(publicKey: context.log.config.signingPublicKey, vault: context.vaultID) {
      findings.fail("checkpoint \(context.checkpointsRead) (\(LogVerifier.date(last.time))): signature does not verify (checkpoint forged or modified)")
    }
  }
}
