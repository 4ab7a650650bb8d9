import Foundation
import XCTest
@testable import AgeFormat

/// Runs the project's own age/rage-generated vectors in TestVectors/vectors (see TestVectors/README.md).
final class ProjectVectorsTests: XCTestCase {
    static let vectorsDir = projectVectorsDir.appendingPathComponent("vectors")
    static let filesDir = projectVectorsDir.appendingPathComponent("files")

    /// Vectors that need scrypt (a `passphrase` or an encrypted identity file); slow (work factor up to 20).
    static func isScrypt(_ v: VectorFile) -> Bool {
        !v.values("passphrase").isEmpty || v.value("identity file passphrase") != nil
    }

    func loadVectors() throws -> [VectorFile] {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.vectorsDir.path).sorted()
        return try names.map { try VectorFile(url: Self.vectorsDir.appendingPathComponent($0)) }
    }

    func testVectorSetIsComplete() throws {
        let vectors = try loadVectors()
        XCTAssertEqual(vectors.count, 54)
        XCTAssertEqual(vectors.filter(Self.isScrypt).count, 8)
        XCTAssertEqual(vectors.filter { $0.value("recipients file") != nil }.count, 2)
        XCTAssertEqual(Set(vectors.compactMap { $0.value("expect") }),
                       ["success", "no match", "HMAC failure", "payload failure"])
    }

    /// The identities a vector names: `identity` lines, `passphrase` lines and the `identity file`.
    func identities(for v: VectorFile) throws -> [any Identity] {
        var ids: [any Identity] = try v.values("identity").map { try X25519Identity($0) }
        ids += v.values("passphrase").map { ScryptIdentity(passphrase: $0) }
        if let fileName = v.value("identity file") {
            let contents = [UInt8](try Data(contentsOf: Self.filesDir.appendingPathComponent(fileName)))
            let filePassphrase = v.value("identity file passphrase")
            var asked = 0
            let parsed = try IdentityFile.parse(contents: contents, name: fileName) {
                asked += 1
                guard let p = filePassphrase else {
                    XCTFail("\(v.name): asked for a passphrase for an unencrypted identity file")
                    return ""
                }
                return p
            }
            XCTAssertEqual(asked, filePassphrase == nil ? 0 : 1, "\(v.name): passphrase prompts")
            XCTAssertFalse(parsed.isEmpty)
            ids += parsed
        }
        return ids
    }

    /// Checks one vector; returns true when everything matched.
    func check(_ v: VectorFile) -> Bool {
        let before = failureCount
        do {
            let ids = try identities(for: v)
            let expected = v.value("expect") ?? "?"
            let (outcome, released) = decryptVector(v, identities: ids)
            XCTAssertEqual(outcome, expected, "\(v.name): class")
            if let payload = v.value("payload") {
                XCTAssertEqual(hex(Sodium.sha256(released)), payload, "\(v.name): SHA-256 of the released plaintext")
            } else {
                XCTAssertEqual(released.count, 0, "\(v.name): a header failure must release nothing")
            }
            if let sizeText = v.value("size"), let size = Int(sizeText) {
                let stream = plaintextStream(size)
                if expected == "success" {
                    XCTAssertEqual(released.count, size, "\(v.name): plaintext length")
                    XCTAssertTrue(released == stream, "\(v.name): plaintext differs from the regenerated \(size)-byte stream")
                } else {
                    XCTAssertLessThanOrEqual(released.count, size, "\(v.name)")
                    XCTAssertTrue(released[...] == stream.prefix(released.count), "\(v.name): released bytes are not a prefix of the plaintext")
                }
            } else {
                XCTFail("\(v.name): no size key")
            }
            if v.value("expect") == "payload failure" {
                XCTAssertEqual(released.count, 65536, "\(v.name): the truncated vectors release exactly the first chunk")
            }
        } catch {
            XCTFail("\(v.name): \(error)")
        }
        return failureCount == before
    }

    private var failureCount: Int { testRun?.failureCount ?? 0 }

    func testFastVectors() throws {
        let vectors = try loadVectors().filter { !Self.isScrypt($0) }
        var passed = 0
        for v in vectors where check(v) { passed += 1 }
        print("Project vectors (no scrypt): \(passed) of \(vectors.count) passed")
        XCTAssertEqual(vectors.count, 46)
        XCTAssertEqual(passed, vectors.count)
    }

    /// The scrypt vectors: work factors 18–20 (up to 1 GiB and seconds each).
    func testScryptVectors() throws {
        let vectors = try loadVectors().filter(Self.isScrypt)
        var passed = 0
        for v in vectors where check(v) { passed += 1 }
        print("Project vectors (scrypt, slow): \(passed) of \(vectors.count) passed")
        XCTAssertEqual(vectors.count, 8)
        XCTAssertEqual(passed, vectors.count)
    }

    /// Each `recipients file` must load and include the recipient of the vector's identity; encrypting
    /// to the loaded recipients must decrypt with that identity.
    func testRecipientsFiles() throws {
        let vectors = try loadVectors().filter { $0.value("recipients file") != nil }
        XCTAssertEqual(vectors.count, 2)
        for v in vectors {
            let path = Self.filesDir.appendingPathComponent(v.value("recipients file")!).path
            let recipients = try RecipientsFile.load(path: path)
            XCTAssertEqual(recipients.count, 3, v.name)
            let identities = try v.values("identity").map { try X25519Identity($0) }
            XCTAssertEqual(identities.count, 1, v.name)
            for id in identities {
                XCTAssertTrue(recipients.contains { $0.encoded == id.x25519Recipient.encoded }, "\(v.name): \(id.x25519Recipient.encoded) not in \(path)")
                // The README says the identity is the second recipient's.
                XCTAssertEqual(recipients[1].encoded, id.x25519Recipient.encoded, v.name)
            }
            let plaintext = plaintextStream(5000)
            let ciphertext = try Encryptor(recipients: recipients).encrypt(plaintext)
            XCTAssertEqual(try Decryptor(identities: identities).decrypt(ciphertext), plaintext, v.name)
        }
    }
}
