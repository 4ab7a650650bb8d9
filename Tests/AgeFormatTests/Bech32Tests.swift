import XCTest
@testable import AgeFormat

final class Bech32Tests: XCTestCase {
    func testBIP173ValidStrings() throws {
        let (h1, d1) = try Bech32.decode("A12UEL5L")
        XCTAssertEqual(h1, "a"); XCTAssertEqual(d1, [])
        let (h2, d2) = try Bech32.decode("a12uel5l")
        XCTAssertEqual(h2, "a"); XCTAssertEqual(d2, [])
        let (h3, d3) = try Bech32.decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw")
        XCTAssertEqual(h3, "abcdef")
        XCTAssertEqual(hex(d3), "00443214c74254b635cf84653a56d7c675be77df")
        let (h4, d4) = try Bech32.decode("?1ezyfcl")
        XCTAssertEqual(h4, "?"); XCTAssertEqual(d4, [])
        XCTAssertEqual(try Bech32.decode("split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w").hrp, "split")
    }

    func testRoundTrip() throws {
        for count in [0, 1, 5, 31, 32, 33, 64, 100] {
            let data = (0..<count).map { UInt8(($0 * 37 + 11) & 0xff) }
            let s = Bech32.encode(hrp: "age", data: data)
            XCTAssertEqual(s, s.lowercased())
            XCTAssertTrue(s.hasPrefix("age1"))
            let (hrp, back) = try Bech32.decode(s)
            XCTAssertEqual(hrp, "age"); XCTAssertEqual(back, data, "count \(count)")
            let upper = Bech32.encode(hrp: "age-secret-key-", data: data, uppercase: true)
            XCTAssertEqual(upper, upper.uppercased())
            XCTAssertTrue(upper.hasPrefix("AGE-SECRET-KEY-1"))
            let (hrp2, back2) = try Bech32.decode(upper)
            XCTAssertEqual(hrp2, "age-secret-key-"); XCTAssertEqual(back2, data)
            // Lowercasing an uppercase encoding keeps it valid (the checksum is case-insensitive).
            XCTAssertEqual(try Bech32.decode(upper.lowercased()).data, data)
        }
    }

    func testKnownX25519Encoding() throws {
        // 32 zero bytes as an age recipient (computed independently with the BIP 173 reference code).
        let s = Bech32.encode(hrp: "age", data: [UInt8](repeating: 0, count: 32))
        XCTAssertEqual(s.count, 62)
        XCTAssertEqual(try Bech32.decode(s).data, [UInt8](repeating: 0, count: 32))
    }

    func testMixedCaseRefused() throws {
        assertAgeError(.key) { try Bech32.decode("A12uEL5L") }
        let s = Bech32.encode(hrp: "age", data: Array(0..<32))
        var mixed = Array(s)
        mixed[10] = Character(mixed[10].uppercased())
        XCTAssertNotEqual(String(mixed), s)
        let e = assertAgeError(.key) { try Bech32.decode(String(mixed)) }
        XCTAssertEqual(e?.message, "mixed-case Bech32 string")
    }

    func testBadChecksumRefused() throws {
        let s = Bech32.encode(hrp: "age", data: Array(0..<32))
        // Change each position of the data part in turn; Bech32 detects every single substitution.
        let chars = Array(s)
        for i in 4..<chars.count {
            var c = chars
            c[i] = c[i] == "q" ? "p" : "q"
            let e = assertAgeError(.key, "position \(i)") { try Bech32.decode(String(c)) }
            XCTAssertEqual(e?.message, "invalid Bech32 checksum", "position \(i)")
        }
        // BIP 173 invalid vectors.
        assertAgeError(.key) { try Bech32.decode("A1G7SGD8") }   // checksum computed with uppercase HRP
        assertAgeError(.key) { try Bech32.decode("10a06t8") }    // empty HRP
        assertAgeError(.key) { try Bech32.decode("1qzzfhee") }   // empty HRP
        assertAgeError(.key) { try Bech32.decode("x1b4n0q5v") }  // invalid data character
        assertAgeError(.key) { try Bech32.decode("li1dgmt3") }   // checksum too short
        assertAgeError(.key) { try Bech32.decode("pzry9x0s0muk") } // no separator
        assertAgeError(.key) { try Bech32.decode("de1lg7wt\u{7f}") } // invalid character
        assertAgeError(.key) { try Bech32.decode("") }
    }

    func testLongStringsAccepted() throws {
        // age's post-quantum keys exceed BIP 173's 90-character limit; this decoder has no limit.
        for count in [57, 100, 1000, 1216] {
            let data = (0..<count).map { UInt8(($0 * 13) & 0xff) }
            let s = Bech32.encode(hrp: "age1pq", data: data)
            XCTAssertGreaterThan(s.count, 90)
            XCTAssertEqual(try Bech32.decode(s).data, data, "count \(count)")
            XCTAssertEqual(try Bech32.decode(s).hrp, "age1pq")
        }
        // BIP 173's "overall max length exceeded" vector (a valid checksum, 91 characters).
        let long = "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx"
        XCTAssertEqual(long.count, 91)
        XCTAssertEqual(try Bech32.decode(long).hrp, "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio")
    }

    /// An independent BIP 173 encoder from 5-bit values, to craft strings with bad padding.
    static func encodeValues(hrp: String, values: [UInt8]) -> String {
        let charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
        func polymod(_ v: [UInt8]) -> UInt32 {
            let g: [UInt32] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
            var chk: UInt32 = 1
            for x in v {
                let b = chk >> 25
                chk = ((chk & 0x1ffffff) << 5) ^ UInt32(x)
                for i in 0..<5 where (b >> i) & 1 == 1 { chk ^= g[i] }
            }
            return chk
        }
        let h = Array(hrp.utf8)
        let expanded = h.map { $0 >> 5 } + [0] + h.map { $0 & 31 }
        let pm = polymod(expanded + values + [0, 0, 0, 0, 0, 0]) ^ 1
        let check = (0..<6).map { UInt8((pm >> (5 * (5 - UInt32($0)))) & 31) }
        return hrp + "1" + String(decoding: (values + check).map { charset[Int($0)] }, as: UTF8.self)
    }

    func testPaddingRules() throws {
        // The independent encoder agrees with Bech32.encode.
        XCTAssertEqual(Self.encodeValues(hrp: "a", values: [0, 0]), Bech32.encode(hrp: "a", data: [0]))
        XCTAssertEqual(try Bech32.decode(Self.encodeValues(hrp: "a", values: [0, 0])).data, [0])
        // 10 bits for 1 byte: the 2 padding bits must be zero.
        let e1 = assertAgeError(.key) { try Bech32.decode(Self.encodeValues(hrp: "a", values: [0, 1])) }
        XCTAssertEqual(e1?.message, "invalid Bech32 padding")
        // 15 bits: 7 leftover bits is more than padding (>= 5 bits).
        let e2 = assertAgeError(.key) { try Bech32.decode(Self.encodeValues(hrp: "a", values: [0, 0, 0])) }
        XCTAssertEqual(e2?.message, "invalid Bech32 padding")
    }
}
