/// An age `ssh-ed25519` recipient: an OpenSSH Ed25519 public key, used through its X25519 form
/// with age's tweak (C2SP age, "ssh-ed25519 recipient stanza").
public struct SSHEd25519Recipient: Recipient {
    static let keyType = "ssh-ed25519"
    static let label: StaticString = "age-encryption.org/v1/ssh-ed25519"

    /// The public key in SSH wire format (key type, then the 32-byte key).
    let wireKey: [UInt8]
    /// The public key converted to X25519.
    let x25519PublicKey: [UInt8]

    /// The recipient of an SSH wire public key of type `ssh-ed25519`.
    init(wireKey: [UInt8]) throws(AgeError) {
        var reader = SSHWireReader(wireKey, context: "ssh-ed25519 public key")
        let type = try reader.string()
        let key = try reader.string()
        guard String(decoding: type, as: UTF8.self) == Self.keyType, key.count == 32, reader.isAtEnd else {
            throw AgeError.key("malformed ssh-ed25519 public key")
        }
        guard let converted = Sodium.ed25519PublicToX25519(key) else {
            throw AgeError.key("invalid ssh-ed25519 public key: not a valid curve point")
        }
        self.wireKey = wireKey
        x25519PublicKey = converted
    }

    /// `ssh-ed25519 AAAA…`, without a comment.
    public var encoded: String { SSHPublicKey.encode(wireKey) }

    /// The tweak both sides apply to the X25519 shared secret: HKDF with the wire key as salt.
    static func tweak(_ wireKey: [UInt8]) -> SecureBytes {
        wireKey.withUnsafeBytes { Sodium.hkdf(ikm: UnsafeRawBufferPointer(start: nil, count: 0), salt: $0, info: label) }
    }

    /// The key wrapping the file key: HKDF(tweaked shared secret, share || X25519 public key).
    static func wrapKey(shared: SecureBytes, share: [UInt8], x25519PublicKey: [UInt8]) -> SecureBytes {
        shared.withUnsafeBytes { ikm in (share + x25519PublicKey).withUnsafeBytes { Sodium.hkdf(ikm: ikm, salt: $0, info: label) } }
    }

    /// X25519(tweak, shared): the shared secret both sides use.
    static func tweaked(_ shared: SecureBytes, wireKey: [UInt8]) -> SecureBytes? {
        var point = shared.withUnsafeBytes { Array($0) }
        defer { Sodium.wipe(&point) }
        return Sodium.x25519(tweak(wireKey), point)
    }

    public func wrap(fileKey: SecureBytes) throws -> [Stanza] {
        let ephemeral = SecureBytes.random(count: 32)
        let share = Sodium.x25519Base(ephemeral)
        guard let plain = Sodium.x25519(ephemeral, x25519PublicKey), let shared = Self.tweaked(plain, wireKey: wireKey) else {
            throw AgeError.key("recipient \(encoded) is a low-order point and cannot be encrypted to")
        }
        let key = Self.wrapKey(shared: shared, share: share, x25519PublicKey: x25519PublicKey)
        let body = fileKey.withUnsafeBytes { Sodium.seal(key: key, nonce: zeroNonce, plaintext: $0) }
        return [Stanza(type: Self.keyType, arguments: [UnpaddedBase64.encode(SSHWire.tag(wireKey)), UnpaddedBase64.encode(share)], body: body)]
    }
}

/// An age `ssh-ed25519` identity: an OpenSSH Ed25519 private key. The X25519 scalar derived from
/// it lives in wiped memory.
public struct SSHEd25519Identity: Identity {
    private let scalar: SecureBytes
    private let publicKey: SSHEd25519Recipient

    /// The identity of a 64-byte Ed25519 secret key (seed, then public key) whose public key
    /// is `publicKey`.
    init(secretKey: SecureBytes, publicKey: SSHEd25519Recipient) {
        scalar = Sodium.ed25519SecretToX25519(secretKey)
        self.publicKey = publicKey
    }

    public var recipient: (any Recipient)? { publicKey }

    /// Tries each ssh-ed25519 stanza whose tag is this key's; throws for a malformed stanza of this
    /// type, or one whose tag matches but which does not decrypt (as age does).
    public func unwrap(stanzas: [Stanza]) throws -> SecureBytes? {
        let tag = SSHWire.tag(publicKey.wireKey)
        for stanza in stanzas where stanza.type == SSHEd25519Recipient.keyType {
            let reader = try StanzaReader(stanza, arguments: 2)
            guard try reader.bytes(argument: 0, count: 4, name: "tag") == tag else {
                _ = try reader.bytes(argument: 1, count: 32, name: "share")
                continue
            }
            let share = try reader.bytes(argument: 1, count: 32, name: "share")
            let body = try reader.body()
            guard let plain = Sodium.x25519(scalar, share),
                  let shared = SSHEd25519Recipient.tweaked(plain, wireKey: publicKey.wireKey) else {
                throw reader.malformed("the share is a low-order point")
            }
            let key = SSHEd25519Recipient.wrapKey(shared: shared, share: share, x25519PublicKey: publicKey.x25519PublicKey)
            guard let fileKey = body.withUnsafeBytes({ Sodium.open(key: key, nonce: zeroNonce, ciphertext: $0) }) else {
                throw AgeError.header("an ssh-ed25519 stanza carries this key's tag but does not decrypt with it")
            }
            return fileKey
        }
        return nil
    }
}
