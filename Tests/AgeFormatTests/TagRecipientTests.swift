import Crypto
import Foundation
import XCTest
@testable import AgeFormat
import SecureIO

/// A P-256 tag identity for tests only: the decrypting half that hardware holds in practice.
/// It picks its stanzas by tag, then opens them with HPKE, as the C2SP age spec describes.
struct TestTagIdentity: Identity {
    let privateKey = P256.KeyAgreement.PrivateKey()

    var recipient: (any Recipient)? { try? tagRecipient }

    var tagRecipient: P256TagRecipient {
        get throws {
            let compressed = Array(privateKey.publicKey.compressedRepresentation)
            return try P256TagRecipient(Bech32.encode(hrp: "age1tag", data: compressed))
        }
    }

    func unwrap(stanzas: [Stanza]) throws -> SecureBytes? {
        guard #available(macOS 14, iOS 17, tvOS 17, watchOS 10, *) else { return nil }
        let recipient = try tagRecipient
        for stanza in stanzas where stanza.type == "p256tag" {
            guard stanza.arguments.count == 2,
                  let tag = UnpaddedBase64.decode(stanza.arguments[0].utf8), tag.count == 4,
                  let enc = UnpaddedBase64.decode(stanza.arguments[1].utf8), enc.count == 65,
                  stanza.body.count == 32 else { throw AgeError(.header, "malformed p256tag stanza") }
            guard recipient.tag(encapsulatedKey: enc) == tag else { continue }
            var receiver = try HPKE.Recipient(privateKey: privateKey, ciphersuite: P256TagRecipient.ciphersuite,
                                              info: Data(P256TagRecipient.label.utf8), encapsulatedKey: Data(enc))
            guard let fileKey = try? receiver.open(stanza.body) else { continue }
            return SecureBytes(fileKey)
        }
        return nil
    }
}

/// Tag recipients (`age1tag1…`, stanza `p256tag`): encryption to a P-256 key, checked by round
/// trips through the test identity above and against the example in the C2SP age spec.
final class TagRecipientTests: XCTestCase {
    func testRoundTripThroughATestIdentity() throws {
        let identity = TestTagIdentity(), other = TestTagIdentity()
        let recipient = try identity.tagRecipient
        XCTAssertTrue(recipient.encoded.hasPrefix("age1tag1"))
        XCTAssertEqual(try P256TagRecipient(recipient.encoded), recipient)
        for size in [0, 1, 65_536, 65_537] {
            let plaintext = plaintextStream(size)
            for armored in [false, true] {
                let file = try Encryptor(recipients: [recipient, try other.tagRecipient], armored: armored).encrypt(plaintext)
                XCTAssertEqual(try Decryptor(identities: [identity]).decrypt(file), plaintext)
                XCTAssertEqual(try Decryptor(identities: [other]).decrypt(file), plaintext)
                assertAgeError(.noMatch) { try Decryptor(identities: [TestTagIdentity()]).decrypt(file) }
            }
        }
        // A tag recipient mixes with X25519 recipients (both are classic).
        let x25519 = X25519Identity.generate()
        let file = try Encryptor(recipients: [recipient, x25519.x25519Recipient]).encrypt([1, 2, 3])
        XCTAssertEqual(try Decryptor(identities: [x25519]).decrypt(file), [1, 2, 3])
        XCTAssertEqual(try Decryptor(identities: [identity]).decrypt(file), [1, 2, 3])
    }

    func testStanzaShape() throws {
        let recipient = try TestTagIdentity().tagRecipient
        let stanza = try XCTUnwrap(recipient.wrap(fileKey: SecureBytes.random(count: 16)).first)
        XCTAssertEqual(stanza.type, "p256tag")
        XCTAssertEqual(stanza.arguments.count, 2)
        let enc = try XCTUnwrap(UnpaddedBase64.decode(stanza.arguments[1].utf8))
        XCTAssertEqual(enc.count, 65)
        XCTAssertEqual(enc.first, 0x04, "the encapsulated key is an uncompressed point")
        XCTAssertEqual(UnpaddedBase64.decode(stanza.arguments[0].utf8), recipient.tag(encapsulatedKey: enc))
        XCTAssertEqual(stanza.body.count, 32)
    }

    /// A fixed vector for the tag: the C2SP age spec's example recipient with its example stanza's
    /// encapsulated key. The expected value was computed independently with Python's hmac and
    /// hashlib from the spec's formula; the spec's example stanza is not addressed to its example
    /// recipient (its tag, CXBuUw, is not this pair's), so only the computation is checked here.
    func testTagMatchesAnIndependentComputation() throws {
        let recipient = try P256TagRecipient("age1tag1qt8lw0ual6avlwmwatk888yqnmdamm7xfd0wak53ut6elz5c4swx2yqdj4e")
        let enc = try XCTUnwrap(UnpaddedBase64.decode("BOqTylUtZFwkMTxd6UENg8kopiMhRJBOUXMv5w2xVOmJu7eezoALGXiNtq5Vka+UQvaYbQvAdwjIJEDaoBaq7So".utf8))
        XCTAssertEqual(UnpaddedBase64.encode(recipient.tag(encapsulatedKey: enc)), "Dajdvw")
    }

    func testMalformedTagRecipientsAreRefused() {
        assertAgeError(.key) { try P256TagRecipient("age1tag1qt8lw0ual6avlwmwatk888yqnmdamm7xfd0wak53ut6elz5c4swx2yqdj4f") }
        assertAgeError(.key) { try P256TagRecipient(Bech32.encode(hrp: "age1tag", data: [0x02] + [UInt8](repeating: 0xff, count: 32))) }
        assertAgeError(.key) { try P256TagRecipient(Bech32.encode(hrp: "age1tag", data: [0x04] + [UInt8](repeating: 2, count: 64))) }
        assertAgeError(.key) { try P256TagRecipient(Bech32.encode(hrp: "age1tagx", data: [0x02] + [UInt8](repeating: 2, count: 32))) }
    }
}
