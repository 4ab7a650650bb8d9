import SecureIO

/// An age X25519 recipient, `age1…`: the public half of an `X25519Identity`.
public struct X25519Recipient: Recipient, Hashable {
    static let stanzaType = "X25519"
    static let hkdfInfo: StaticString = "age-encryption.org/v1/X25519"

    /// The 32-byte Curve25519 public key.
    public let publicKey: [UInt8]

    /// Parses an `age1…` string (lowercase Bech32, checksum verified). Error messages never
    /// include the string: a mistyped line may be a secret.
    public init(_ string: String) throws(AgeError) {
        guard !string.prefix(15).uppercased().hasPrefix("AGE-SECRET-KEY-") else {
            throw AgeError.key("invalid recipient: this is a secret key (AGE-SECRET-KEY-1…), not a public key (age1…)")
        }
        let (hrp, data): (String, [UInt8])
        do { (hrp, data) = try Bech32.decode(string) } catch {
            throw AgeError.key("invalid recipient: \(error.message); expected an age1… public key")
        }
        guard hrp == "age", data.count == 32, string.hasPrefix("age1") else {
            throw AgeError.key("invalid recipient: not an age1… X25519 public key")
        }
        publicKey = data
    }

    init(publicKey: [UInt8]) { self.publicKey = publicKey }

    /// The `age1…` encoding.
    public var encoded: String { Bech32.encode(hrp: "age", data: publicKey) }

    public func wrap(fileKey: SecureBytes) throws -> [Stanza] {
        try Self.wrap([self], fileKey: fileKey)
    }

    /// One stanza for each of `recipients`, in order, each with its own ephemeral key; their
    /// public shares are computed together (`Sodium.x25519PublicShares`).
    static func wrap(_ recipients: [X25519Recipient], fileKey: SecureBytes) throws -> [Stanza] {
        let ephemerals = recipients.map { _ in SecureBytes.random(count: 32) }
        let shares = Sodium.x25519PublicShares(ephemerals)
        return try zip(recipients, zip(ephemerals, shares)).map { recipient, ephemeral in
            let (secret, share) = ephemeral
            guard let shared = Sodium.x25519(secret, recipient.publicKey) else {
                throw AgeError.key("recipient \(recipient.encoded) is a low-order point and cannot be encrypted to")
            }
            let key = wrapKey(shared: shared, share: share, publicKey: recipient.publicKey)
            let body = fileKey.withUnsafeBytes { Sodium.seal(key: key, nonce: zeroNonce, plaintext: $0) }
            return Stanza(type: stanzaType, arguments: [UnpaddedBase64.encode(share)], body: body)
        }
    }

    /// The key that wraps the file key: HKDF(shared secret, salt: share || recipient, X25519 label).
    static func wrapKey(shared: SecureBytes, share: [UInt8], publicKey: [UInt8]) -> SecureBytes {
        shared.withUnsafeBytes { ikm in (share + publicKey).withUnsafeBytes { Sodium.hkdf(ikm: ikm, salt: $0, info: hkdfInfo) } }
    }
}

/// An age X25519 identity, `AGE-SECRET-KEY-1…`. The secret scalar lives in wiped memory.
public struct X25519Identity: Identity {
    private let secret: SecureBytes
    /// The matching recipient.
    public let x25519Recipient: X25519Recipient

    public var recipient: (any Recipient)? { x25519Recipient }

    /// Parses an `AGE-SECRET-KEY-1…` string (uppercase Bech32, checksum verified).
    /// Error messages never include the key itself.
    public init(_ string: String) throws(AgeError) {
        guard string.hasPrefix("AGE-SECRET-KEY-1") else {
            throw AgeError.key("invalid identity: not an AGE-SECRET-KEY-1… X25519 secret key")
        }
        var decoded: (hrp: String, data: [UInt8])
        do { decoded = try Bech32.decode(string) } catch {
            throw AgeError.key("invalid identity: \(error.message)")
        }
        defer { SecureBytes.wipe(&decoded.data) }
        guard decoded.hrp == "age-secret-key-", decoded.data.count == 32 else {
            throw AgeError.key("invalid identity: not an AGE-SECRET-KEY-1… X25519 secret key")
        }
        self.init(secret: SecureBytes(decoded.data))
    }

    private init(secret: SecureBytes) {
        self.secret = secret
        x25519Recipient = X25519Recipient(publicKey: Sodium.x25519Base(secret))
    }

    /// A new random identity.
    public static func generate() -> X25519Identity {
        X25519Identity(secret: SecureBytes.random(count: 32))
    }

    /// The `AGE-SECRET-KEY-1…` encoding of the secret key. Handle the result as secret.
    public var secretKeyString: String {
        secret.withUnsafeBytes { Bech32.encode(hrp: "AGE-SECRET-KEY-", data: Array($0), uppercase: true) }
    }

    /// Tries the X25519 stanzas in order, across cores when there are many (see `StanzaTrial`):
    /// the first that is malformed, low-order or ours decides.
    public func unwrap(stanzas: [Stanza]) throws -> SecureBytes? {
        try StanzaTrial.firstMatch(in: stanzas, type: X25519Recipient.stanzaType, attempt)
    }

    private func attempt(_ stanza: Stanza) -> StanzaTrial.Outcome {
        let share: [UInt8]
        do {
            let reader = try StanzaReader(stanza, arguments: 1)
            share = try reader.bytes(argument: 0, count: 32, name: "share")
            _ = try reader.body()
        } catch { return .malformed(error) }
        guard let shared = Sodium.x25519(secret, share) else {
            return .malformed(AgeError.header("X25519 stanza with a low-order share: the shared secret is zero"))
        }
        let key = X25519Recipient.wrapKey(shared: shared, share: share, publicKey: x25519Recipient.publicKey)
        guard let fileKey = stanza.body.withUnsafeBytes({ Sodium.open(key: key, nonce: zeroNonce, ciphertext: $0) }) else {
            return .notMine
        }
        return .key(fileKey)
    }
}
