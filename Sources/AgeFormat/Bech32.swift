/// Bech32 (BIP 173) as age uses it: checksum verified, mixed case refused, and no 90-character
/// limit (age's post-quantum keys are longer).
public enum Bech32 {
    private static let charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (i, c) in charset.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
        var chk: UInt32 = 1
        for v in values {
            let top = chk >> 25
            chk = (chk & 0x1ff_ffff) << 5 ^ UInt32(v)
            for i in 0..<5 where (top >> UInt32(i)) & 1 == 1 { chk ^= generator[i] }
        }
        return chk
    }

    private static func expand(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    /// Regroups bits; with `pad` false, leftover bits must be zero padding of fewer than `from` bits.
    private static func convert(_ data: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var acc = 0, bits = 0
        var out: [UInt8] = []
        let maxv = (1 << to) - 1
        for value in data {
            acc = (acc << from) | Int(value)
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8((acc >> bits) & maxv))
            }
            acc &= (1 << bits) - 1
        }
        if pad {
            if bits > 0 { out.append(UInt8((acc << (to - bits)) & maxv)) }
        } else if bits >= from || acc != 0 {
            return nil
        }
        return out
    }

    /// Encodes `data` with the human-readable part `hrp`, in lowercase (or uppercase if asked).
    public static func encode(hrp: String, data: [UInt8], uppercase: Bool = false) -> String {
        let h = Array(hrp.lowercased().utf8)
        let values = convert(data, from: 8, to: 5, pad: true)!
        let check = polymod(expand(h) + values + [0, 0, 0, 0, 0, 0]) ^ 1
        var out = h + [UInt8(ascii: "1")] + values.map { charset[Int($0)] }
        for i in 0..<6 { out.append(charset[Int((check >> UInt32(5 * (5 - i))) & 31)]) }
        let s = String(decoding: out, as: UTF8.self)
        return uppercase ? s.uppercased() : s
    }

    /// Decodes a Bech32 string into its lowercase human-readable part and data bytes.
    public static func decode(_ string: String) throws(AgeError) -> (hrp: String, data: [UInt8]) {
        let bytes = Array(string.utf8)
        let hasLower = bytes.contains { $0 >= 0x61 && $0 <= 0x7a }
        let hasUpper = bytes.contains { $0 >= 0x41 && $0 <= 0x5a }
        if hasLower && hasUpper { throw .key("mixed-case Bech32 string") }
        guard bytes.allSatisfy({ $0 >= 33 && $0 <= 126 }) else { throw .key("invalid character in Bech32 string") }
        let lower = bytes.map { ($0 >= 0x41 && $0 <= 0x5a) ? $0 + 32 : $0 }
        guard let sep = lower.lastIndex(of: UInt8(ascii: "1")), sep >= 1, lower.count - sep - 1 >= 6 else {
            throw .key("malformed Bech32 string")
        }
        let hrp = Array(lower[..<sep])
        var values: [UInt8] = []
        values.reserveCapacity(lower.count - sep - 1)
        for c in lower[(sep + 1)...] {
            let v = c < 128 ? reverse[Int(c)] : -1
            guard v >= 0 else { throw .key("invalid character in Bech32 data") }
            values.append(UInt8(v))
        }
        guard polymod(expand(hrp) + values) == 1 else { throw .key("invalid Bech32 checksum") }
        guard let data = convert(Array(values.dropLast(6)), from: 5, to: 8, pad: false) else {
            throw .key("invalid Bech32 padding")
        }
        return (String(decoding: hrp, as: UTF8.self), data)
    }
}
