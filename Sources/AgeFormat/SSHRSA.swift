import CLibcrypto

/// An age `ssh-rsa` recipient: an OpenSSH RSA public key of 2048 to 16384 bits; the file key is
/// encrypted with RSA-OAEP (SHA-256, MGF1-SHA-256, age's label) through OpenSSL's libcrypto.
public struct SSHRSARecipient: Recipient {
    static let keyType = "ssh-rsa"
    static let bitRange = 2048...16384

    /// The public key in SSH wire format (key type, e, n).
    let wireKey: [UInt8]
    let key: RSAKey

    /// The recipient of an SSH wire public key of type `ssh-rsa`.
    init(wireKey: [UInt8]) throws(AgeError) {
        var reader = SSHWireReader(wireKey, context: "ssh-rsa public key")
        _ = try reader.string()
        let e = try reader.string()
        let n = try reader.string()
        guard reader.isAtEnd else { throw AgeError.key("malformed ssh-rsa public key: trailing data") }
        try self.init(wireKey: wireKey, key: RSAKey(n: n, e: e, d: nil))
    }

    init(wireKey: [UInt8], key: RSAKey) throws(AgeError) {
        guard Self.bitRange.contains(key.bits) else {
            throw AgeError.key("ssh-rsa keys must have 2048 to 16384 bits; this one has \(key.bits)")
        }
        self.wireKey = wireKey
        self.key = key
    }

    /// `ssh-rsa AAAA…`, without a comment.
    public var encoded: String { SSHPublicKey.encode(wireKey) }

    public func wrap(fileKey: SecureBytes) throws -> [Stanza] {
        let body = try fileKey.withUnsafeBytes { try key.encrypt($0) }
        return [Stanza(type: Self.keyType, arguments: [UnpaddedBase64.encode(SSHWire.tag(wireKey))], body: body)]
    }
}

/// An age `ssh-rsa` identity: an OpenSSH RSA private key.
public struct SSHRSAIdentity: Identity {
    private let publicKey: SSHRSARecipient
    private let privateKey: RSAKey

    /// The identity of the RSA key (n, e, d) whose SSH wire public key is `wireKey`.
    init(n: [UInt8], e: [UInt8], d: SecureBytes, wireKey: [UInt8]) throws(AgeError) {
        try self.init(key: RSAKey(n: n, e: e, d: d), wireKey: wireKey)
    }

    /// The identity of an unencrypted PEM RSA private key (`-----BEGIN RSA PRIVATE KEY-----`, as
    /// `ssh-keygen -m PEM` writes it); its public key is derived from it.
    init(pem: String) throws(AgeError) {
        guard !pem.contains("ENCRYPTED") else {
            throw AgeError.key("passphrase-protected PEM keys are not supported; convert the key with ssh-keygen -p -f KEY")
        }
        let key = try RSAKey(pem: pem)
        let (n, e) = key.publicNumbers
        try self.init(key: key, wireKey: SSHWire.string(Array(SSHRSARecipient.keyType.utf8)) + SSHWire.mpint(e) + SSHWire.mpint(n))
    }

    private init(key: RSAKey, wireKey: [UInt8]) throws(AgeError) {
        privateKey = key
        publicKey = try SSHRSARecipient(wireKey: wireKey, key: key)
    }

    public var recipient: (any Recipient)? { publicKey }

    /// Tries each ssh-rsa stanza whose tag is this key's; throws for a malformed stanza of this
    /// type, or one whose tag matches but which does not decrypt (as age does).
    public func unwrap(stanzas: [Stanza]) throws -> SecureBytes? {
        let tag = SSHWire.tag(publicKey.wireKey)
        for stanza in stanzas where stanza.type == SSHRSARecipient.keyType {
            let reader = try StanzaReader(stanza, arguments: 1)
            guard try reader.bytes(argument: 0, count: 4, name: "tag") == tag else { continue }
            let body = try reader.body(count: privateKey.size)
            guard let fileKey = privateKey.decrypt(body), fileKey.count == FileKey.size else {
                throw AgeError.header("an ssh-rsa stanza carries this key's tag but does not decrypt with it")
            }
            return fileKey
        }
        return nil
    }
}

/// An RSA key held by libcrypto, and RSA-OAEP with age's parameters.
final class RSAKey: @unchecked Sendable {
    private static let label = Array("age-encryption.org/v1/ssh-rsa".utf8)
    private let pkey: OpaquePointer

    /// The key with modulus `n`, public exponent `e` (big-endian, as SSH mpints) and, for a
    /// private key, private exponent `d`.
    init(n: [UInt8], e: [UInt8], d: SecureBytes?) throws(AgeError) {
        guard n.first.map({ $0 & 0x80 == 0 }) == true, e.first.map({ $0 & 0x80 == 0 }) == true else {
            throw AgeError.key("malformed RSA key: negative or empty modulus or exponent")
        }
        guard let builder = OSSL_PARAM_BLD_new() else { throw AgeError.key("out of memory") }
        defer { OSSL_PARAM_BLD_free(builder) }
        var numbers: [OpaquePointer?] = [BN_bin2bn(n, Int32(n.count), nil), BN_bin2bn(e, Int32(e.count), nil)]
        if let d { numbers.append(d.withUnsafeBytes { BN_bin2bn($0.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32($0.count), nil) }) }
        defer { numbers.forEach { BN_clear_free($0) } }
        // The builder keeps the name pointers until to_param: static strings, not temporaries.
        let names: [StaticString] = ["n", "e", "d"]
        for (name, number) in zip(names, numbers)
        where OSSL_PARAM_BLD_push_BN(builder, UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self), number) != 1 {
            throw AgeError.key("malformed RSA key")
        }
        guard let params = OSSL_PARAM_BLD_to_param(builder) else { throw AgeError.key("out of memory") }
        defer { OSSL_PARAM_free(params) }
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, "RSA", nil) else { throw AgeError.key("RSA is unavailable in libcrypto") }
        defer { EVP_PKEY_CTX_free(ctx) }
        var key: OpaquePointer?
        // EVP_PKEY_PUBLIC_KEY and EVP_PKEY_KEYPAIR, compound macros Swift does not import.
        let selection = (OSSL_KEYMGMT_SELECT_ALL_PARAMETERS | OSSL_KEYMGMT_SELECT_PUBLIC_KEY) | (d == nil ? 0 : OSSL_KEYMGMT_SELECT_PRIVATE_KEY)
        guard EVP_PKEY_fromdata_init(ctx) == 1, EVP_PKEY_fromdata(ctx, &key, selection, params) == 1, let key else {
            throw AgeError.key("malformed RSA key")
        }
        pkey = key
    }

    /// The private key in a PEM file (read with an empty password, so nothing is ever asked).
    init(pem: String) throws(AgeError) {
        // The memory BIO reads the bytes in place: they must outlive it.
        let read = Array(pem.utf8).withUnsafeBytes { buffer -> OpaquePointer? in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            var empty: CChar = 0
            return PEM_read_bio_PrivateKey(bio, nil, nil, &empty)
        }
        guard let key = read else { throw AgeError.key("malformed PEM private key") }
        guard EVP_PKEY_is_a(key, "RSA") == 1 else {
            EVP_PKEY_free(key)
            throw AgeError.key("the PEM private key is not an RSA key")
        }
        pkey = key
    }

    deinit { EVP_PKEY_free(pkey) }

    /// The modulus and public exponent, big-endian.
    var publicNumbers: (n: [UInt8], e: [UInt8]) {
        func number(_ name: StaticString) -> [UInt8] {
            var bn: OpaquePointer?
            guard EVP_PKEY_get_bn_param(pkey, UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self), &bn) == 1, let bn else { return [] }
            defer { BN_free(bn) }
            var out = [UInt8](repeating: 0, count: (Int(BN_num_bits(bn)) + 7) / 8)
            _ = BN_bn2bin(bn, &out)
            return out
        }
        return (number("n"), number("e"))
    }

    /// The size of the modulus in bits.
    var bits: Int { Int(EVP_PKEY_get_bits(pkey)) }
    /// The size of the modulus (and of every ciphertext) in bytes.
    var size: Int { Int(EVP_PKEY_get_size(pkey)) }

    /// RSA-OAEP encryption of `plaintext`.
    func encrypt(_ plaintext: UnsafeRawBufferPointer) throws -> [UInt8] {
        let ctx = try oaepContext(encrypting: true)
        defer { EVP_PKEY_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: size)
        var length = out.count
        guard EVP_PKEY_encrypt(ctx, &out, &length, plaintext.baseAddress!.assumingMemoryBound(to: UInt8.self), plaintext.count) == 1 else {
            throw AgeError.key("RSA-OAEP encryption failed")
        }
        out.removeLast(out.count - length)
        return out
    }

    /// RSA-OAEP decryption of `ciphertext`; nil when it does not decrypt.
    func decrypt(_ ciphertext: [UInt8]) -> SecureBytes? {
        guard let ctx = try? oaepContext(encrypting: false) else { return nil }
        defer { EVP_PKEY_CTX_free(ctx) }
        let out = SecureBytes(count: size)
        var length = size
        let rc = out.withUnsafeMutableBytes { o in
            EVP_PKEY_decrypt(ctx, o.baseAddress!.assumingMemoryBound(to: UInt8.self), &length, ciphertext, ciphertext.count)
        }
        guard rc == 1 else { return nil }
        return out.withUnsafeBytes { SecureBytes($0.prefix(length)) }
    }

    /// A context for RSA-OAEP with SHA-256, MGF1-SHA-256 and age's label.
    private func oaepContext(encrypting: Bool) throws(AgeError) -> OpaquePointer {
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil) else { throw AgeError.key("out of memory") }
        let label = CRYPTO_malloc(Self.label.count, nil, 0)
        label?.copyMemory(from: Self.label, byteCount: Self.label.count)
        let ready = (encrypting ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) == 1
            && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1
            && EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) == 1
            && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1
        // On success the context owns the label; otherwise it is freed here.
        guard ready, let label, EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label, Int32(Self.label.count)) == 1 else {
            CRYPTO_free(label, nil, 0)
            EVP_PKEY_CTX_free(ctx)
            throw AgeError.key("RSA-OAEP is unavailable in libcrypto")
        }
        return ctx
    }
}
