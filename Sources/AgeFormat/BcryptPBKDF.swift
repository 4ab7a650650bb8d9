/// bcrypt_pbkdf, the key derivation of passphrase-protected OpenSSH keys (OpenBSD's
/// bcrypt_pbkdf(3)): PBKDF2-like rounds of a bcrypt hash over SHA-512 digests, whose output
/// bytes are spread across the key with a stride. SHA-512 is libsodium's.
enum BcryptPBKDF {
    private static let hashSize = 32
    /// The plaintext the bcrypt hash encrypts (as 32-bit big-endian words).
    private static let magic = Array("OxychromaticBlowfishSwatDynamite".utf8)

    /// `length` bytes derived from `passphrase` and `salt` with `rounds` rounds (at least 1).
    static func derive(passphrase: [UInt8], salt: [UInt8], rounds: Int, length: Int) -> SecureBytes {
        precondition(rounds >= 1 && length >= 1)
        let stride = (length + hashSize - 1) / hashSize
        let perBlock = (length + stride - 1) / stride
        let key = SecureBytes(count: length)
        var passHash = sha512(passphrase)
        defer { Sodium.wipe(&passHash) }
        var remaining = length
        var block = 1
        while remaining > 0 {
            var saltHash = sha512(salt + SSHWire.uint32(UInt32(block)))
            var round = hash(passHash: passHash, saltHash: saltHash)
            var sum = round
            for _ in 1..<rounds {
                saltHash = sha512(round)
                round = hash(passHash: passHash, saltHash: saltHash)
                for i in 0..<hashSize { sum[i] ^= round[i] }
            }
            let count = min(perBlock, remaining)
            var written = 0
            key.withUnsafeMutableBytes { out in
                for i in 0..<count {
                    let dest = i * stride + (block - 1)
                    if dest >= length { break }
                    out[dest] = sum[i]
                    written += 1
                }
            }
            Sodium.wipe(&sum)
            Sodium.wipe(&round)
            remaining -= written
            block += 1
        }
        return key
    }

    private static func sha512(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        bytes.withUnsafeBytes { b in out.withUnsafeMutableBytes { Sodium.sha512(b, into: $0) } }
        return out
    }

    /// The bcrypt hash of bcrypt_pbkdf: an expensively keyed Blowfish state encrypts `magic` 64
    /// times; the words are returned little-endian.
    private static func hash(passHash: [UInt8], saltHash: [UInt8]) -> [UInt8] {
        var state = Blowfish(data: saltHash, key: passHash)
        for _ in 0..<64 {
            state.expand(key: saltHash)
            state.expand(key: passHash)
        }
        var words = (0..<8).map { i in magic[i * 4..<i * 4 + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
        for _ in 0..<64 {
            for i in Swift.stride(from: 0, to: 8, by: 2) { (words[i], words[i + 1]) = state.encrypt(words[i], words[i + 1]) }
        }
        var out = [UInt8]()
        out.reserveCapacity(hashSize)
        for w in words { out += [UInt8(w & 0xff), UInt8(w >> 8 & 0xff), UInt8(w >> 16 & 0xff), UInt8(w >> 24)] }
        state.wipe()
        return out
    }
}

/// Blowfish with the "expensive key schedule" (eksblowfish) that bcrypt uses: the state is
/// re-keyed from a key and, optionally, salt data read cyclically as big-endian words.
struct Blowfish {
    private var p = BlowfishConstants.p
    private var s = BlowfishConstants.s

    /// The initial state expanded with `data` (the salt) and `key`.
    init(data: [UInt8], key: [UInt8]) {
        expand(key: key, data: data)
    }

    /// Re-keys with `key`, mixing in `data` when given (Blowfish_expandstate / expand0state).
    mutating func expand(key: [UInt8], data: [UInt8]? = nil) {
        var j = 0
        for i in 0..<18 { p[i] ^= Self.word(key, &j) }
        var l: UInt32 = 0, r: UInt32 = 0
        j = 0
        for i in stride(from: 0, to: 18, by: 2) {
            if let data { l ^= Self.word(data, &j); r ^= Self.word(data, &j) }
            (l, r) = encrypt(l, r)
            p[i] = l
            p[i + 1] = r
        }
        for i in stride(from: 0, to: 1024, by: 2) {
            if let data { l ^= Self.word(data, &j); r ^= Self.word(data, &j) }
            (l, r) = encrypt(l, r)
            s[i] = l
            s[i + 1] = r
        }
    }

    /// One block encrypted (16 rounds).
    func encrypt(_ left: UInt32, _ right: UInt32) -> (UInt32, UInt32) {
        p.withUnsafeBufferPointer { p in
            s.withUnsafeBufferPointer { s in
                func f(_ x: UInt32) -> UInt32 {
                    ((s[Int(x >> 24)] &+ s[256 + Int(x >> 16 & 0xff)]) ^ s[512 + Int(x >> 8 & 0xff)]) &+ s[768 + Int(x & 0xff)]
                }
                var l = left ^ p[0], r = right
                for i in stride(from: 1, through: 16, by: 2) {
                    r ^= f(l) ^ p[i]
                    l ^= f(r) ^ p[i + 1]
                }
                return (r ^ p[17], l)
            }
        }
    }

    /// The next big-endian word of `bytes`, read cyclically from position `j`.
    private static func word(_ bytes: [UInt8], _ j: inout Int) -> UInt32 {
        var w: UInt32 = 0
        for _ in 0..<4 {
            w = w << 8 | UInt32(bytes[j])
            j = (j + 1) % bytes.count
        }
        return w
    }

    /// Overwrites the key-dependent state.
    mutating func wipe() {
        for i in p.indices { p[i] = 0 }
        for i in s.indices { s[i] = 0 }
    }
}
