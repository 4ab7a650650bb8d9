/// Something a file key can be encrypted to, producing header stanzas.
public protocol Recipient: Sendable {
    /// Wraps the 16-byte file key into one or more stanzas.
    func wrap(fileKey: SecureBytes) throws -> [Stanza]
    /// The labels of this recipient's stanzas; a file's recipients must all have the same set, so
    /// that a weaker recipient never shares a file key with a stronger one (age's rule).
    var labels: Set<String> { get }
    /// The public encoding (`age1…`, `ssh-ed25519 AAAA…`), by which keys are compared and printed.
    var encoded: String { get }
}

extension Recipient {
    public var labels: Set<String> { [] }
}

/// Something that can unwrap a file key from header stanzas.
public protocol Identity: Sendable {
    /// Returns the file key when one of `stanzas` is addressed to this identity, nil when none is,
    /// and throws a header error when a stanza of this identity's type is malformed.
    func unwrap(stanzas: [Stanza]) throws -> SecureBytes?
    /// The public half, when it can be derived here (nil for passphrases).
    var recipient: (any Recipient)? { get }
}

/// The label rule of age: every recipient of one file carries the same label set.
enum RecipientLabels {
    /// The label of post-quantum recipients, which are never mixed with classic ones.
    static let postQuantum = "postquantum"

    /// Throws a usage error, naming the recipients that don't fit, when label sets differ.
    static func check(_ recipients: [any Recipient]) throws(AgeError) {
        guard let first = recipients.first, recipients.contains(where: { $0.labels != first.labels }) else { return }
        if recipients.contains(where: { $0 is ScryptRecipient }) {
            throw AgeError(.usage, "a passphrase (scrypt) recipient can't be combined with other recipients")
        }
        if recipients.contains(where: { $0.labels.contains(postQuantum) }) {
            let classic = recipients.filter { !$0.labels.contains(postQuantum) }.map(\.encoded)
            throw AgeError(.usage, "can't mix post-quantum and classic recipients: \(classic.joined(separator: ", ")) would weaken the file")
        }
        let odd = recipients.filter { $0.labels != first.labels }.map(\.encoded)
        throw AgeError(.usage, "these recipients can't be mixed with \(first.encoded): \(odd.joined(separator: ", "))")
    }
}

/// The file key is always 16 bytes.
enum FileKey {
    static let size = 16

    static func generate() -> SecureBytes { SecureBytes.random(count: size) }
}

/// The all-zero nonce used to wrap file keys (each wrapping key is used once).
let zeroNonce = [UInt8](repeating: 0, count: 12)
