import Dispatch

/// An age X25519 recipient, `age1…`: the public half of an `X25519Identity`.
public struct X25519Recipient: Recipient, Hashable {
    static let stanzaType = "X25519"
    static let hkdfInfo: StaticString = "age-encryption.org/v1/X25519"

    /// The 32-byte Curve25519 public key.
    public let publicKey: [UInt8]

    /// Parses an `age1…` string (lowercase Bech32, checksum verified).
    public init(_ string: String) throws(AgeError) {
        guard !string.prefix(15).uppercased().hasPrefix("AGE-SECRET-KEY-") else {
            throw AgeError.key("invalid recipient: this is a secret key (AGE-SECRET-KEY-1…), not a public key (age1…)")
        }
        let (hrp, data): (String, [UInt8])
        do { (hrp, data) = try Bech32.decode(string) } catch {
            throw AgeError.key("invalid recipient \"\(string)\": \(error.message)")
        }
        guard hrp == "age", data.count == 32, string.hasPrefix("age1") else {
            throw AgeError.key("invalid recipient \"\(string)\": not an age1… X25519 public key")
        }
        publicKey = data
    }

    init(publicKey: [UInt8]) { self.publicKey = publicKey }

    /// The `age1…` encoding.
    public var encoded: String { Bech32.encode(hrp: "age", data: publicKey) }

    public func wrap(fileKey: SecureBytes) throws -> [Stanza] {
        let ephemeral = SecureBytes.random(count: 32)
        let share = Sodium.x25519PublicShare(ephemeral)
        guard let shared = Sodium.x25519(ephemeral, publicKey) else {
            throw AgeError.key("recipient \(encoded) is a low-order point and cannot be encrypted to")
        }
        let key = Self.wrapKey(shared: shared, share: share, publicKey: publicKey)
        let body = fileKey.withUnsafeBytes { Sodium.seal(key: key, nonce: zeroNonce, plaintext: $0) }
        return [Stanza(type: Self.stanzaType, arguments: [UnpaddedBase64.encode(share)], body: body)]
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
        defer { Sodium.wipe(&decoded.data) }
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

    /// Batches of this many stanzas are tried together across cores.
    private static let batchSize = 256

    /// Tries the X25519 stanzas in batches across cores. Outcomes are taken in stanza order, as
    /// age does: the first stanza that is malformed, low-order or ours decides, and stanzas after
    /// a match are not examined.
    public func unwrap(stanzas: [Stanza]) throws -> SecureBytes? {
        let candidates = stanzas.filter { $0.type == X25519Recipient.stanzaType }
        var start = 0
        while start < candidates.count {
            let end = min(start + Self.batchSize, candidates.count)
            let batch = candidates[start..<end]
            if batch.count < 8 {
                // Too few to share out: tried in order, nothing after the stanza that decides.
                for stanza in batch { if let key = try Self.judge(attempt(stanza)) { return key } }
            } else {
                for outcome in tryInParallel(batch) { if let key = try Self.judge(outcome) { return key } }
            }
            start = end
        }
        return nil
    }

    /// The file key when the attempt matched, nil when the stanza is someone else's; throws for a
    /// malformed or low-order stanza.
    private static func judge(_ outcome: Attempt) throws -> SecureBytes? {
        switch outcome {
        case .key(let key): return key
        case .malformed(let error): throw error
        case .lowOrder: throw AgeError.header("X25519 stanza with a low-order share: the shared secret is zero")
        case .notMine: return nil
        }
    }

    private enum Attempt { case notMine, lowOrder, malformed(AgeError), key(SecureBytes) }

    private func attempt(_ stanza: Stanza) -> Attempt {
        let share: [UInt8]
        do {
            let reader = try StanzaReader(stanza, arguments: 1)
            share = try reader.bytes(argument: 0, count: 32, name: "share")
            _ = try reader.body()
        } catch { return .malformed(error) }
        guard let shared = Sodium.x25519(secret, share) else { return .lowOrder }
        let key = X25519Recipient.wrapKey(shared: shared, share: share, publicKey: x25519Recipient.publicKey)
        guard let fileKey = stanza.body.withUnsafeBytes({ Sodium.open(key: key, nonce: zeroNonce, ciphertext: $0) }) else {
            return .notMine
        }
        return .key(fileKey)
    }

    /// Every stanza of `batch` attempted across cores; the outcomes in stanza order.
    private func tryInParallel(_ batch: ArraySlice<Stanza>) -> [Attempt] {
        let items = Array(batch)
        let results = AttemptSlots(count: items.count)
        DispatchQueue.concurrentPerform(iterations: items.count) { i in
            results.set(i, attempt(items[i]))
        }
        return results.values
    }

    /// Per-index result slots written by concurrent workers, each index by exactly one worker.
    private final class AttemptSlots: @unchecked Sendable {
        private let slots: UnsafeMutableBufferPointer<Attempt>
        init(count: Int) {
            slots = .allocate(capacity: count)
            slots.initialize(repeating: .notMine)
        }
        deinit {
            slots.deinitialize()
            slots.deallocate()
        }
        func set(_ i: Int, _ value: Attempt) { slots[i] = value }
        var values: [Attempt] { Array(slots) }
    }
}
