import Foundation
import SecureIO

/// The identity file `age-keygen` writes: a `# created:` line, a `# public key:` line, then the
/// secret key. The CLI's keygen and init write new keys through this, so both match age-keygen.
public struct KeygenFile: Sendable {
    /// The whole file. It holds the secret key: write it with mode 0600 and wipe the bytes.
    public var contents: [UInt8]
    /// The public key (`age1…`), printed for the user.
    public let recipient: String

    /// A new random identity in age-keygen's format, created at `created`: X25519, or with
    /// `postQuantum` an ML-KEM-768 + X25519 hybrid (`age-keygen -pq`).
    public static func generate(created: Date = Date(), postQuantum: Bool = false) throws -> KeygenFile {
        let (recipient, secret): (String, String)
        if postQuantum {
            let identity = try MLKEM768X25519Identity.generate()
            (recipient, secret) = (identity.hybridRecipient.encoded, identity.secretKeyString)
        } else {
            let identity = X25519Identity.generate()
            (recipient, secret) = (identity.x25519Recipient.encoded, identity.secretKeyString)
        }
        let text = "# created: \(timestamp(created))\n# public key: \(recipient)\n\(secret)\n"
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
    public mutating func wipe() { SecureBytes.wipe(&contents) }
}
