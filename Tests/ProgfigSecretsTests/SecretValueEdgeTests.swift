import AgeFormat
import Foundation
import XCTest
import ProgfigSecrets

/// Secret values at the age payload's chunk boundaries, from and to the age binary, and damaged values.
///
/// Values whose length is a non-zero multiple of 64 KiB end with a full-size final chunk. AgeFormat's
/// PayloadStream.decrypt first opens every full-size chunk as a middle chunk, in place; when that
/// fails libsodium's crypto_aead_chacha20poly1305_ietf_decrypt_detached zeroes the output buffer,
/// which is the ciphertext itself, so the retry as the final chunk then fails too: such secrets
/// cannot be decrypted, whoever encrypted them (the age binary reads what AgeFormat writes).
final class SecretValueEdgeTests: XCTestCase {
    private func makeSite() throws -> SecretsSite {
        let site = try SecretsSite(root: makeTemporaryDirectory().appendingPathComponent("edgesite"))
        try site.writeInventory(nodes: [("n1", "web")])
        try site.addNode("n1")
        try site.writeControllerKey()
        return site
    }

    private func payload(_ size: Int) -> [UInt8] { (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) } }

    func testChunkBoundarySizesRoundTripInProcess() throws {
        let site = try makeSite()
        let store = try site.store()
        for size in [0, 1, 65535, 65536, 65537, 2 * 65536] {
            _ = try store.encrypt(name: "s\(size)", value: payload(size), nodes: ["n1"], groups: [], controllerKey: false, store: true)
            XCTAssertTrue(try store.get(.node("n1"), name: "s\(size)").value() == payload(size), "size \(size)")
        }
    }

    func testChunkBoundarySizesFromTheAgeBinary() throws {
        guard let age = ageBinaryPath else { throw XCTSkip("age is not installed") }
        let site = try makeSite()
        var secrets: [String: String] = [:]
        for size in [0, 1, 65535, 65536, 65537, 2 * 65536] {
            let result = try runProcess(age, ["-a", "-r", site.key("n1").x25519Recipient.encoded], stdin: payload(size))
            XCTAssertEqual(result.status, 0, result.stderr)
            secrets["s\(size)"] = result.text
        }
        try site.write(String(decoding: SecretsFile.encode(secrets), as: UTF8.self), to: "nodes/n1.secrets.json")
        let keyPath = site.path("n1.age")
        try site.writeKey(site.key("n1"), to: keyPath)
        let store = try site.store(SecretStoreOptions(keyOverrides: [keyPath]))
        for size in [0, 1, 65535, 65536, 65537, 2 * 65536] {
            XCTAssertTrue(try store.get(.node("n1"), name: "s\(size)").value() == payload(size), "size \(size) written by age")
        }
    }

    func testChunkBoundarySizesToTheAgeBinary() throws {
        guard let age = ageBinaryPath else { throw XCTSkip("age is not installed") }
        let site = try makeSite()
        let store = try site.store()
        let keyPath = site.path("n1.age")
        try site.writeKey(site.key("n1"), to: keyPath)
        for size in [0, 65536, 2 * 65536] {
            let armored = try store.encrypt(name: "s", value: payload(size), nodes: ["n1"], groups: [], controllerKey: false, store: false)
            let result = try runProcess(age, ["-d", "-i", keyPath], stdin: Array(armored.utf8))
            XCTAssertEqual(result.status, 0, "size \(size): \(result.stderr)")
            XCTAssertTrue(result.stdout == payload(size), "size \(size) read by age")
        }
    }

    func testDamagedValueErrorNamesSecretNotValue() throws {
        let site = try makeSite()
        let store = try site.store()
        let armored = try store.encrypt(name: "pw", value: Array("topsecret".utf8), nodes: ["n1"], groups: [], controllerKey: false, store: true)
        // Flip one base64 character inside the payload (last body line before the footer).
        var lines = armored.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let index = lines.count - 3
        var chars = Array(lines[index])
        chars[0] = chars[0] == "A" ? "B" : "A"
        lines[index] = String(chars)
        try SecretsFile.update(site.root.appendingPathComponent("nodes/n1.secrets.json")) { $0["pw"] = lines.joined(separator: "\n") }
        do {
            _ = try store.get(.node("n1"), name: "pw").value()
            XCTFail("expected an error")
        } catch let error as SiteError {
            XCTAssertTrue(error.message.hasPrefix("cannot decrypt secret \"pw\" of node n1: "), error.description)
            XCTAssertFalse(error.description.contains("topsecret"))
        }
        try SecretsFile.update(site.root.appendingPathComponent("nodes/n1.secrets.json")) { $0["pw"] = "plain text" }
        XCTAssertThrowsSiteError(try store.get(.node("n1"), name: "pw").value(),
                                 "cannot decrypt secret \"pw\" of node n1: not an age file: the first line is not \"age-encryption.org/v1\"")
    }
}
