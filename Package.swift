// swift-tools-version: 6.0
import Foundation
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
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
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
                "SecureIO",
                "CSodium",
                "CLibcrypto",
                // AES for passphrase-protected OpenSSH keys (CTR and CBC are in _CryptoExtras).
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
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
        .testTarget(
            name: "AgeFormatTests",
            dependencies: ["AgeFormat", "SecureIO", .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/AgeFormatTests"
        ),
        .testTarget(name: "ProgfigSecretsTests", dependencies: ["ProgfigSecrets", "AgeFormat", "SecureIO"], path: "Tests/ProgfigSecretsTests"),
        .testTarget(name: "progfigTests", dependencies: ["AgeFormat", "SecureIO"], path: "Tests/progfigTests"),
    ],
    swiftLanguageModes: [.v6]
)

// Fuzzing (see FUZZING.md), declared only when PROGFIG_FUZZ is set so that ordinary builds never
// see it: one libFuzzer executable per Fuzz/targets/NAME.swift (`fuzz_NAME`, built by Fuzz/build
// with -sanitize=fuzzer,address), and Fuzz/tools/mkscrypt.swift for Fuzz/make-seeds. AgeFormat
// is then built with -enable-testing, so a target may check internal invariants (@testable).
if Context.environment["PROGFIG_FUZZ"] != nil {
    let libraries: [Target.Dependency] = ["SecureIO", "AgeFormat", "ProgfigSecrets"]
    let fuzzSources = (try? FileManager.default.contentsOfDirectory(atPath: Context.packageDirectory + "/Fuzz/targets")) ?? []
    for file in fuzzSources.sorted() where file.hasSuffix(".swift") {
        package.targets.append(.executableTarget(
            name: "fuzz_" + file.dropLast(".swift".count), dependencies: libraries, path: "Fuzz/targets",
            sources: [file], swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    }
    package.targets.append(.executableTarget(name: "mkscrypt", dependencies: libraries, path: "Fuzz/tools",
                                             sources: ["mkscrypt.swift"], swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    for target in package.targets where target.name == "AgeFormat" {
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-enable-testing"])]
    }
}
