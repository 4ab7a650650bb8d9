/// The age scrypt recipient: a passphrase. Its stanza must be the only one in the header.
public struct ScryptRecipient: Recipient {
    static let stanzaType = "scrypt"
    static let saltLabel = Array("age-encryption.org/v1/scrypt".utf8)

    private let passphrase: SecureBytes
    /// log2 of scrypt's N used when encrypting (age's default is 18).
    public let workFactor: Int

    /// A recipient for `passphrase`; `workFactor` is log2 N, from 1 to 30.
    public init(passphrase: String, workFactor: Int = 18) throws {
        guard (1...30).contains(workFactor) else {
            throw AgeError(.usage, "the scrypt work factor must be between 1 and 30, not \(workFactor)")
        }
        self.passphrase = SecureBytes(Array(passphrase.utf8))
        self.workFactor = workFactor
    }

    /// A label of its own, random per recipient, so that scrypt is never mixed with any other
    /// recipient, another passphrase included (age's rule).
    public var labels: Set<String> { [label] }
    private let label = UnpaddedBase64.encode(Sodium.randomBytes(16))

    /// Passphrases have no public encoding; this names the recipient in messages.
    public var encoded: String { "passphrase (scrypt)" }

    public func wrap(fileKey: SecureBytes) throws -> [Stanza] {
        let salt = Sodium.randomBytes(16)
        let key = try ScryptIdentity.deriveKey(passphrase: passphrase, salt: salt, workFactor: workFactor)
        let body = fileKey.withUnsafeBytes { Sodium.seal(key: key, nonce: zeroNonce, plaintext: $0) }
        return [Stanza(type: Self.stanzaType, arguments: [UnpaddedBase64.encode(salt), String(workFactor)], body: body)]
    }
}

/// The age scrypt identity: a passphrase, with a cap on the work factor it will spend.
public struct ScryptIdentity: Identity {
    private let passphrase: SecureBytes
    /// The largest work factor (log2 N) accepted; files asking for more are refused.
    public private(set) var maxWorkFactor: Int

    /// An identity for `passphrase` accepting work factors up to `maxWorkFactor` (age's is 22).
    public init(passphrase: String, maxWorkFactor: Int = Limits.default.maxScryptWorkFactor) {
        self.passphrase = SecureBytes(Array(passphrase.utf8))
        self.maxWorkFactor = maxWorkFactor
    }

    static func deriveKey(passphrase: SecureBytes, salt: [UInt8], workFactor: Int) throws -> SecureBytes {
        var secret = passphrase.withUnsafeBytes { Array($0) }
        defer { Sodium.wipe(&secret) }
        guard let key = Sodium.scrypt(passphrase: secret, salt: ScryptRecipient.saltLabel + salt, logN: workFactor, length: 32) else {
            throw AgeError(.limit, "scrypt failed with work factor \(workFactor) (out of memory?)")
        }
        return key
    }

    /// Parses a work factor strictly: decimal digits only, no sign, no leading zero, 1…30.
    static func parseWorkFactor(_ s: String) -> Int? {
        let digits = Array(s.utf8)
        guard !digits.isEmpty, digits.count <= 2, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              digits[0] != 0x30, let value = Int(s), (1...30).contains(value) else { return nil }
        return value
    }

    /// A passphrase has no public key to show.
    public var recipient: (any Recipient)? { nil }

    /// This identity, accepting no work factor above `limits.maxScryptWorkFactor` either.
    func capped(by limits: Limits) -> ScryptIdentity {
        var copy = self
        copy.maxWorkFactor = min(maxWorkFactor, limits.maxScryptWorkFactor)
        return copy
    }

    /// age's header rule for scrypt, which holds whatever the identities: an scrypt stanza must be
    /// the only stanza, so that a passphrase file can't also be opened by someone else's key.
    static func checkAlone(in stanzas: [Stanza]) throws(AgeError) {
        if stanzas.count > 1 && stanzas.contains(where: { $0.type == ScryptRecipient.stanzaType }) {
            throw AgeError.header("an scrypt stanza must be the only stanza in the header")
        }
    }

    public func unwrap(stanzas: [Stanza]) throws -> SecureBytes? {
        guard let s = stanzas.first(where: { $0.type == ScryptRecipient.stanzaType }) else { return nil }
        try Self.checkAlone(in: stanzas)
        let reader = try StanzaReader(s, arguments: 2)
        let salt = try reader.bytes(argument: 0, count: 16, name: "salt")
        guard let workFactor = Self.parseWorkFactor(s.arguments[1]) else {
            throw reader.malformed("invalid work factor \"\(s.arguments[1])\"")
        }
        guard workFactor <= maxWorkFactor else {
            throw AgeError.header("the scrypt work factor \(workFactor) exceeds the limit of \(maxWorkFactor); raise the limit only for files you trust")
        }
        let body = try reader.body()
        let key = try Self.deriveKey(passphrase: passphrase, salt: salt, workFactor: workFactor)
        return body.withUnsafeBytes { Sodium.open(key: key, nonce: zeroNonce, ciphertext: $0) }
    }
}
