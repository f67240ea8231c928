// Defaults for `make test-asan` (AddressSanitizer's leak checker), compiled only into sanitized
// builds: every binary that links this module (vault, the test runner) picks them up, whatever
// environment the CLI tests give the binaries they start.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)

// Leaks inside the Swift toolchain's own libraries, not in vault: Foundation's Process.run keeps a
// weak-reference side table, FoundationEssentials' file reader a buffer, XCTest its suite objects.
// A leak whose allocation stack has none of these frames is still reported (and fails the run).
const char *__lsan_default_suppressions(void) {
  return "leak:Foundation7ProcessC3run\n"
         "leak:FoundationEssentials17readBytesFromFile\n"
         "leak:6XCTest\n";
}

#endif
#endif
