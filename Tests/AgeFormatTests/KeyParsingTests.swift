import Foundation
import XCTest
@testable import AgeFormat
import SecureIO

/// X25519 identity and recipient strings, and the identity/recipients file formats.
final class KeyParsingTests: XCTestCase {
    /// A key pair from TestVectors/files/age_identities.txt as printed by age-keygen.
    static func ageKeygenPairs() throws -> [(secret: String, publicKey: String)] {
        let text = try String(contentsOf: projectVectorsDir.appendingPathComponent("files/age_identities.txt"), encoding: .utf8)
        var pairs: [(String, String)] = []
        var lastPublic: String?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# public key: ") { lastPublic = String(line.dropFirst("# public key: ".count)) }
            if line.hasPrefix("AGE-SECRET-KEY-1"), let p = lastPublic { pairs.append((String(line), p)) }
        }
        return pairs
    }

    /// The data part of a key string, used to check that errors never echo secret material.
    static func secretFragments(_ key: String) -> [String] {
        let data = String(key.dropFirst("AGE-SECRET-KEY-1".count))
        return [key, key.lowercased(), String(data.prefix(20)), String(data.prefix(20)).lowercased(),
                String(data.suffix(20)), String(data.suffix(20)).lowercased()]
    }

    static func assertNoSecret(_ message: String, _ key: String, file: StaticString = #filePath, line: UInt = #line) {
        for fragment in secretFragments(key) {
            XCTAssertFalse(message.contains(fragment), "error message leaks key material: \(message)", file: file, line: line)
        }
    }

    // MARK: identities and recipients

    func testAgeKeygenPairs() throws {
        let pairs = try Self.ageKeygenPairs()
        XCTAssertEqual(pairs.count, 3)
        for (secret, publicKey) in pairs {
            let id = try X25519Identity(secret)
            XCTAssertEqual(id.x25519Recipient.encoded, publicKey)
            XCTAssertEqual(id.secretKeyString, secret)
            XCTAssertEqual(try X25519Recipient(publicKey), id.x25519Recipient)
            XCTAssertEqual(try X25519Recipient(publicKey).encoded, publicKey)
            XCTAssertEqual(id.x25519Recipient.publicKey.count, 32)
        }
    }

    func testGeneratedIdentityRoundTrip() throws {
        for _ in 0..<5 {
            let id = X25519Identity.generate()
            XCTAssertTrue(id.secretKeyString.hasPrefix("AGE-SECRET-KEY-1"))
            XCTAssertEqual(id.secretKeyString.count, 74)
            XCTAssertEqual(id.secretKeyString, id.secretKeyString.uppercased())
            XCTAssertTrue(id.x25519Recipient.encoded.hasPrefix("age1"))
            XCTAssertEqual(id.x25519Recipient.encoded.count, 62)
            let again = try X25519Identity(id.secretKeyString)
            XCTAssertEqual(again.x25519Recipient, id.x25519Recipient)
        }
    }

    func testIdentityMustBeUppercase() throws {
        let (secret, _) = try Self.ageKeygenPairs()[0]
        for bad in [secret.lowercased(), "age-secret-key-1" + secret.dropFirst(16), "AGE-SECRET-KEY-1" + secret.dropFirst(16).lowercased(),
                    String(secret.prefix(30)) + secret.dropFirst(30).lowercased()] {
            let e = assertAgeError(.key) { try X25519Identity(bad) }
            if let e { Self.assertNoSecret(e.message, secret) }
        }
    }

    func testIdentityErrorsNeverContainTheKey() throws {
        let (secret, _) = try Self.ageKeygenPairs()[1]
        var chars = Array(secret)
        chars[40] = chars[40] == "Q" ? "P" : "Q"
        let badChecksum = String(chars)
        let candidates = [
            badChecksum,
            String(secret.dropLast()),                    // truncated
            secret + "Q",                                 // extended
            secret + " ",                                 // trailing space
            " " + secret,                                 // leading space
            secret.replacingOccurrences(of: "AGE-SECRET-KEY-1", with: "AGE-SECRET-KEY-X1"),
            "AGE-SECRET-KEY-1" + String(secret.dropFirst(16)).replacingOccurrences(of: secret.dropFirst(20).prefix(1), with: "B"),
            Bech32.encode(hrp: "AGE-SECRET-KEY-", data: Array(repeating: 7, count: 31), uppercase: true), // 31 bytes
            Bech32.encode(hrp: "AGE-SECRET-KEY-PQ-", data: Array(repeating: 7, count: 32), uppercase: true),
        ]
        for bad in candidates {
            let e = assertAgeError(.key, bad) { try X25519Identity(bad) }
            if let e {
                Self.assertNoSecret(e.message, secret)
                XCTAssertFalse(e.message.contains(bad.trimmingCharacters(in: .whitespaces)), "message echoes the input: \(e.message)")
            }
        }
    }

    func testRecipientMustBeLowercaseAge1() throws {
        let (_, publicKey) = try Self.ageKeygenPairs()[0]
        XCTAssertNoThrow(try X25519Recipient(publicKey))
        assertAgeError(.key) { try X25519Recipient(publicKey.uppercased()) }
        var mixed = Array(publicKey); mixed[5] = Character(mixed[5].uppercased())
        assertAgeError(.key) { try X25519Recipient(String(mixed)) }
        // Wrong human-readable part, wrong length, bad checksum, empty, trailing space.
        assertAgeError(.key) { try X25519Recipient(Bech32.encode(hrp: "agf", data: Array(repeating: 1, count: 32))) }
        assertAgeError(.key) { try X25519Recipient(Bech32.encode(hrp: "age", data: Array(repeating: 1, count: 31))) }
        assertAgeError(.key) { try X25519Recipient(Bech32.encode(hrp: "age", data: Array(repeating: 1, count: 33))) }
        assertAgeError(.key) { try X25519Recipient(String(publicKey.dropLast()) + (publicKey.last == "q" ? "p" : "q")) }
        assertAgeError(.key) { try X25519Recipient("") }
        assertAgeError(.key) { try X25519Recipient(publicKey + " ") }
    }

    /// A secret key given where a recipient is expected must not be echoed in the error.
    func testSecretKeyAsRecipientIsNotEchoed() throws {
        let (secret, _) = try Self.ageKeygenPairs()[0]
        let e = assertAgeError(.key) { try X25519Recipient(secret) }
        if let e { Self.assertNoSecret(e.message, secret) }
        let e2 = assertAgeError(.key) { try RecipientsFile.parse("# recipients\n\(secret)\n", name: "recipients.txt") }
        if let e2 {
            XCTAssertTrue(e2.message.hasPrefix("recipients.txt:2: "), e2.message)
            Self.assertNoSecret(e2.message, secret)
        }
    }

    // MARK: identity files

    func testIdentityFileCommentsBlankLinesAndCRLF() throws {
        let pairs = try Self.ageKeygenPairs()
        let lf = "# created: now\n# public key: \(pairs[0].publicKey)\n\(pairs[0].secret)\n\n\n#\n\(pairs[1].secret)\n\(pairs[2].secret)"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n"
        for text in [lf, lf + "\n", crlf] {
            let ids = try IdentityFile.parse(text, name: "keys.txt")
            XCTAssertEqual(ids.map { $0.recipient?.encoded }, pairs.map(\.publicKey))
        }
        // The project's identity files as age-keygen/rage wrote them.
        for name in ["age_identities.txt", "rage_identities.txt"] {
            let url = projectVectorsDir.appendingPathComponent("files/\(name)")
            XCTAssertEqual(try IdentityFile.load(path: url.path) { XCTFail("no passphrase needed"); return "" }.count, 3, name)
        }
    }

    func testIdentityFileErrorNamesFileAndLine() throws {
        let pairs = try Self.ageKeygenPairs()
        var chars = Array(pairs[1].secret); chars[30] = chars[30] == "Q" ? "P" : "Q"
        let bad = String(chars)
        // Line 1 comment, line 2 key, line 3 blank, line 4 bad key.
        let text = "# comment\n\(pairs[0].secret)\n\n\(bad)\n\(pairs[2].secret)\n"
        let e = assertAgeError(.key) { try IdentityFile.parse(text, name: "keys.txt") }
        XCTAssertEqual(e?.message, "keys.txt:4: invalid identity: invalid Bech32 checksum")
        if let e { Self.assertNoSecret(e.message, bad); Self.assertNoSecret(e.message, pairs[1].secret) }
        // The same with CRLF endings: line numbers do not change.
        let e2 = assertAgeError(.key) { try IdentityFile.parse(text.replacingOccurrences(of: "\n", with: "\r\n"), name: "keys.txt") }
        XCTAssertEqual(e2?.message, "keys.txt:4: invalid identity: invalid Bech32 checksum")
        // A lowercase key on line 3.
        let e3 = assertAgeError(.key) { try IdentityFile.parse("#\n\n\(pairs[0].secret.lowercased())\n", name: "k") }
        XCTAssertEqual(e3?.message, "k:3: invalid identity: not an AGE-SECRET-KEY-1… X25519 secret key")
        if let e3 { Self.assertNoSecret(e3.message, pairs[0].secret) }
        // A recipient where an identity belongs.
        let e4 = assertAgeError(.key) { try IdentityFile.parse("\(pairs[0].publicKey)\n", name: "keys.txt") }
        XCTAssertEqual(e4?.message, "keys.txt:1: invalid identity: not an AGE-SECRET-KEY-1… X25519 secret key")
        // A key with trailing whitespace is not silently accepted (as age).
        let e5 = assertAgeError(.key) { try IdentityFile.parse("\(pairs[0].secret) \n", name: "keys.txt") }
        XCTAssertTrue(e5?.message.hasPrefix("keys.txt:1: ") ?? false)
        if let e5 { Self.assertNoSecret(e5.message, pairs[0].secret) }
    }

    func testIdentityFileHints() throws {
        // Plugin identities parse (and run their plugin only when used); a damaged one is refused.
        let plugin = Bech32.encode(hrp: "AGE-PLUGIN-YUBIKEY-", data: Array(repeating: 7, count: 20), uppercase: true)
        XCTAssertEqual((try IdentityFile.parse("#\n\(plugin)\n", name: "keys.txt").first as? PluginIdentity)?.name, "yubikey")
        let damaged = "AGE-PLUGIN-YUBIKEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ"
        XCTAssertEqual(assertAgeError(.key) { try IdentityFile.parse("#\n\(damaged)\n", name: "keys.txt") }?.message,
                       "keys.txt:2: invalid plugin identity: invalid Bech32 checksum")
        XCTAssertEqual(assertAgeError(.key) { try IdentityFile.parse("ssh-ed25519 AAAAC3Nza\n", name: "keys.txt") }?.message,
                       "keys.txt:1: an SSH public key is not an identity; use its private key file (such as ~/.ssh/id_ed25519)")
        XCTAssertEqual(assertAgeError(.key) { try IdentityFile.parse("\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n", name: "keys.txt") }?.message,
                       "keys.txt: malformed OpenSSH private key: expected the BEGIN and END OPENSSH PRIVATE KEY lines around the key")
    }

    func testEmptyIdentityFile() throws {
        for text in ["", "\n", "# only a comment\n\n", "\r\n\r\n"] {
            XCTAssertEqual(assertAgeError(.key) { try IdentityFile.parse(text, name: "keys.txt") }?.message,
                           "keys.txt: no identities found", text.debugDescription)
        }
    }

    /// An OpenSSH private key file (it starts with "-----BEGIN", like armor) must be parsed as one,
    /// not be taken for a passphrase-encrypted age file (age only treats "-----BEGIN AGE" that way).
    func testSSHPrivateKeyFileIsNotTakenForAnEncryptedIdentityFile() throws {
        let ssh = Array("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n".utf8)
        XCTAssertFalse(IdentityFile.isEncrypted(ssh), "an OpenSSH key is not an age file")
        var asked = false
        let e = assertAgeError(.key) {
            try IdentityFile.parse(contents: ssh, name: "id_ed25519") { asked = true; return "x" }
        }
        XCTAssertFalse(asked, "asked for a passphrase for an SSH private key")
        XCTAssertEqual(e?.message, "id_ed25519: malformed OpenSSH private key: invalid base64")
    }

    func testEncryptedIdentityFile() throws {
        let pairs = try Self.ageKeygenPairs()
        let text = "# two keys\n\(pairs[0].secret)\n\n\(pairs[2].secret)\n"
        let recipient = try ScryptRecipient(passphrase: "correct horse", workFactor: 10)
        for armored in [false, true] {
            let encrypted = try Encryptor(recipients: [recipient], armored: armored).encrypt(Array(text.utf8))
            XCTAssertTrue(IdentityFile.isEncrypted(encrypted))
            var prompts = 0
            let ids = try IdentityFile.parse(contents: encrypted, name: "keys.age") { prompts += 1; return "correct horse" }
            XCTAssertEqual(prompts, 1)
            XCTAssertEqual(ids.map { $0.recipient?.encoded }, [pairs[0].publicKey, pairs[2].publicKey])
            let e = assertAgeError(.noMatch) { try IdentityFile.parse(contents: encrypted, name: "keys.age") { "wrong" } }
            XCTAssertEqual(e?.message, "keys.age: cannot decrypt the passphrase-protected identity file: wrong passphrase")
        }
        // Whitespace lines before the armor are still recognised.
        let armoredText = try Encryptor(recipients: [recipient], armored: true).encrypt(Array(text.utf8))
        XCTAssertEqual(try IdentityFile.parse(contents: Array("\n  \n".utf8) + armoredText, name: "k") { "correct horse" }.count, 2)
        // Plain identity files never ask for a passphrase.
        XCTAssertFalse(IdentityFile.isEncrypted(Array(text.utf8)))
        XCTAssertEqual(try IdentityFile.parse(contents: Array(text.utf8), name: "k") { XCTFail("asked"); return "" }.count, 2)
    }

    func testIdentityFileLoadMissing() throws {
        XCTAssertThrowsError(try IdentityFile.load(path: "/nonexistent/agetests/keys.txt") { "" }) { error in
            XCTAssertEqual(error as? IOFailure, IOFailure("cannot read identity file: No such file or directory",
                                                          path: "/nonexistent/agetests/keys.txt", code: ENOENT))
        }
    }

    // MARK: recipients files

    func testRecipientsFileParsing() throws {
        let pairs = try Self.ageKeygenPairs()
        let lf = "# team\n\n\(pairs[0].publicKey)\n#x\n\(pairs[1].publicKey)\n\n\(pairs[2].publicKey)"
        for text in [lf, lf + "\n", lf.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n"] {
            XCTAssertEqual(try RecipientsFile.parse(text, name: "r.txt").map(\.encoded), pairs.map(\.publicKey))
        }
        for name in ["age_recipients.txt", "rage_recipients.txt"] {
            XCTAssertEqual(try RecipientsFile.load(path: projectVectorsDir.appendingPathComponent("files/\(name)").path).count, 3)
        }
    }

    func testRecipientsFileErrors() throws {
        let pairs = try Self.ageKeygenPairs()
        let badChecksum = String(pairs[1].publicKey.dropLast()) + (pairs[1].publicKey.last == "q" ? "p" : "q")
        let text = "# team\n\(pairs[0].publicKey)\n\n\(badChecksum)\n"
        for t in [text, text.replacingOccurrences(of: "\n", with: "\r\n")] {
            let e = assertAgeError(.key) { try RecipientsFile.parse(t, name: "recipients.txt") }
            XCTAssertEqual(e?.message, "recipients.txt:4: invalid recipient: invalid Bech32 checksum; expected an age1… public key")
        }
        XCTAssertEqual(assertAgeError(.key) { try RecipientsFile.parse("\n\(pairs[0].publicKey.uppercased())\n", name: "r") }?.message.hasPrefix("r:2: "), true)
        XCTAssertEqual(assertAgeError(.key) { try RecipientsFile.parse("#\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA\n", name: "r") }?.message,
                       "r:2: ssh-ed25519 public key is truncated")
        let plugin = Bech32.encode(hrp: "age1yubikey", data: Array(repeating: 3, count: 33))
        XCTAssertEqual((try RecipientsFile.parse(plugin + "\n", name: "r").first as? PluginRecipient)?.name, "yubikey")
        // A post-quantum key whose ML-KEM half is not reduced mod q is refused on its line.
        let badPQ = Bech32.encode(hrp: "age1pq", data: Array(repeating: 0xff, count: 1216))
        XCTAssertEqual(assertAgeError(.key) { try RecipientsFile.parse("\(pairs[0].publicKey)\n" + badPQ + "\n", name: "r") }?.message,
                       "r:2: invalid recipient: not a valid ML-KEM-768 + X25519 public key")
        for empty in ["", "# nobody\n", "\n\n"] {
            XCTAssertEqual(assertAgeError(.key) { try RecipientsFile.parse(empty, name: "r.txt") }?.message, "r.txt: no recipients found")
        }
        XCTAssertThrowsError(try RecipientsFile.load(path: "/nonexistent/agetests/r.txt")) { error in
            XCTAssertEqual(error as? IOFailure, IOFailure("cannot read recipients file: No such file or directory",
                                                          path: "/nonexistent/agetests/r.txt", code: ENOENT))
        }
    }
}
