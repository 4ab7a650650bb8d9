import CSodium
import SecureIO

extension Sodium {
    /// X25519(scalar, 9), the public share of an ephemeral key, computed with libsodium's
    /// fixed-base Edwards table instead of the Montgomery ladder: [clamp(scalar)]B on edwards25519
    /// (crypto_scalarmult_ed25519_base_noclamp of the scalar clamped as X25519 clamps it), then the
    /// birational map u = (1 + y) / (1 − y). It is byte for byte X25519's result for every scalar.
    ///
    /// libsodium 1.0.18's own map (crypto_sign_ed25519_pk_to_curve25519) first proves the point is
    /// in the prime-order subgroup with a scalar multiplication by the group order, which costs more
    /// than the ladder saved; this point is in that subgroup by construction. The map runs on the
    /// public y alone (the share it yields is published), so its field arithmetic needs no constant
    /// time. A clamped scalar is 2^254 plus a multiple of 8 below 2^255, never a multiple of the
    /// group order, so the point is never the identity and y is never 1.
    static func x25519PublicShare(_ scalar: SecureBytes) -> [UInt8] {
        x25519PublicShares([scalar])[0]
    }

    /// `x25519PublicShare` of each scalar, with one field inversion for all of them (Montgomery's
    /// trick: invert the product of the denominators, then peel each one off with multiplications),
    /// where one per share was about a tenth of an X25519 recipient's wrapping.
    static func x25519PublicShares(_ scalars: [SecureBytes]) -> [[UInt8]] {
        let ys = scalars.map { FieldElement(edwardsY: edwardsPublicPoint($0)) }
        let denominators = ys.map { FieldElement.one - $0 }
        // prefix[i] = denominators[0] * … * denominators[i].
        var prefix: [FieldElement] = []
        prefix.reserveCapacity(denominators.count)
        for d in denominators { prefix.append(prefix.last.map { $0 * d } ?? d) }
        guard var inverse = prefix.last?.inverse() else { return [] }
        var shares = [[UInt8]](repeating: [], count: ys.count)
        for i in ys.indices.reversed() {
            // inverse is 1 / (denominators[0] * … * denominators[i]).
            let denominatorInverse = i == 0 ? inverse : inverse * prefix[i - 1]
            shares[i] = ((FieldElement.one + ys[i]) * denominatorInverse).bytes
            inverse = inverse * denominators[i]
        }
        return shares
    }

    /// [clamp(scalar)]B on edwards25519, compressed.
    private static func edwardsPublicPoint(_ scalar: SecureBytes) -> [UInt8] {
        ensureInitialized()
        var edwards = [UInt8](repeating: 0, count: 32)
        let rc = scalar.withUnsafeBytes { s in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { clamped in
                for i in 0..<32 { clamped[i] = s[i] }
                clamped[0] &= 248
                clamped[31] &= 127
                clamped[31] |= 64
                defer { sodium_memzero(clamped.baseAddress!, 32) }
                return edwards.withUnsafeMutableBytes { e in
                    crypto_scalarmult_ed25519_base_noclamp(e.baseAddress!.assumingMemoryBound(to: UInt8.self), clamped.baseAddress!)
                }
            }
        }
        precondition(rc == 0, "a clamped scalar gave the identity point")
        return edwards
    }
}

/// An element of GF(2^255 − 19) in five 51-bit limbs, for the Edwards-to-Montgomery map of public
/// points only: its operations are not constant time.
struct FieldElement {
    private static let mask: UInt64 = (1 << 51) - 1
    private var limbs: (UInt64, UInt64, UInt64, UInt64, UInt64)

    private init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, _ l4: UInt64) {
        limbs = (l0, l1, l2, l3, l4)
    }

    static let one = FieldElement(1, 0, 0, 0, 0)

    /// The y coordinate of a compressed Edwards point: 255 bits little-endian, the sign of x dropped.
    init(edwardsY bytes: [UInt8]) {
        precondition(bytes.count == 32)
        func word(_ offset: Int) -> UInt64 {
            var w: UInt64 = 0
            for i in 0..<8 { w |= UInt64(bytes[offset + i]) << (8 * i) }
            return w
        }
        let w0 = word(0), w1 = word(8), w2 = word(16), w3 = word(24) & ((1 << 63) - 1)
        self.init(w0 & Self.mask,
                  (w0 >> 51 | w1 << 13) & Self.mask,
                  (w1 >> 38 | w2 << 26) & Self.mask,
                  (w2 >> 25 | w3 << 39) & Self.mask,
                  w3 >> 12)
    }

    static func + (a: FieldElement, b: FieldElement) -> FieldElement {
        FieldElement(a.limbs.0 + b.limbs.0, a.limbs.1 + b.limbs.1, a.limbs.2 + b.limbs.2, a.limbs.3 + b.limbs.3, a.limbs.4 + b.limbs.4)
    }

    /// a − b, computed as a + 2p − b so no limb goes negative (limbs below 2^52).
    static func - (a: FieldElement, b: FieldElement) -> FieldElement {
        let twoP0: UInt64 = (1 << 52) - 38, twoP: UInt64 = (1 << 52) - 2
        return FieldElement(a.limbs.0 + twoP0 - b.limbs.0, a.limbs.1 + twoP - b.limbs.1, a.limbs.2 + twoP - b.limbs.2,
                            a.limbs.3 + twoP - b.limbs.3, a.limbs.4 + twoP - b.limbs.4)
    }

    /// A 128-bit accumulator of limb products.
    private struct Wide {
        var high: UInt64 = 0, low: UInt64 = 0
        mutating func add(_ a: UInt64, _ b: UInt64) {
            let p = a.multipliedFullWidth(by: b)
            let (sum, carry) = low.addingReportingOverflow(p.low)
            low = sum
            high &+= p.high &+ (carry ? 1 : 0)
        }
        /// The value shifted right by 51 bits, and the low 51 bits.
        var split: (carry: UInt64, limb: UInt64) { (high << 13 | low >> 51, low & FieldElement.mask) }
    }

    static func * (a: FieldElement, b: FieldElement) -> FieldElement {
        let (a0, a1, a2, a3, a4) = a.limbs, (b0, b1, b2, b3, b4) = b.limbs
        let b1x19 = b1 * 19, b2x19 = b2 * 19, b3x19 = b3 * 19, b4x19 = b4 * 19
        var r0 = Wide(), r1 = Wide(), r2 = Wide(), r3 = Wide(), r4 = Wide()
        r0.add(a0, b0); r0.add(a1, b4x19); r0.add(a2, b3x19); r0.add(a3, b2x19); r0.add(a4, b1x19)
        r1.add(a0, b1); r1.add(a1, b0); r1.add(a2, b4x19); r1.add(a3, b3x19); r1.add(a4, b2x19)
        r2.add(a0, b2); r2.add(a1, b1); r2.add(a2, b0); r2.add(a3, b4x19); r2.add(a4, b3x19)
        r3.add(a0, b3); r3.add(a1, b2); r3.add(a2, b1); r3.add(a3, b0); r3.add(a4, b4x19)
        r4.add(a0, b4); r4.add(a1, b3); r4.add(a2, b2); r4.add(a3, b1); r4.add(a4, b0)
        var (c, l0) = r0.split
        r1.add(c, 1); let (c1, l1) = r1.split
        r2.add(c1, 1); let (c2, l2) = r2.split
        r3.add(c2, 1); let (c3, l3) = r3.split
        r4.add(c3, 1); let (c4, l4) = r4.split
        c = l0 + c4 * 19
        return FieldElement(c & mask, l1 + c >> 51, l2, l3, l4)
    }

    private func squared(times n: Int) -> FieldElement {
        var x = self
        for _ in 0..<n { x = x * x }
        return x
    }

    /// The multiplicative inverse, self^(p − 2), by the usual chain through self^(2^250 − 1).
    func inverse() -> FieldElement {
        let z2 = self * self
        let z9 = z2.squared(times: 2) * self
        let z11 = z9 * z2
        let z5 = (z11 * z11) * z9                       // 2^5 − 1
        let z10 = z5.squared(times: 5) * z5              // 2^10 − 1
        let z20 = z10.squared(times: 10) * z10           // 2^20 − 1
        let z40 = z20.squared(times: 20) * z20           // 2^40 − 1
        let z50 = z40.squared(times: 10) * z10           // 2^50 − 1
        let z100 = z50.squared(times: 50) * z50          // 2^100 − 1
        let z200 = z100.squared(times: 100) * z100       // 2^200 − 1
        let z250 = z200.squared(times: 50) * z50         // 2^250 − 1
        return z250.squared(times: 5) * z11              // 2^255 − 21 = p − 2
    }

    /// The canonical 32-byte little-endian encoding (fully reduced below p).
    var bytes: [UInt8] {
        var l = [limbs.0, limbs.1, limbs.2, limbs.3, limbs.4]
        for _ in 0..<3 {
            for i in 0..<4 { l[i + 1] += l[i] >> 51; l[i] &= Self.mask }
            l[0] += (l[4] >> 51) * 19
            l[4] &= Self.mask
        }
        // Now below 2^255; subtract p once when the value is at least p.
        if l[0] >= Self.mask - 18 && l[1] == Self.mask && l[2] == Self.mask && l[3] == Self.mask && l[4] == Self.mask {
            l = [l[0] - (Self.mask - 18), 0, 0, 0, 0]
        }
        let words = [l[0] | l[1] << 51, l[1] >> 13 | l[2] << 38, l[2] >> 26 | l[3] << 25, l[3] >> 39 | l[4] << 12]
        return words.flatMap { w in (0..<8).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
    }
}
