import AgeFormat
import Dispatch
import Foundation
import SecureIO

/// A stored secret: its armored age ciphertext, decrypted on first use and then cached.
/// The cached plaintext is wiped when the secret is released.
public final class Secret: @unchecked Sendable {
    /// The secret's name within its collection.
    public let name: String
    /// The collection it was read from.
    public let collection: SecretCollection
    /// The armored age value as stored.
    public let armored: String
    private let keys: DecryptionKeys
    private let lock = NSLock()
    private var cached: [UInt8]?

    /// A secret whose value `keys` can decrypt.
    public init(name: String, collection: SecretCollection, armored: String, keys: DecryptionKeys) {
        self.name = name
        self.collection = collection
        self.armored = armored
        self.keys = keys
    }

    deinit {
        if var bytes = cached { SecureBytes.wipe(&bytes) }
    }

    /// Decrypts `secrets` across all cores so that their `value()` calls return at once; errors
    /// are kept for those calls to report, in whatever order the caller asks.
    public static func decryptAll(_ secrets: [Secret]) {
        DispatchQueue.concurrentPerform(iterations: secrets.count) { i in
            _ = try? secrets[i].value()
        }
    }

    /// The decrypted value; errors name the secret and its collection, never the value.
    public func value() throws -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return cached }
        let decryptor = Decryptor(identities: try keys.identities())
        do {
            let plaintext = try decryptor.decrypt(Array(armored.utf8))
            cached = plaintext
            return plaintext
        } catch let error as AgeError {
            let reason = error.kind == .noMatch
                ? "none of the loaded keys (\(keys.locations.map(\.description).joined(separator: ", "))) is a recipient"
                : error.message
            throw SiteError("cannot decrypt secret \"\(name)\" of \(collection): \(reason)")
        }
    }
}
