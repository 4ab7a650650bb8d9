import Crypto
import Foundation
import SecureIO

/// An age tag recipient, `age1tag1…` (age v1.3): a compressed P-256 public key whose secret half
/// usually sits in hardware (a YubiKey, a TPM, the Secure Enclave), reached by a plugin to decrypt.
/// Encryption only: the stanza carries a tag so the hardware can tell its stanzas without trying.
public struct P256TagRecipient: Recipient, Hashable {
    static let stanzaType = "p256tag"
    static let label = "age-encryption.org/p256tag"
    @available(macOS 14, iOS 17, tvOS 17, watchOS 10, *)
    static var ciphersuite: HPKE.Ciphersuite { HPKE.Ciphersuite(kem: .P256_HKDF_SHA256, kdf: .HKDF_SHA256, aead: .chaChaPoly) }
    static let compressedSize = 33
    static let tagSize = 4

    /// The 33-byte compressed P-256 point (SEC 1).
    public let publicKey: [UInt8]

    /// Parses an `age1tag1…` string (lowercase Bech32, checksum verified, a point on P-256).
    public init(_ string: String) throws(AgeError) {
        let (hrp, data): (String, [UInt8])
        do { (hrp, data) = try Bech32.decode(string) } catch {
            throw AgeError.key("invalid recipient \"\(string)\": \(error.message)")
        }
        guard hrp == "age1tag", string.hasPrefix("age1tag1"), data.count == Self.compressedSize,
              (try? P256.KeyAgreement.PublicKey(compressedRepresentation: data)) != nil else {
            throw AgeError.key("invalid recipient \"\(string)\": not an age1tag1… P-256 tag recipient")
        }
        publicKey = data
    }

    /// The `age1tag1…` encoding.
    public var encoded: String { Bech32.encode(hrp: "age1tag", data: publicKey) }

    /// Seals the file key with HPKE base mode (DHKEM(P-256), HKDF-SHA256, ChaCha20-Poly1305) to
    /// the uncompressed point; the stanza is `-> p256tag <tag> <encapsulated key>`.
    public func wrap(fileKey: SecureBytes) throws -> [Stanza] {
        guard #available(macOS 14, iOS 17, tvOS 17, watchOS 10, *) else {
            throw AgeError.key("tag recipients need macOS 14 or later")
        }
        do {
            let key = try P256.KeyAgreement.PublicKey(compressedRepresentation: publicKey)
            var sender = try HPKE.Sender(recipientKey: key, ciphersuite: Self.ciphersuite, info: Data(Self.label.utf8))
            let body = try fileKey.withUnsafeBytes { try sender.seal($0) }
            let enc = Array(sender.encapsulatedKey)
            return [Stanza(type: Self.stanzaType,
                           arguments: [UnpaddedBase64.encode(tag(encapsulatedKey: enc)), UnpaddedBase64.encode(enc)],
                           body: Array(body))]
        } catch {
            throw AgeError.key("cannot encrypt to tag recipient \(encoded): \(error)")
        }
    }

    /// The stanza's tag: HKDF-Extract-SHA-256(salt: label, ikm: enc || SHA-256(recipient)[:4])[:4],
    /// which an identity recomputes to pick out its stanzas.
    public func tag(encapsulatedKey enc: [UInt8]) -> [UInt8] {
        let recipientHash = SHA256.hash(data: publicKey).prefix(4)
        let prk = HKDF<SHA256>.extract(inputKeyMaterial: SymmetricKey(data: enc + recipientHash),
                                       salt: Array(Self.label.utf8))
        return Array(Array(prk).prefix(Self.tagSize))
    }
}
