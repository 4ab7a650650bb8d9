import SecureIO

/// Bech32 (BIP 173) as age uses it: checksum verified, mixed case refused, and no 90-character
/// limit (age's post-quantum keys are longer).
public enum Bech32 {
    private static let charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (i, c) in charset.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()

    /// One step of the BIP 173 checksum over the 5-bit value `v`: each of the top five bits
    /// selects a generator by masking, without a branch (the values may be a secret key's).
    @inline(__always)
    private static func step(_ chk: UInt32, _ v: UInt8) -> UInt32 {
        let top = chk >> 25
        var next = (chk & 0x1ff_ffff) << 5 ^ UInt32(v)
        next ^= (0 &- (top & 1)) & 0x3b6a_57b2
        next ^= (0 &- (top >> 1 & 1)) & 0x2650_8e6d
        next ^= (0 &- (top >> 2 & 1)) & 0x1ea1_19fa
        next ^= (0 &- (top >> 3 & 1)) & 0x3d42_33dd
        next ^= (0 &- (top >> 4 & 1)) & 0x2a14_62b3
        return next
    }

    /// The checksum state after the human-readable part (BIP 173's expansion: the high bits of
    /// each character, a zero, then the low bits), where the data values continue it.
    private static func checksum(hrp: some Collection<UInt8>) -> UInt32 {
        var chk = hrp.reduce(1) { step($0, $1 >> 5) }
        chk = step(chk, 0)
        return hrp.reduce(chk) { step($0, $1 & 31) }
    }

    /// Encodes `data` with the human-readable part `hrp`, in lowercase (or uppercase if asked).
    public static func encode(hrp: String, data: [UInt8], uppercase: Bool = false) -> String {
        let h = Array(hrp.lowercased().utf8)
        // Regroup the bytes into 5-bit values, zero-padding the last one.
        var values: [UInt8] = []
        var acc: UInt32 = 0, bits = 0
        for byte in data {
            acc = (acc << 8 | UInt32(byte)) & 0xfff
            bits += 8
            while bits >= 5 {
                bits -= 5
                values.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)) & 31)
            }
        }
        if bits > 0 { values.append(UInt8(truncatingIfNeeded: acc << UInt32(5 - bits)) & 31) }
        let check = (values + [0, 0, 0, 0, 0, 0]).reduce(checksum(hrp: h), step) ^ 1
        var out = h + [UInt8(ascii: "1")] + values.map { charset[Int($0)] }
        for i in 0..<6 { out.append(charset[Int((check >> UInt32(5 * (5 - i))) & 31)]) }
        let s = String(decoding: out, as: UTF8.self)
        return uppercase ? s.uppercased() : s
    }

    /// Decodes a Bech32 string into its lowercase human-readable part and data bytes.
    /// One pass over the bytes, checksumming as it goes (recipients files can hold thousands).
    public static func decode(_ string: String) throws(AgeError) -> (hrp: String, data: [UInt8]) {
        // The string may be a secret key: the copies made here are wiped, the data too on failure.
        var bytes = Array(string.utf8)
        var data: [UInt8] = []
        var decoded = false
        defer {
            SecureBytes.wipe(&bytes)
            if !decoded { SecureBytes.wipe(&data) }
        }
        var hasLower = false, hasUpper = false, printable = true
        for b in bytes {
            if b >= 0x61 && b <= 0x7a { hasLower = true }
            if b >= 0x41 && b <= 0x5a { hasUpper = true }
            if b < 33 || b > 126 { printable = false }
        }
        if hasLower && hasUpper { throw .key("mixed-case Bech32 string") }
        guard printable else { throw .key("invalid character in Bech32 string") }
        if hasUpper { for i in bytes.indices where bytes[i] >= 0x41 && bytes[i] <= 0x5a { bytes[i] += 32 } }
        guard let sep = bytes.lastIndex(of: UInt8(ascii: "1")), sep >= 1, bytes.count - sep - 1 >= 6 else {
            throw .key("malformed Bech32 string")
        }
        var chk = checksum(hrp: bytes[..<sep])
        // Regroup the 5-bit data values (all but the 6 checksum values) into bytes as they are read.
        let dataEnd = bytes.count - 6
        data.reserveCapacity((dataEnd - sep - 1) * 5 / 8)
        var acc: UInt32 = 0, bits = 0
        let reverse = Self.reverse
        for i in (sep + 1)..<bytes.count {
            let v = reverse[Int(bytes[i])]
            guard v >= 0 else { throw .key("invalid character in Bech32 data") }
            chk = step(chk, UInt8(v))
            guard i < dataEnd else { continue }
            acc = (acc << 5 | UInt32(v)) & 0xfff
            bits += 5
            if bits >= 8 {
                bits -= 8
                data.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        guard chk == 1 else { throw .key("invalid Bech32 checksum") }
        guard bits < 5, acc & ((1 << UInt32(bits)) - 1) == 0 else { throw .key("invalid Bech32 padding") }
        decoded = true
        return (String(decoding: bytes[..<sep], as: UTF8.self), data)
    }
}
