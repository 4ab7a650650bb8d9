import Foundation

/// A passphrase-protected OpenSSH private key. Its public key is in the clear, so the passphrase
/// is asked for only when a stanza carries this key's type and tag (as age does); the key is then
/// decrypted once and kept for later files.
struct EncryptedSSHIdentity: Identity {
    /// The most bcrypt_pbkdf rounds accepted (ssh-keygen's default is 16).
    static let maxRounds = 1000

    private let container: OpenSSHPrivateKey.Container
    private let cipher: OpenSSHCipher
    private let salt: [UInt8]
    private let rounds: Int
    private let keyType: String
    private let publicKey: any Recipient
    private let passphrase: @Sendable () throws -> String
    private let decrypted = DecryptedKey()

    init(container: OpenSSHPrivateKey.Container, passphrase: @escaping @Sendable () throws -> String) throws(AgeError) {
        var options = SSHWireReader(container.kdfOptions, context: "OpenSSH private key KDF options")
        salt = try options.string()
        let rounds = try options.uint32()
        guard options.isAtEnd, !salt.isEmpty, (1...UInt32(Self.maxRounds)).contains(rounds) else {
            throw AgeError.key("malformed OpenSSH private key: bcrypt needs a salt and 1 to \(Self.maxRounds) rounds")
        }
        var reader = SSHWireReader(container.publicKey, context: "OpenSSH public key")
        keyType = String(decoding: try reader.string(), as: UTF8.self)
        publicKey = try SSHPublicKey.recipient(type: keyType, wireKey: container.publicKey)
        self.rounds = Int(rounds)
        self.cipher = OpenSSHCipher(name: container.cipher)!
        self.container = container
        self.passphrase = passphrase
    }

    var recipient: (any Recipient)? { publicKey }

    func unwrap(stanzas: [Stanza]) throws -> SecureBytes? {
        let tag = SSHWire.tag(container.publicKey)
        guard stanzas.contains(where: { $0.type == keyType && $0.arguments.first.flatMap { UnpaddedBase64.decode($0.utf8) } == tag }) else {
            return nil
        }
        return try decrypted.identity(decrypt).unwrap(stanzas: stanzas)
    }

    /// Asks for the passphrase and decrypts the private section.
    private func decrypt() throws -> any Identity {
        var secret = Array(try passphrase().utf8)
        defer { Sodium.wipe(&secret) }
        guard !secret.isEmpty else { throw AgeError.key("incorrect passphrase for the OpenSSH private key") }
        let keyAndIV = BcryptPBKDF.derive(passphrase: secret, salt: salt, rounds: rounds, length: 32 + cipher.ivSize)
        guard container.privateSection.count % cipher.blockSize == 0,
              var plaintext = try? cipher.decrypt(container.privateSection, tag: container.tag, keyAndIV: keyAndIV) else {
            throw AgeError.key("incorrect passphrase for the OpenSSH private key")
        }
        defer { Sodium.wipe(&plaintext) }
        return try OpenSSHPrivateKey.identity(privateSection: plaintext, blockSize: cipher.blockSize, publicKey: container.publicKey)
    }

    /// The decrypted key, once there is one; shared by copies of the identity.
    private final class DecryptedKey: @unchecked Sendable {
        private let lock = NSLock()
        private var identity: (any Identity)?

        func identity(_ make: () throws -> any Identity) throws -> any Identity {
            lock.lock()
            defer { lock.unlock() }
            if let identity { return identity }
            let made = try make()
            identity = made
            return made
        }
    }
}
