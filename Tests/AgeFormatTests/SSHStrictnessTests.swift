import Foundation
import XCTest
@testable import AgeFormat

/// Malformed SSH stanzas, keys and key files each get a clear error, never echoing key material;
/// recipients files take SSH lines as age and OpenSSH write them.
final class SSHStrictnessTests: XCTestCase {
    private func file(_ stanzas: [Stanza], fileKey: SecureBytes) throws -> [UInt8] {
        let nonce = [UInt8](repeating: 0, count: 16)
        var sink = ArraySink()
        var source = ArraySource([1, 2, 3])
        try PayloadStream().encrypt(from: &source, to: &sink, payloadKey: PayloadStream.payloadKey(fileKey: fileKey, nonce: nonce))
        return Header(stanzas: stanzas, fileKey: fileKey).encoded() + nonce + sink.bytes
    }

    private func mutated(_ stanza: Stanza, _ change: (inout Stanza) -> Void) -> Stanza {
        var s = stanza
        change(&s)
        return s
    }

    func testStanzaStrictness() throws {
        let dir = try makeTempDir(self)
        for key in [try SSHKeygen.make("ed25519", in: dir), try SSHKeygen.make("rsa", bits: 2048, in: dir)] {
            let identity = try key.identity()
            let fileKey = SecureBytes.random(count: 16)
            let good = try key.recipient().wrap(fileKey: fileKey)[0]
            XCTAssertEqual(try Decryptor(identities: [identity]).decrypt(file([good], fileKey: fileKey)), [1, 2, 3], key.name)
            // Another key's tag: not ours, whatever the rest.
            let otherTag = mutated(good) { $0.arguments[0] = UnpaddedBase64.encode([1, 2, 3, 4]) }
            assertAgeError(.noMatch) { try Decryptor(identities: [identity]).decrypt(self.file([otherTag], fileKey: fileKey)) }
            var bad: [(String, Stanza)] = [
                ("one argument too many", mutated(good) { $0.arguments.append("AAAA") }),
                ("no arguments", mutated(good) { $0.arguments = [] }),
                ("a short body", mutated(good) { $0.body.removeLast() }),
                ("a non-canonical tag", mutated(good) { $0.arguments[0] = Self.nonCanonical($0.arguments[0]) }),
                ("a tampered body", mutated(good) { $0.body[0] ^= 1 }),
            ]
            if key.name == "ed25519" {
                bad.append(("a non-canonical share", mutated(good) { $0.arguments[1] = Self.nonCanonical($0.arguments[1]) }))
                bad.append(("a short share", mutated(good) { $0.arguments[1] = UnpaddedBase64.encode([UInt8](repeating: 9, count: 31)) }))
                bad.append(("a low-order share", mutated(good) { $0.arguments[1] = UnpaddedBase64.encode([UInt8](repeating: 0, count: 32)) }))
            }
            for (what, stanza) in bad {
                let e = assertAgeError(.header, "\(key.name): \(what)") { try Decryptor(identities: [identity]).decrypt(self.file([stanza], fileKey: fileKey)) }
                XCTAssertTrue(e?.message.contains(stanza.type) ?? false, "\(key.name), \(what): \(e?.message ?? "")")
            }
        }
    }

    /// The same bytes with the last base64 character's unused low bits set.
    static func nonCanonical(_ s: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let last = alphabet.firstIndex(of: s.last!)!
        return String(s.dropLast()) + String(alphabet[last | 1])
    }

    func testSmallRSAKeysAreRefused() throws {
        let dir = try makeTempDir(self)
        let key = try SSHKeygen.make("rsa", bits: 1024, in: dir)
        let message = "ssh-rsa keys must have 2048 to 16384 bits; this one has 1024"
        XCTAssertEqual(assertAgeError(.key) { try key.recipient() }?.message, message)
        XCTAssertEqual(assertAgeError(.key) { try key.identity() }?.message, "\(key.privatePath.lastPathComponent): \(message)")
    }

    func testMalformedOpenSSHFiles() throws {
        let dir = try makeTempDir(self)
        let key = try SSHKeygen.make("ed25519", in: dir)
        let text = key.privateText
        let lines = text.split(separator: "\n").map(String.init)
        var binary = Sodium.base64Decode(Array(lines[1..<lines.count - 1].joined().utf8).withUnsafeBytes { $0 }, padded: true)!
        func armored(_ bytes: [UInt8]) -> String {
            OpenSSHPrivateKey.beginLine + "\n" + bytes.withUnsafeBytes { Sodium.base64Encode($0, padded: true) } + "\n" + OpenSSHPrivateKey.endLine + "\n"
        }
        XCTAssertEqual(try AgeKeys.identities(in: armored(binary), name: "k").count, 1)
        var checkFlipped = binary
        // The private section starts after the public key: find its check numbers by the layout.
        var reader = SSHWireReader(Array(binary.dropFirst(15)), context: "t")
        for _ in 0..<3 { _ = try reader.string() }
        _ = try reader.uint32()
        _ = try reader.string()
        let privateStart = binary.count - reader.rest.count + 4
        checkFlipped[privateStart] ^= 1
        var wrongPublic = binary
        wrongPublic[privateStart - 5 - 20] ^= 1  // inside the public key blob
        let cases: [(String, String, String)] = [
            ("truncated", armored(Array(binary.prefix(binary.count - 40))), "k: OpenSSH private key is truncated"),
            ("not openssh-key-v1", armored(Array("openssh-key-v2\0".utf8) + binary.dropFirst(15)), "k: malformed OpenSSH private key: not openssh-key-v1"),
            ("no END line", OpenSSHPrivateKey.beginLine + "\n" + lines[1] + "\n", "k: malformed OpenSSH private key: expected the BEGIN and END OPENSSH PRIVATE KEY lines around the key"),
            ("bad base64", OpenSSHPrivateKey.beginLine + "\n" + lines[1] + "!\n" + OpenSSHPrivateKey.endLine, "k: malformed OpenSSH private key: invalid base64"),
            ("check numbers differ", armored(checkFlipped), "k: malformed OpenSSH private key: its check numbers differ"),
            ("halves differ", armored(wrongPublic), "k: malformed OpenSSH ssh-ed25519 private key"),
        ]
        for (what, text, message) in cases {
            let e = assertAgeError(.key, what) { try AgeKeys.identities(in: text, name: "k") }
            XCTAssertEqual(e?.message, message, what)
            for line in lines.dropFirst().dropLast() { XCTAssertFalse(e?.message.contains(line.prefix(16)) ?? false, "\(what) echoes the key") }
        }
        binary.removeAll()
    }

    func testRecipientsFileSSHLines() throws {
        let dir = try makeTempDir(self)
        let ed = try SSHKeygen.make("ed25519", in: dir), rsa = try SSHKeygen.make("rsa", bits: 2048, in: dir)
        let keygen = try SSHKeygen.require()
        let ecdsaPath = dir.appendingPathComponent("ecdsa")
        XCTAssertEqual(try runProcess(keygen, ["-q", "-t", "ecdsa", "-N", "", "-f", ecdsaPath.path]).status, 0)
        let ecdsa = try String(contentsOf: URL(fileURLWithPath: ecdsaPath.path + ".pub"), encoding: .utf8).trimmingCharacters(in: .newlines)
        let edKey = ed.publicLine.split(separator: " ").prefix(2).joined(separator: " ")
        // A GitHub .keys file (no comments) with a key type age can't use, then authorized_keys lines.
        let text = """
        \(ecdsa)
        \(edKey)
        # the team's authorized_keys
        command="echo \\"a b\\"",no-pty \(rsa.publicLine)
        restrict\t\(ed.publicLine)
        no-pty \(ecdsa)
        """
        var warnings: [String] = []
        let recipients = try RecipientsFile.parse(text, name: "team.keys") { warnings.append($0) }
        XCTAssertEqual(recipients.map(\.encoded), [edKey, try rsa.recipient().encoded, edKey])
        XCTAssertEqual(warnings, ["team.keys:1: ignoring an SSH key of type ecdsa-sha2-nistp256, which age can't encrypt to",
                                  "team.keys:6: ignoring an SSH key of type ecdsa-sha2-nistp256, which age can't encrypt to"])
        XCTAssertEqual(assertAgeError(.key) { try RecipientsFile.parse(ecdsa + "\n", name: "only.keys") }?.message, "only.keys: no recipients found")
        let e = assertAgeError(.key) { try RecipientsFile.parse("from=\"x\" ssh-ed25519 AAAA!!!!\n", name: "bad") }
        XCTAssertEqual(e?.message, "bad:1: malformed ssh-ed25519 public key: invalid base64")
    }

    /// scrypt can't be mixed with SSH recipients; the refusal comes before any output.
    func testLabelRuleBeforeOutput() throws {
        let dir = try makeTempDir(self)
        let ed = try SSHKeygen.make("ed25519", in: dir)
        let scrypt = try ScryptRecipient(passphrase: "p", workFactor: 2)
        for recipients in [[scrypt, try ed.recipient()], [try ed.recipient(), scrypt]] as [[any Recipient]] {
            var sink = ArraySink()
            let e = assertAgeError(.usage) {
                try Encryptor(recipients: recipients).encrypt(from: ArraySource([1, 2, 3]), to: &sink)
            }
            XCTAssertEqual(e?.message, "a passphrase (scrypt) recipient can't be combined with other recipients")
            XCTAssertEqual(sink.bytes, [])
        }
    }

    /// A protected key read where no passphrase can be asked still gives its recipient; a file
    /// addressed to it then fails with a clear error instead of asking.
    func testProtectedKeyWithoutAPassphraseSource() throws {
        let dir = try makeTempDir(self)
        let key = try SSHKeygen.make("ed25519", passphrase: "pw", in: dir)
        let ids = try IdentityFile.parse(key.privateText, name: "k")
        XCTAssertEqual(ids.first?.recipient?.encoded, try key.recipient().encoded)
        let file = try Encryptor(recipients: [key.recipient()]).encrypt([1])
        let e = assertAgeError(.key) { try Decryptor(identities: ids).decrypt(file) }
        XCTAssertEqual(e?.message, "the OpenSSH key is passphrase-protected and no passphrase can be asked for")
    }
}
