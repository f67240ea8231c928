// swift-tools-version: 6.0
import PackageDescription

// The dependency direction is enforced by targets, not by convention:
// only VaultCrypto may import Clibsodium, and the executable sees VaultCore only.
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
    .target(name: "CVaultSystem"),
    .target(name: "VaultCrypto", dependencies: ["Clibsodium"]),
    .target(name: "VaultCore", dependencies: ["VaultCrypto", "CVaultSystem"]),
    .executableTarget(
      name: "vault",
      dependencies: [
        "VaultCore", "CVaultSystem",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "vault-bench", dependencies: ["VaultCore", "VaultCrypto"]),
    .testTarget(name: "VaultCoreTests", dependencies: ["VaultCore", "VaultCrypto"], exclude: ["Fixtures"]),
    .testTarget(name: "VaultCLITests", dependencies: ["vault", "VaultCore", "VaultCrypto"], exclude: ["Snapshots"]),
  ],
  swiftLanguageModes: [.v6]
)
