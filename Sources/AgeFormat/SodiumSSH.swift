import CSodium

/// The libsodium calls SSH keys need: SHA-512, and Ed25519 keys converted to X25519.
extension Sodium {
    /// SHA-512 of `bytes`, into `out` (64 bytes).
    static func sha512(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        ensureInitialized()
        precondition(out.count == 64)
        var empty: UInt8 = 0
        _ = crypto_hash_sha512(out.baseAddress!.assumingMemoryBound(to: UInt8.self),
                               bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? withUnsafePointer(to: &empty) { $0 },
                               UInt64(bytes.count))
    }

    /// The X25519 public key of an Ed25519 public key; nil when it is not a valid point.
    static func ed25519PublicToX25519(_ publicKey: [UInt8]) -> [UInt8]? {
        ensureInitialized()
        guard publicKey.count == 32 else { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        let rc = crypto_sign_ed25519_pk_to_curve25519(&out, publicKey)
        return rc == 0 ? out : nil
    }

    /// The X25519 secret scalar of an Ed25519 secret key (64 bytes: seed then public key).
    static func ed25519SecretToX25519(_ secretKey: SecureBytes) -> SecureBytes {
        ensureInitialized()
        precondition(secretKey.count == 64)
        let out = SecureBytes(count: 32)
        secretKey.withUnsafeBytes { sk in
            out.withUnsafeMutableBytes { o in
                _ = crypto_sign_ed25519_sk_to_curve25519(o.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                                         sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        return out
    }
}
