import CSodium
import SecureIO

/// Thin, typed wrappers over the libsodium primitives age needs. libsodium 1.0.18 has no HKDF,
/// so HKDF-SHA-256 (RFC 5869) is built here on libsodium's HMAC-SHA-256.
enum Sodium {
    private static let initialized: Bool = sodium_init() >= 0

    /// Initializes libsodium once per process; every entry point that uses it calls this first.
    static func ensureInitialized() {
        precondition(initialized, "libsodium failed to initialize")
    }

    /// Fills `count` bytes from the CSPRNG.
    static func randomBytes(_ count: Int) -> [UInt8] {
        ensureInitialized()
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) }
        return out
    }

    /// Constant-time comparison of two equal-length byte sequences; false when lengths differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in
            sodium_memcmp(pa.baseAddress!, pb.baseAddress!, a.count) == 0
        } }
    }

    // MARK: Base64

    /// Strict standard base64 (RFC 4648 section 4): canonical only (zero trailing bits), no
    /// whitespace; with `padded`, exactly the right `=` padding, else none at all. Constant time.
    static func base64Decode(_ text: UnsafeRawBufferPointer, padded: Bool) -> [UInt8]? {
        ensureInitialized()
        guard let input = text.baseAddress, !text.isEmpty else { return [] }
        // libsodium 1.0.18 reads its input as signed char and decodes every byte 0x80...0xFF as
        // "/", so those bytes are refused here (without a branch per byte, like the decoder).
        var highBits: UInt8 = 0
        for byte in text { highBits |= byte }
        guard highBits & 0x80 == 0 else { return nil }
        var out = [UInt8](repeating: 0, count: text.count / 4 * 3 + 2)
        var length = 0
        let variant = padded ? sodium_base64_VARIANT_ORIGINAL : sodium_base64_VARIANT_ORIGINAL_NO_PADDING
        let rc = out.withUnsafeMutableBytes { o in
            sodium_base642bin(o.baseAddress!.assumingMemoryBound(to: UInt8.self), o.count,
                              input.assumingMemoryBound(to: CChar.self), text.count, nil, &length, nil, variant)
        }
        guard rc == 0 else { return nil }
        out.removeLast(out.count - length)
        return out
    }

    /// Standard base64, with or without `=` padding.
    static func base64Encode(_ bytes: UnsafeRawBufferPointer, padded: Bool) -> String {
        ensureInitialized()
        let variant = padded ? sodium_base64_VARIANT_ORIGINAL : sodium_base64_VARIANT_ORIGINAL_NO_PADDING
        let capacity = sodium_base64_encoded_len(bytes.count, variant)
        return String(unsafeUninitializedCapacity: capacity) { out in
            var empty: UInt8 = 0
            let input = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? withUnsafePointer(to: &empty) { $0 }
            _ = out.withMemoryRebound(to: CChar.self) {
                sodium_bin2base64($0.baseAddress!, capacity, input, bytes.count, variant)
            }
            return capacity - 1 // without the terminating NUL
        }
    }

    // MARK: X25519

    /// X25519(scalar, basepoint): the public key of a 32-byte secret scalar.
    static func x25519Base(_ scalar: SecureBytes) -> [UInt8] {
        ensureInitialized()
        var out = [UInt8](repeating: 0, count: 32)
        scalar.withUnsafeBytes { s in
            out.withUnsafeMutableBytes { o in
                _ = crypto_scalarmult_base(o.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                           s.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        return out
    }

    /// X25519(scalar, point). Returns nil when the result is all zeros (a low-order point).
    static func x25519(_ scalar: SecureBytes, _ point: [UInt8]) -> SecureBytes? {
        ensureInitialized()
        precondition(point.count == 32)
        let out = SecureBytes(count: 32)
        let rc = scalar.withUnsafeBytes { s in
            out.withUnsafeMutableBytes { o in
                point.withUnsafeBytes { p in
                    crypto_scalarmult(o.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                      s.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                      p.baseAddress!.assumingMemoryBound(to: UInt8.self))
                }
            }
        }
        let zero = out.withUnsafeBytes { sodium_is_zero($0.baseAddress!.assumingMemoryBound(to: UInt8.self), 32) == 1 }
        return rc == 0 && !zero ? out : nil
    }

    // MARK: HMAC / HKDF

    /// HMAC-SHA-256 of the concatenation of `parts` under `key` (any length), into `out` (32 bytes).
    static func hmacSHA256(key: UnsafeRawBufferPointer, _ parts: UnsafeRawBufferPointer..., into out: UnsafeMutableRawBufferPointer) {
        ensureInitialized()
        precondition(out.count == 32)
        var state = crypto_auth_hmacsha256_state()
        var empty: UInt8 = 0
        _ = withUnsafePointer(to: &empty) { emptyPointer in
            crypto_auth_hmacsha256_init(&state, key.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? emptyPointer, key.count)
        }
        for part in parts where part.count > 0 {
            crypto_auth_hmacsha256_update(&state, part.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(part.count))
        }
        crypto_auth_hmacsha256_final(&state, out.baseAddress!.assumingMemoryBound(to: UInt8.self))
        sodium_memzero(&state, MemoryLayout<crypto_auth_hmacsha256_state>.size)
    }

    /// HKDF-SHA-256 (RFC 5869) with 32 bytes of output, the only length age derives:
    /// PRK = HMAC(salt, ikm), then OKM = T(1) = HMAC(PRK, info || 0x01). PRK is wiped.
    static func hkdf(ikm: UnsafeRawBufferPointer, salt: UnsafeRawBufferPointer, info: UnsafeRawBufferPointer) -> SecureBytes {
        let out = SecureBytes(count: 32)
        withUnsafeTemporaryAllocation(byteCount: 32, alignment: 16) { prk in
            hmacSHA256(key: salt, ikm, into: prk)
            withUnsafeBytes(of: UInt8(1)) { counter in
                out.withUnsafeMutableBytes { hmacSHA256(key: UnsafeRawBufferPointer(prk), info, counter, into: $0) }
            }
            sodium_memzero(prk.baseAddress!, prk.count)
        }
        return out
    }

    /// HKDF-SHA-256 with an ASCII label as `info`, as age's labels are.
    static func hkdf(ikm: UnsafeRawBufferPointer, salt: UnsafeRawBufferPointer, info: StaticString) -> SecureBytes {
        hkdf(ikm: ikm, salt: salt, info: UnsafeRawBufferPointer(start: info.utf8Start, count: info.utf8CodeUnitCount))
    }

    /// SHA-256 of `bytes`.
    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        ensureInitialized()
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBytes { o in bytes.withUnsafeBytes { b in
            _ = crypto_hash_sha256(o.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                   b.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(o.baseAddress!.assumingMemoryBound(to: UInt8.self)),
                                   UInt64(b.count))
        } }
        return out
    }

    // MARK: ChaCha20-Poly1305

    static let tagSize = 16

    /// ChaCha20-Poly1305 (IETF) seal with no associated data: returns ciphertext || tag.
    static func seal(key: SecureBytes, nonce: [UInt8], plaintext: UnsafeRawBufferPointer) -> [UInt8] {
        ensureInitialized()
        var out = [UInt8](repeating: 0, count: plaintext.count + tagSize)
        var outLen: UInt64 = 0
        key.withUnsafeBytes { k in nonce.withUnsafeBytes { n in out.withUnsafeMutableBytes { o in
            _ = crypto_aead_chacha20poly1305_ietf_encrypt(
                o.baseAddress!.assumingMemoryBound(to: UInt8.self), &outLen,
                plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
                nil, 0, nil,
                n.baseAddress!.assumingMemoryBound(to: UInt8.self),
                k.baseAddress!.assumingMemoryBound(to: UInt8.self))
        } } }
        return out
    }

    /// ChaCha20-Poly1305 (IETF) open of ciphertext || tag; nil when the tag does not verify.
    /// The tag is checked in constant time by libsodium before any plaintext is written.
    static func open(key: SecureBytes, nonce: [UInt8], ciphertext: UnsafeRawBufferPointer) -> SecureBytes? {
        ensureInitialized()
        guard ciphertext.count >= tagSize else { return nil }
        let out = SecureBytes(count: ciphertext.count - tagSize)
        var outLen: UInt64 = 0
        let rc = key.withUnsafeBytes { k in nonce.withUnsafeBytes { n in out.withUnsafeMutableBytes { o in
            crypto_aead_chacha20poly1305_ietf_decrypt(
                o.baseAddress!.assumingMemoryBound(to: UInt8.self), &outLen, nil,
                ciphertext.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(ciphertext.count),
                nil, 0,
                n.baseAddress!.assumingMemoryBound(to: UInt8.self),
                k.baseAddress!.assumingMemoryBound(to: UInt8.self))
        } } }
        return rc == 0 ? out : nil
    }

    // MARK: scrypt

    /// scrypt with N = 2^logN, r = 8, p = 1, as age's scrypt recipient uses it.
    static func scrypt(passphrase: [UInt8], salt: [UInt8], logN: Int, length: Int) -> SecureBytes? {
        ensureInitialized()
        let out = SecureBytes(count: length)
        // libsodium wants a non-null pointer even for an empty passphrase.
        var buffer = passphrase.isEmpty ? [0] : passphrase
        defer { SecureBytes.wipe(&buffer) }
        let rc = buffer.withUnsafeBytes { p in salt.withUnsafeBytes { s in out.withUnsafeMutableBytes { o in
            crypto_pwhash_scryptsalsa208sha256_ll(
                p.baseAddress!.assumingMemoryBound(to: UInt8.self), passphrase.count,
                s.baseAddress!.assumingMemoryBound(to: UInt8.self), s.count,
                UInt64(1) << UInt64(logN), 8, 1,
                o.baseAddress!.assumingMemoryBound(to: UInt8.self), length)
        } } }
        return rc == 0 ? out : nil
    }
}
