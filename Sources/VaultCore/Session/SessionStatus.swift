/// An unlock session as `vault status` shows it, read without refreshing its idle timer.
public struct SessionStatus: Sendable {
  /// The session.
  public let session: UnlockSession
  /// The kernel's own view of the key's expiry (coarse above a minute), or nil if /proc/keys did not list it.
  public let kernel: KernelKeyState?
}
