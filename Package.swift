// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "progfig",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "AgeFormat", targets: ["AgeFormat"]),
        .library(name: "ProgfigSecrets", targets: ["ProgfigSecrets"]),
        .executable(name: "progfig", targets: ["progfig"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]
        ),
        // OpenSSL's libcrypto, only for RSA-OAEP with a label (age's ssh-rsa recipients): neither
        // libsodium nor swift-crypto offers an OAEP label. Only SSHRSA.swift imports it.
        .systemLibrary(
            name: "CLibcrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .target(
            name: "AgeFormat",
            dependencies: [
                "CSodium",
                "CLibcrypto",
                // AES for passphrase-protected OpenSSH keys (CTR and CBC are in _CryptoExtras).
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(name: "ProgfigSecrets", dependencies: ["AgeFormat"]),
        .executableTarget(
            name: "progfig",
            dependencies: [
                "ProgfigSecrets",
                "AgeFormat",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "AgeFormatTests", dependencies: ["AgeFormat"], path: "Tests/AgeFormatTests"),
        .testTarget(name: "ProgfigSecretsTests", dependencies: ["ProgfigSecrets", "AgeFormat"], path: "Tests/ProgfigSecretsTests"),
        .testTarget(name: "progfigTests", dependencies: ["AgeFormat"], path: "Tests/progfigTests"),
    ],
    swiftLanguageModes: [.v6]
)
