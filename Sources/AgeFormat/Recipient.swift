import SecureIO
/// Something a file key can be encrypted to, producing header stanzas.
public protocol Recipient: Sendable {
    /// Wraps the 16-byte file key into one or more stanzas.
    func wrap(fileKey: SecureBytes) throws -> [Stanza]
    /// True for recipient types whose stanza must be the only one in a header (scrypt).
    var mustBeOnlyRecipient: Bool { get }
}

extension Recipient {
    public var mustBeOnlyRecipient: Bool { false }
}

/// Something that can unwrap a file key from header stanzas.
public protocol Identity: Sendable {
    /// Returns the file key when one of `stanzas` is addressed to this identity, nil when none is,
    /// and throws a header error when a stanza of this identity's type is malformed.
    func unwrap(stanzas: [Stanza]) throws -> SecureBytes?
}

/// The file key is always 16 bytes.
enum FileKey {
    static let size = 16

    static func generate() -> SecureBytes { SecureBytes.random(count: size) }
}

/// The all-zero nonce used to wrap file keys (each wrapping key is used once).
let zeroNonce = [UInt8](repeating: 0, count: 12)
