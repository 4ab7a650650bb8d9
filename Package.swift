// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "progfig",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "SecureIO", targets: ["SecureIO"]),
        .library(name: "AgeFormat", targets: ["AgeFormat"]),
        .library(name: "ProgfigSecrets", targets: ["ProgfigSecrets"]),
        .executable(name: "progfig", targets: ["progfig"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]
        ),
        // Durable file work and wiped memory, below both libraries: atomic outputs, locks,
        // interrupt cleanup, descriptor I/O. The plain `age` and `keygen` commands need it without
        // the site layer.
        .target(name: "SecureIO", dependencies: ["CSodium"]),
        .target(name: "AgeFormat", dependencies: ["SecureIO", "CSodium"]),
        .target(name: "ProgfigSecrets", dependencies: ["AgeFormat", "SecureIO"]),
        .executableTarget(
            name: "progfig",
            dependencies: [
                "ProgfigSecrets",
                "AgeFormat",
                "SecureIO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SecureIOTests", dependencies: ["SecureIO"], path: "Tests/SecureIOTests"),
        .testTarget(name: "AgeFormatTests", dependencies: ["AgeFormat", "SecureIO"], path: "Tests/AgeFormatTests"),
        .testTarget(name: "ProgfigSecretsTests", dependencies: ["ProgfigSecrets", "AgeFormat", "SecureIO"], path: "Tests/ProgfigSecretsTests"),
        .testTarget(name: "progfigTests", dependencies: ["AgeFormat", "SecureIO"], path: "Tests/progfigTests"),
    ],
    swiftLanguageModes: [.v6]
)
