import Crypto
import _CryptoExtras

/// The ciphers of passphrase-protected OpenSSH keys, with swift-crypto's AES. Key and IV come
/// from bcrypt_pbkdf(passphrase, salt, rounds).
enum OpenSSHCipher {
    case aes256CTR, aes256CBC, aes256GCM

    init?(name: String) {
        switch name {
        case "aes256-ctr": self = .aes256CTR
        case "aes256-cbc": self = .aes256CBC
        case "aes256-gcm@openssh.com": self = .aes256GCM
        default: return nil
        }
    }

    /// The length of the IV bcrypt_pbkdf derives after the 32-byte key.
    var ivSize: Int { self == .aes256GCM ? 12 : 16 }
    /// The length of the tag after the private section.
    var tagSize: Int { self == .aes256GCM ? 16 : 0 }
    /// The block size the private section is padded to.
    var blockSize: Int { 16 }

    /// The decrypted private section; nil when it does not authenticate (GCM).
    func decrypt(_ ciphertext: [UInt8], tag: [UInt8], keyAndIV: SecureBytes) throws -> [UInt8]? {
        let (key, iv) = keyAndIV.withUnsafeBytes { (SymmetricKey(data: $0.prefix(32)), Array($0[32...])) }
        switch self {
        case .aes256CTR:
            return Array(try AES._CTR.decrypt(ciphertext, using: key, nonce: AES._CTR.Nonce(nonceBytes: iv)))
        case .aes256CBC:
            return Array(try AES._CBC.decrypt(ciphertext, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true))
        case .aes256GCM:
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: iv), ciphertext: ciphertext, tag: tag)
            return try? Array(AES.GCM.open(box, using: key))
        }
    }
}
