import Foundation

/// The identity file `age-keygen` writes: a `# created:` line, a `# public key:` line, then the
/// secret key. The CLI's keygen and init write new keys through this, so both match age-keygen.
public struct KeygenFile: Sendable {
    /// The whole file. It holds the secret key: write it with mode 0600 and wipe the bytes.
    public var contents: [UInt8]
    /// The public key (`age1…`), printed for the user.
    public let recipient: String

    /// A new random X25519 identity in age-keygen's format, created at `created`.
    public static func generate(created: Date = Date()) -> KeygenFile {
        let identity = X25519Identity.generate()
        let recipient = identity.x25519Recipient.encoded
        let text = "# created: \(timestamp(created))\n# public key: \(recipient)\n\(identity.secretKeyString)\n"
        return KeygenFile(contents: Array(text.utf8), recipient: recipient)
    }

    /// RFC 3339 local time with its UTC offset (`Z` for UTC), as age-keygen writes it.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = .current
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// Wipes the secret contents.
    public mutating func wipe() { Sodium.wipe(&contents) }
}
