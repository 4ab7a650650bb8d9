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
    /// The failure of a `decryptAll`, kept so that `value()` reports it without asking a plugin again.
    private var failure: (any Error)?

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
    /// are kept for those calls to report, in whatever order the caller asks. With a plugin key
    /// (a controller key on a YubiKey), one plugin conversation unwraps every file key first.
    public static func decryptAll(_ secrets: [Secret]) {
        let identities: Result<[any Identity], any Error>? = secrets.first.flatMap { first in
            guard secrets.allSatisfy({ $0.keys === first.keys }) else { return nil }
            return Result { try PluginBatch.identities(first.keys.identities(), for: secrets.map { Array($0.armored.utf8) }) }
        }
        DispatchQueue.concurrentPerform(iterations: secrets.count) { i in
            _ = try? secrets[i].value(identities: identities, keepFailure: true)
        }
    }

    /// The decrypted value; errors name the secret and its collection, never the value.
    public func value() throws -> [UInt8] {
        try value(identities: nil, keepFailure: false)
    }

    private func value(identities: Result<[any Identity], any Error>?, keepFailure: Bool) throws -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return cached }
        if let failure { throw failure }
        do {
            let decryptor = Decryptor(identities: try identities?.get() ?? keys.identities())
            let plaintext = try decryptor.decrypt(Array(armored.utf8))
            cached = plaintext
            return plaintext
        } catch let error as AgeError {
            let reason = error.kind == .noMatch
                ? "none of the loaded keys (\(keys.locations.map(\.description).joined(separator: ", "))) is a recipient"
                : error.message
            let wrapped = SiteError("cannot decrypt secret \"\(name)\" of \(collection): \(reason)")
            if keepFailure { failure = wrapped }
            throw wrapped
        } catch {
            if keepFailure { failure = error }
            throw error
        }
    }
}
