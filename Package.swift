// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "chain-audit",
    products: [
        .executable(name: "chain-audit", targets: ["chain-audit"]),
        .library(name: "ChainVerify", targets: ["ChainVerify"]),
        .library(name: "EventModel", targets: ["EventModel"]),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(name: "EventModel"),
        .target(
            name: "ChainVerify",
            dependencies: ["EventModel", "CLibPQ", "CLibCrypto"]
        ),
        .executableTarget(
            name: "chain-audit",
            dependencies: ["ChainVerify", "EventModel"]
        ),
        .executableTarget(
            name: "chain-audit-bench",
            dependencies: ["ChainVerify", "EventModel"],
            path: "Benchmarks/chain-audit-bench"
        ),
        .testTarget(
            name: "ChainVerifyTests",
            dependencies: ["ChainVerify", "EventModel"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
