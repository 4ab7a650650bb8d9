import Crypto
import Foundation
import SecureIO

/// The HPKE suite of age's hybrid post-quantum recipient type: X-Wing (ML-KEM-768 with X25519),
/// HKDF-SHA256 and ChaCha20-Poly1305, bound to the file key by its info string.
enum HybridHPKE {
    static let stanzaType = "mlkem768x25519"
    /// HPKE's info string, which binds the sealed file key to this recipient type.
    static let info = "age-encryption.org/mlkem768x25519"
    /// X-Wing, HKDF-SHA256, ChaCha20-Poly1305 (not swift-crypto's built-in X-Wing suite, which is AES-GCM).
    @available(macOS 26, iOS 26, tvOS 26, watchOS 26, visionOS 26, *)
    static var ciphersuite: HPKE.Ciphersuite { HPKE.Ciphersuite(kem: .XWingMLKEM768X25519, kdf: .HKDF_SHA256, aead: .chaChaPoly) }
    /// An X-Wing public key: an ML-KEM-768 encapsulation key then an X25519 point.
    static let publicKeySize = 1216
    /// The ML-KEM-768 encapsulation key that starts an X-Wing public key.
    static let mlkemPublicKeySize = 1184
    /// An X-Wing encapsulated key: an ML-KEM-768 ciphertext then an X25519 share.
    static let encapsulatedKeySize = 1120

    /// The error where X-Wing is missing: Apple platforms before macOS 26, where swift-crypto hands
    /// over to CryptoKit (on Linux it is always there).
    static let unavailable = AgeError.key("post-quantum (mlkem768x25519) keys need macOS 26 or later")
}

/// An age hybrid post-quantum recipient, `age1pq1…`: an X-Wing public key. Files encrypted to it
/// stay confidential against a future quantum computer, so it is never mixed with classic recipients.
public struct MLKEM768X25519Recipient: Recipient, Hashable {
    /// The 1,216-byte X-Wing public key.
    public let publicKey: [UInt8]

    /// Parses an `age1pq1…` string (lowercase Bech32, checksum verified, a valid X-Wing key).
    public init(_ string: String) throws(AgeError) {
        guard !string.prefix(18).uppercased().hasPrefix("AGE-SECRET-KEY-PQ-") else {
            throw AgeError.key("invalid recipient: this is a secret key (AGE-SECRET-KEY-PQ-1…), not a public key (age1pq1…)")
        }
        let (hrp, data): (String, [UInt8])
        do { (hrp, data) = try Bech32.decode(string) } catch {
            throw AgeError.key("invalid recipient \"\(string.prefix(20))…\": \(error.message)")
        }
        guard hrp == "age1pq", string.hasPrefix("age1pq1"), data.count == HybridHPKE.publicKeySize else {
            throw AgeError.key("invalid recipient \"\(string.prefix(20))…\": not an age1pq1… post-quantum public key")
        }
        try self.init(publicKey: data)
    }

    /// A recipient for a raw X-Wing public key, checked as ML-KEM-768 requires.
    init(publicKey: [UInt8]) throws(AgeError) {
        guard #available(macOS 26, iOS 26, tvOS 26, watchOS 26, visionOS 26, *) else { throw HybridHPKE.unavailable }
        // X-Wing keys are not checked when made, so the ML-KEM half is checked on its own.
        guard publicKey.count == HybridHPKE.publicKeySize,
              (try? MLKEM768.PublicKey(rawRepresentation: publicKey.prefix(HybridHPKE.mlkemPublicKeySize))) != nil else {
            throw AgeError.key("invalid recipient: not a valid ML-KEM-768 + X25519 public key")
        }
        self.publicKey = publicKey
    }

    /// The `age1pq1…` encoding.
    public var encoded: String { Bech32.encode(hrp: "age1pq", data: publicKey) }

    /// `postquantum`: a file encrypted to this recipient may have only post-quantum recipients.
    public var labels: Set<String> { [RecipientLabels.postQuantum] }

    /// Seals the file key with HPKE base mode to this key; the stanza is
    /// `-> mlkem768x25519 <encapsulated key>` over the 32-byte sealed file key.
    public func wrap(fileKey: SecureBytes) throws -> [Stanza] {
        guard #available(macOS 26, iOS 26, tvOS 26, watchOS 26, visionOS 26, *) else { throw HybridHPKE.unavailable }
        do {
            let key = try XWingMLKEM768X25519.PublicKey(rawRepresentation: publicKey)
            var sender = try HPKE.Sender(recipientKey: key, ciphersuite: HybridHPKE.ciphersuite, info: Data(HybridHPKE.info.utf8))
            let body = try fileKey.withUnsafeBytes { try sender.seal($0) }
            return [Stanza(type: HybridHPKE.stanzaType, arguments: [UnpaddedBase64.encode(sender.encapsulatedKey)],
                           body: Array(body))]
        } catch {
            throw AgeError.key("cannot encrypt to post-quantum recipient \(encoded.prefix(20))…: \(error)")
        }
    }
}

/// An age hybrid post-quantum identity, `AGE-SECRET-KEY-PQ-1…`: a 32-byte X-Wing seed, kept in
/// wiped memory; the expanded key lives inside swift-crypto.
public struct MLKEM768X25519Identity: Identity {
    private let seed: SecureBytes
    private let privateKey: any Sendable
    /// The matching recipient.
    public let hybridRecipient: MLKEM768X25519Recipient

    public var recipient: (any Recipient)? { hybridRecipient }

    /// Parses an `AGE-SECRET-KEY-PQ-1…` string (uppercase Bech32, checksum verified).
    /// Error messages never include the key itself.
    public init(_ string: String) throws(AgeError) {
        guard string.hasPrefix("AGE-SECRET-KEY-PQ-1") else {
            throw AgeError.key("invalid identity: not an AGE-SECRET-KEY-PQ-1… post-quantum secret key")
        }
        var decoded: (hrp: String, data: [UInt8])
        do { decoded = try Bech32.decode(string) } catch {
            throw AgeError.key("invalid identity: \(error.message)")
        }
        defer { SecureBytes.wipe(&decoded.data) }
        guard decoded.hrp == "age-secret-key-pq-", decoded.data.count == 32 else {
            throw AgeError.key("invalid identity: not an AGE-SECRET-KEY-PQ-1… post-quantum secret key")
        }
        try self.init(seed: SecureBytes(decoded.data))
    }

    private init(seed: SecureBytes) throws(AgeError) {
        guard #available(macOS 26, iOS 26, tvOS 26, watchOS 26, visionOS 26, *) else { throw HybridHPKE.unavailable }
        let key: XWingMLKEM768X25519.PrivateKey
        do {
            key = try seed.withUnsafeBytes { try XWingMLKEM768X25519.PrivateKey(seedRepresentation: $0, publicKey: nil) }
        } catch {
            throw AgeError.key("invalid identity: not a valid post-quantum secret key")
        }
        self.seed = seed
        privateKey = key
        hybridRecipient = try MLKEM768X25519Recipient(publicKey: Array(key.publicKey.rawRepresentation))
    }

    /// A new random identity.
    public static func generate() throws -> MLKEM768X25519Identity {
        try MLKEM768X25519Identity(seed: SecureBytes.random(count: 32))
    }

    /// The `AGE-SECRET-KEY-PQ-1…` encoding of the secret key. Handle the result as secret.
    public var secretKeyString: String {
        seed.withUnsafeBytes { Bech32.encode(hrp: "AGE-SECRET-KEY-PQ-", data: Array($0), uppercase: true) }
    }

    /// Tries the `mlkem768x25519` stanzas in order, across cores when there are many (see
    /// `StanzaTrial`): the first that is malformed or ours decides; other types are ignored.
    public func unwrap(stanzas: [Stanza]) throws -> SecureBytes? {
        guard #available(macOS 26, iOS 26, tvOS 26, watchOS 26, visionOS 26, *),
              let key = privateKey as? XWingMLKEM768X25519.PrivateKey else { return nil }
        return try StanzaTrial.firstMatch(in: stanzas, type: HybridHPKE.stanzaType) { Self.attempt($0, key: key) }
    }

    /// One stanza against this key. Every length is checked before any decryption; a body that
    /// does not open (implicit rejection makes a wrong key look the same) is someone else's.
    @available(macOS 26, iOS 26, tvOS 26, watchOS 26, visionOS 26, *)
    private static func attempt(_ stanza: Stanza, key: XWingMLKEM768X25519.PrivateKey) -> StanzaTrial.Outcome {
        let reader: StanzaReader, enc: [UInt8]
        do {
            reader = try StanzaReader(stanza, arguments: 1)
            enc = try reader.bytes(argument: 0, count: HybridHPKE.encapsulatedKeySize, name: "encapsulated key")
            _ = try reader.body()
        } catch { return .malformed(error) }
        var receiver: HPKE.Recipient
        do {
            receiver = try HPKE.Recipient(privateKey: key, ciphersuite: HybridHPKE.ciphersuite,
                                          info: Data(HybridHPKE.info.utf8), encapsulatedKey: Data(enc))
        } catch {
            return .malformed(reader.malformed("the encapsulated key is invalid (a low-order X25519 share)"))
        }
        guard var opened = try? receiver.open(stanza.body) else { return .notMine }
        defer { opened.resetBytes(in: opened.startIndex..<opened.endIndex) }
        return .key(SecureBytes(opened))
    }
}
