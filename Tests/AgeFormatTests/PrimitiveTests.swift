import XCTest
@testable import AgeFormat

/// The libsodium-based primitives against published test vectors.
final class PrimitiveTests: XCTestCase {
    private func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            out.append(UInt8(s[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    private func hkdf(ikm: [UInt8], salt: [UInt8], info: [UInt8]) -> [UInt8] {
        ikm.withUnsafeBytes { i in salt.withUnsafeBytes { s in info.withUnsafeBytes { n in
            Sodium.hkdf(ikm: i, salt: s, info: n).withUnsafeBytes { Array($0) }
        } } }
    }

    /// RFC 5869 test cases 1 and 3 (SHA-256); age derives 32 bytes, so the first 32 of the OKM.
    func testHKDFMatchesRFC5869() {
        let ikm = [UInt8](repeating: 0x0b, count: 22)
        XCTAssertEqual(hkdf(ikm: ikm, salt: hex("000102030405060708090a0b0c"), info: hex("f0f1f2f3f4f5f6f7f8f9")),
                       hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"))
        XCTAssertEqual(hkdf(ikm: ikm, salt: [], info: []),
                       hex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"))
    }

    /// RFC 4231 test case 2 (HMAC-SHA-256, key "Jefe"), with the message split in parts.
    func testHMACOverParts() {
        var out = [UInt8](repeating: 0, count: 32)
        let key = Array("Jefe".utf8), a = Array("what do ya want ".utf8), b = Array("for nothing?".utf8)
        key.withUnsafeBytes { k in a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in
            out.withUnsafeMutableBytes { Sodium.hmacSHA256(key: k, pa, pb, into: $0) }
        } } }
        XCTAssertEqual(out, hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"))
    }
}
