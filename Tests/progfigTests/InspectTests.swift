import AgeFormat
import Foundation
import XCTest

/// `progfig age inspect` and `progfig secret inspect` end to end.
final class InspectTests: XCTestCase {
    /// The header's length: up to and including the MAC line's newline.
    private func headerSize(_ binary: [UInt8]) -> Int {
        let mac = Array("\n---".utf8)
        let start = (0...(binary.count - mac.count)).first { Array(binary[$0..<$0 + mac.count]) == mac }!
        return binary[(start + 1)...].firstIndex(of: 0x0a)! + 1
    }

    private func json(_ result: RunResult) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: result.stdout) as? [String: Any], result.stdoutText)
    }

    func testAgeInspectBinaryArmoredAndStandardInput() throws {
        let dir = try makeTemporaryDirectory()
        let key = X25519Identity.generate(), other = X25519Identity.generate()
        try Data((key.secretKeyString + "\n").utf8).write(to: dir.appendingPathComponent("key.txt"))
        try Data((other.secretKeyString + "\n").utf8).write(to: dir.appendingPathComponent("other.txt"))
        for name in ["key.txt", "other.txt"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: dir.appendingPathComponent(name).path)
        }
        let plaintext = [UInt8](repeating: 0x61, count: 70_000)
        let binary = try Encryptor(recipients: [key.x25519Recipient, other.x25519Recipient]).encrypt(plaintext)
        let armored = try Encryptor(recipients: [key.x25519Recipient], armored: true).encrypt(plaintext)
        try Data(binary).write(to: dir.appendingPathComponent("f.age"))

        let text = try progfigOK(["age", "inspect", "-i", "key.txt", "f.age"], in: dir).stdoutText
        let header = headerSize(binary)
        XCTAssertEqual(text, """
            f.age is a binary age file, version "age-encryption.org/v1".
            Recipient stanzas (2):
              X25519 x2
            Post-quantum: no
            Sizes (bytes):
              header    \(header)
              overhead  48
              payload   70000
              total     \(binary.count)
            Identities:
              key.txt: opens it

            """)

        let object = try json(try progfigOK(["age", "inspect", "--json", "-i", "other.txt", "-i", "key.txt"], in: dir, stdin: Data(armored)))
        XCTAssertEqual(object["armor"] as? Bool, true)
        XCTAssertEqual(object["postquantum"] as? String, "no")
        XCTAssertEqual(object["stanza_types"] as? [String], ["X25519"])
        XCTAssertEqual(object["stanza_counts"] as? [String: Int], ["X25519": 1])
        let sizes = try XCTUnwrap(object["sizes"] as? [String: Int])
        // An X25519 stanza has a fixed length, so any one-recipient header has this size.
        let armoredHeader = headerSize(try Encryptor(recipients: [key.x25519Recipient]).encrypt([]))
        XCTAssertEqual(sizes["header"], armoredHeader)
        XCTAssertEqual(sizes["overhead"], 48)
        XCTAssertEqual(sizes["max_payload"], 70_000)
        XCTAssertEqual(sizes["armor"], armored.count - armoredHeader - 48 - 70_000)
        XCTAssertEqual(sizes["total"], armored.count)
        let identities = try XCTUnwrap(object["identities"] as? [[String: Any]])
        XCTAssertEqual(identities.map { $0["name"] as? String }, ["other.txt", "key.txt"])
        XCTAssertEqual(identities.map { $0["opens"] as? Bool }, [false, true])

        // Without -i there is no identities field.
        XCTAssertNil(try json(try progfigOK(["age", "inspect", "--json", "f.age"], in: dir))["identities"])
    }

    func testAgeInspectRefusesWhatIsNotAnAgeFile() throws {
        let dir = try makeTemporaryDirectory()
        try Data("hello\n".utf8).write(to: dir.appendingPathComponent("plain.txt"))
        let result = try progfig(["age", "inspect", "plain.txt"], in: dir)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "progfig: error: plain.txt: not an age file: the first line is not \"age-encryption.org/v1\"\n")
        XCTAssertEqual(result.stdout, Data())
        let missing = try progfig(["age", "inspect", "nosuch.age"], in: dir)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.hasPrefix("progfig: error: nosuch.age: cannot open input file"), missing.stderr)
        let usage = try progfig(["age", "inspect", "--bogus"], in: dir)
        XCTAssertEqual(usage.status, 64)
        XCTAssertTrue(usage.stderr.contains("(see 'progfig age inspect --help')"), usage.stderr)
        XCTAssertTrue(try progfigOK(["age", "inspect", "--help"], in: dir).stdoutText.contains("--json"))
    }

    func testSecretInspectPerCollection() throws {
        let site = try makeExampleSite()
        let object = try json(try progfigOK(["secret", "inspect", "-n", "web1", "-g", "webservers", "--json"], in: site.root))
        XCTAssertEqual(Set(object.keys), ["node web1", "group webservers"])
        let token = try XCTUnwrap((object["node web1"] as? [String: Any])?["api_token"] as? [String: Any])
        XCTAssertEqual(token["stanza_counts"] as? [String: Int], ["X25519": 2])
        XCTAssertEqual((token["sizes"] as? [String: Int])?["max_payload"], "web1 api token".utf8.count)
        let openers = try XCTUnwrap(token["identities"] as? [[String: Any]])
        XCTAssertEqual(openers.map { $0["name"] as? String }, [ExampleSite.controllerPublicKey])
        XCTAssertEqual(openers.map { $0["opens"] as? Bool }, [true])
        let tls = try XCTUnwrap((object["group webservers"] as? [String: Any])?["tls_key"] as? [String: Any])
        XCTAssertEqual(tls["stanza_counts"] as? [String: Int], ["X25519": 3])

        // As web2 (its key only): web1's secret is not for it, the group's is.
        try site.moveControllerKeyAway()
        let asNode = try json(try progfigOK(["--age-key", site.key("web2").path, "secret", "inspect", "--json", "--name", "tls_key"], in: site.root))
        XCTAssertEqual(Set(asNode.keys), ["group webservers"])
        let seen = try XCTUnwrap((asNode["group webservers"] as? [String: Any])?["tls_key"] as? [String: Any])
        XCTAssertEqual((seen["identities"] as? [[String: Any]])?.map { $0["opens"] as? Bool }, [true])
        let web1 = try json(try progfigOK(["--age-key", site.key("web2").path, "secret", "inspect", "--json", "-n", "web1"], in: site.root))
        let notSeen = try XCTUnwrap((web1["node web1"] as? [String: Any])?["api_token"] as? [String: Any])
        XCTAssertEqual((notSeen["identities"] as? [[String: Any]])?.map { $0["opens"] as? Bool }, [false])

        // Text form: one block per secret.
        let text = try progfigOK(["secret", "inspect", "-n", "web1"], in: site.root).stdoutText
        XCTAssertTrue(text.hasPrefix("node web1 api_token is an armored age file"), text)
    }

    func testSecretInspectNamesAValueThatIsNotAgeData() throws {
        let site = try makeExampleSite()
        try writeSecretsFile(["broken": "not age"], to: site.nodeSecrets("db1"))
        let result = try progfig(["secret", "inspect", "-n", "db1"], in: site.root)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("progfig: error: \(site.nodeSecrets("db1").path): secret \"broken\" of node db1 is not a valid age value"),
                      result.stderr)
    }
}
