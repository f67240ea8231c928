// swift-tools-version: 6.0
import PackageDescription

// The dependency direction is enforced by targets, not by convention:
// only VaultCrypto may import Clibsodium or Clibcrypto, and the executable sees VaultCore only.
let package = Package(
  name: "vault",
  products: [
    .executable(name: "vault", targets: ["vault"]),
    .library(name: "VaultCore", targets: ["VaultCore"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
  ],
  targets: [
    .systemLibrary(
      name: "Clibsodium",
      pkgConfig: "libsodium",
      providers: [.apt(["libsodium-dev"])]
    ),
    // OpenSSL's libcrypto: SHA-256 (SHA-NI) and ChaCha20-Poly1305 (AVX2), the fast paths of
    // large objects and exports. Like libsodium, only VaultCrypto may import it.
    .systemLibrary(
      name: "Clibcrypto",
      pkgConfig: "libcrypto",
      providers: [.apt(["libssl-dev"])]
    ),
    .target(name: "CVaultSystem"),
    .target(name: "VaultCrypto", dependencies: ["Clibsodium", "Clibcrypto"]),
    .target(name: "VaultCore", dependencies: ["VaultCrypto", "CVaultSystem"]),
    .executableTarget(
      name: "vault",
      dependencies: [
        "VaultCore", "CVaultSystem",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "vault-bench", dependencies: ["VaultCore", "VaultCrypto"]),
    // libFuzzer harness for every parser of untrusted bytes (`make fuzz`, Tests/Fuzz). A plain
    // build makes a replay tool (`vault-fuzz TARGET FILE...`); `make fuzz` builds it again with
    // -sanitize=fuzzer,address -DVAULT_FUZZ in .build-fuzz. Debug builds only (it needs @testable).
    .target(name: "CVaultFuzz"),
    .executableTarget(name: "vault-fuzz", dependencies: ["VaultCore", "VaultCrypto", "CVaultFuzz"]),
    .testTarget(name: "VaultCoreTests", dependencies: ["VaultCore", "VaultCrypto"], exclude: ["Fixtures"]),
    .testTarget(name: "VaultCLITests", dependencies: ["vault", "VaultCore", "VaultCrypto"], exclude: ["Snapshots"]),
  ],
  swiftLanguageModes: [.v6]
)
