import Foundation

/// OpenSSH private key files (`-----BEGIN OPENSSH PRIVATE KEY-----`, the openssh-key-v1
/// format): one ssh-ed25519 or ssh-rsa key, unencrypted or protected with a passphrase
/// (bcrypt_pbkdf with aes256-ctr, aes256-cbc or aes256-gcm@openssh.com). Errors never quote
/// the file.
enum OpenSSHPrivateKey {
    static let beginLine = "-----BEGIN OPENSSH PRIVATE KEY-----"
    static let endLine = "-----END OPENSSH PRIVATE KEY-----"
    private static let magic = Array("openssh-key-v1\0".utf8)

    /// The parts of the file around its private section.
    struct Container {
        var cipher: String
        var kdfOptions: [UInt8]
        /// The public key in SSH wire format, stored in the clear.
        var publicKey: [UInt8]
        /// The private section, encrypted unless `cipher` is `none`.
        var privateSection: [UInt8]
        /// The authentication tag following the private section (aes256-gcm@openssh.com only).
        var tag: [UInt8]
    }

    /// True when `text` looks like an OpenSSH private key file.
    static func matches(_ text: String) -> Bool {
        text.drop(while: { $0.isWhitespace }).hasPrefix(beginLine)
    }

    /// The identity of the key in `text`. An encrypted key asks `passphrase` only when a file's
    /// stanza is addressed to it (its type and tag), as age does; with none, it can't decrypt.
    static func identity(_ text: String, passphrase: (@Sendable () throws -> String)?) throws(AgeError) -> any Identity {
        let container = try parse(armored: text)
        guard container.cipher != "none" else {
            return try identity(privateSection: container.privateSection, blockSize: 8, publicKey: container.publicKey)
        }
        // Without a way to ask, the key still gives its public half; decrypting with it fails.
        let ask = passphrase ?? { throw AgeError.key("the OpenSSH key is passphrase-protected and no passphrase can be asked for") }
        return try EncryptedSSHIdentity(container: container, passphrase: ask)
    }

    /// The container of an armored file.
    static func parse(armored text: String) throws(AgeError) -> Container {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard lines.first == beginLine, let end = lines.firstIndex(of: endLine), end == lines.count - 1 else {
            throw AgeError.key("malformed OpenSSH private key: expected the BEGIN and END OPENSSH PRIVATE KEY lines around the key")
        }
        let body = Array(lines[1..<end].joined().utf8)
        guard let bytes = body.withUnsafeBytes({ Sodium.base64Decode($0, padded: true) }) else {
            throw AgeError.key("malformed OpenSSH private key: invalid base64")
        }
        return try parse(binary: bytes)
    }

    /// The container of the decoded file.
    static func parse(binary bytes: [UInt8]) throws(AgeError) -> Container {
        guard bytes.starts(with: magic) else { throw AgeError.key("malformed OpenSSH private key: not openssh-key-v1") }
        var reader = SSHWireReader(Array(bytes.dropFirst(magic.count)), context: "OpenSSH private key")
        let cipher = String(decoding: try reader.string(), as: UTF8.self)
        let kdf = String(decoding: try reader.string(), as: UTF8.self)
        let kdfOptions = try reader.string()
        guard try reader.uint32() == 1 else { throw AgeError.key("OpenSSH private key files with more than one key are not supported") }
        let publicKey = try reader.string()
        let privateSection = try reader.string()
        let tag = Array(reader.rest)
        switch (cipher, kdf) {
        case ("none", "none") where kdfOptions.isEmpty && tag.isEmpty: break
        case (_, "bcrypt") where OpenSSHCipher(name: cipher) != nil:
            guard tag.count == OpenSSHCipher(name: cipher)!.tagSize else { throw AgeError.key("malformed OpenSSH private key: trailing data") }
        case ("none", _), (_, "none"): throw AgeError.key("malformed OpenSSH private key: inconsistent cipher and KDF")
        default:
            throw AgeError.key("unsupported OpenSSH key encryption \(SSHPublicKey.printable(cipher)) with \(SSHPublicKey.printable(kdf)); "
                               + "age reads aes256-ctr, aes256-cbc and aes256-gcm@openssh.com with bcrypt")
        }
        return Container(cipher: cipher, kdfOptions: kdfOptions, publicKey: publicKey, privateSection: privateSection, tag: tag)
    }

    /// The identity in a decrypted private section, which must hold the key of `publicKey`.
    static func identity(privateSection: [UInt8], blockSize: Int, publicKey: [UInt8]) throws(AgeError) -> any Identity {
        guard privateSection.count % blockSize == 0 else { throw AgeError.key("malformed OpenSSH private key: bad private section length") }
        var reader = SSHWireReader(privateSection, context: "OpenSSH private key")
        guard try reader.uint32() == reader.uint32() else {
            throw AgeError.key(blockSize == 8 ? "malformed OpenSSH private key: its check numbers differ" : "incorrect passphrase for the OpenSSH private key")
        }
        let type = String(decoding: try reader.string(), as: UTF8.self)
        let identity: any Identity
        switch type {
        case SSHEd25519Recipient.keyType:
            let pk = try reader.string()
            var sk = try reader.string()
            defer { Sodium.wipe(&sk) }
            guard sk.count == 64, pk.count == 32, Array(sk[32...]) == pk, publicKey == SSHWire.string(Array(type.utf8)) + SSHWire.string(pk) else {
                throw AgeError.key("malformed OpenSSH ssh-ed25519 private key")
            }
            identity = SSHEd25519Identity(secretKey: SecureBytes(sk), publicKey: try SSHEd25519Recipient(wireKey: publicKey))
        case SSHRSARecipient.keyType:
            let n = try reader.string(), e = try reader.string()
            var d = try reader.string()
            defer { Sodium.wipe(&d) }
            for _ in 0..<3 { var part = try reader.string(); Sodium.wipe(&part) }  // iqmp, p, q: not needed
            guard publicKey == SSHWire.string(Array(type.utf8)) + SSHWire.string(e) + SSHWire.string(n) else {
                throw AgeError.key("malformed OpenSSH ssh-rsa private key: the public and private halves differ")
            }
            identity = try SSHRSAIdentity(n: n, e: e, d: SecureBytes(d), wireKey: publicKey)
        default:
            throw AgeError.key("unsupported SSH key type \(SSHPublicKey.printable(type)); age decrypts with ssh-ed25519 and ssh-rsa keys")
        }
        _ = try reader.string()  // comment
        let padding = Array(reader.rest)
        guard padding.count < blockSize, padding.enumerated().allSatisfy({ $0.element == UInt8($0.offset + 1) }) else {
            throw AgeError.key("malformed OpenSSH private key: bad padding")
        }
        return identity
    }
}
