import AgeFormat
import Foundation
import XCTest

/// Keys and files the end-to-end tests share.
extension XCTestCase {
    /// A new identity written as an identity file `name` in `directory`; returns the file's URL
    /// and the identity's recipient string.
    func makeIdentityFile(_ name: String, in directory: URL) throws -> (url: URL, recipient: String) {
        let identity = X25519Identity.generate()
        let url = directory.appendingPathComponent(name)
        try "# test key\n\(identity.secretKeyString)\n".write(to: url, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        return (url, identity.x25519Recipient.encoded)
    }

    /// `count` random bytes written to `name` in `directory`.
    func makeRandomFile(_ name: String, in directory: URL, count: Int) throws -> URL {
        let random = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/urandom"))
        defer { try? random.close() }
        let url = directory.appendingPathComponent(name)
        try random.readData(ofLength: count).write(to: url)
        return url
    }

    /// The names in `directory`, sorted; used to check that no temporary file was left behind.
    func directoryListing(_ directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    /// The permission bits of the file at `url`.
    func permissions(_ url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    /// The URL of an installed program such as `/usr/bin/age`, or an XCTSkip (after printing a
    /// SKIPPED line) when it is not installed.
    func requireProgram(_ path: String) throws -> URL {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            print("SKIPPED \(name): \(path) is not installed")
            throw XCTSkip("\(path) is not installed")
        }
        return URL(fileURLWithPath: path)
    }
}
