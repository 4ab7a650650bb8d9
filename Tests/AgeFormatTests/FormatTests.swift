import Foundation
import XCTest
@testable import AgeFormat

/// Header encoding and parsing, armor, one-shot encryption, recipient rules and limits.
final class FormatTests: XCTestCase {
    static let scryptWorkFactor = 10

    func parseHeader(_ bytes: [UInt8], limits: Limits = .default) throws -> (Header, rest: [UInt8]) {
        var source = BufferedSource(ArraySource(bytes))
        let header = try Header.parse(from: &source, limits: limits)
        var rest = [UInt8](repeating: 0, count: bytes.count)
        let n = try rest.withUnsafeMutableBytes { try source.readFull(into: $0) }
        return (header, Array(rest.prefix(n)))
    }

    // MARK: header

    func testHeaderEncodeParseRoundTrip() throws {
        let fileKey = SecureBytes((0..<16).map { UInt8($0) })
        let stanzas = [
            Stanza(type: "X25519", arguments: ["abc"], body: []),
            Stanza(type: "test-grease", arguments: ["a", "b!", "~c"], body: [1]),
            Stanza(type: "t", arguments: [], body: Array(repeating: 0xAB, count: 47)),
            Stanza(type: "t", arguments: [], body: Array(repeating: 0xCD, count: 48)),  // exactly one full line
            Stanza(type: "t", arguments: [], body: Array(repeating: 0xEF, count: 49)),
            Stanza(type: "t", arguments: [], body: Array(repeating: 0x01, count: 96)),  // two full lines
        ]
        let header = Header(stanzas: stanzas, fileKey: fileKey)
        let encoded = header.encoded()
        let text = String(decoding: encoded, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("age-encryption.org/v1\n-> X25519 abc\n\n-> test-grease a b! ~c\nAQ\n"))
        // A 48-byte body is a full 64-column line followed by an empty line.
        XCTAssertTrue(text.contains("-> t\n" + String(repeating: "zc3N", count: 16) + "\n\n"), text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(lines.allSatisfy { $0.count <= 64 })
        XCTAssertTrue(lines[lines.count - 2].hasPrefix("--- "))
        XCTAssertEqual(lines[lines.count - 2].count, 47)
        XCTAssertEqual(lines.last, "")
        let (parsed, rest) = try parseHeader(encoded + [9, 9, 9])
        XCTAssertEqual(parsed.stanzas, stanzas)
        XCTAssertEqual(parsed.mac, header.mac)
        XCTAssertEqual(parsed.encoded(), encoded)
        XCTAssertTrue(parsed.verifyMAC(fileKey: fileKey))
        XCTAssertFalse(parsed.verifyMAC(fileKey: SecureBytes(Array(repeating: 0, count: 16))))
        XCTAssertEqual(rest, [9, 9, 9], "the parser must stop right after the MAC line")
    }

    func testUnpaddedBase64IsStrictAndCanonical() {
        func decode(_ s: String) -> [UInt8]? { UnpaddedBase64.decode(Array(s.utf8)) }
        XCTAssertEqual(decode(""), [])
        XCTAssertEqual(decode("QQ"), [0x41])
        XCTAssertEqual(decode("QUI"), [0x41, 0x42])
        XCTAssertEqual(decode("QUJD"), [0x41, 0x42, 0x43])
        XCTAssertEqual(decode("+/+/"), [0xfb, 0xff, 0xbf])
        for bad in ["QR", "QUJ", "Q", "QQ==", "QQ=", "QU JD", "QU-D", "QU_D", "QUJD\n", " QQ"] {
            XCTAssertNil(decode(bad), "\"\(bad)\" must be rejected")
        }
        for count in 0...70 {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let text = UnpaddedBase64.encode(bytes)
            XCTAssertEqual(text, Data(bytes).base64EncodedString().replacingOccurrences(of: "=", with: ""))
            XCTAssertEqual(decode(text), bytes)
        }
    }

    /// Exactly the 64 alphabet bytes decode: every other byte, the 128 high bytes included (which
    /// libsodium 1.0.18 alone would take for "/"), is refused.
    func testBase64RefusesEveryByteOutsideTheAlphabet() {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for byte in UInt8.min...UInt8.max {
            let text: [UInt8] = [0x2b, byte, 0x2b, 0x2f]
            XCTAssertEqual(UnpaddedBase64.decode(text) != nil, alphabet.contains(byte), "byte \(byte)")
            XCTAssertEqual(Sodium.base64Decode(UnsafeRawBufferPointer(start: text, count: 4), padded: true) != nil,
                           alphabet.contains(byte), "byte \(byte), padded")
        }
    }

    /// A high byte in place of "/" in the MAC line, a stanza body or an armor line is refused, as
    /// age refuses it; nothing decrypts from such a file.
    func testHighByteInPlaceOfSlashIsRefused() throws {
        let id = X25519Identity.generate()
        func mutated(_ file: [UInt8], after marker: String) -> [UInt8]? {
            let m = Array(marker.utf8)
            guard let start = (0...(file.count - m.count)).first(where: { Array(file[$0..<($0 + m.count)]) == m }),
                  let slash = file[(start + m.count)...].firstIndex(of: 0x2f),
                  !file[(start + m.count)..<slash].contains(0x0a) else { return nil }
            var copy = file
            copy[slash] = 0xaf
            return copy
        }
        var checked: Set<String> = []
        for _ in 0..<200 where checked.count < 3 {
            let binary = try Encryptor(recipients: [id.x25519Recipient]).encrypt(Array("hello".utf8))
            XCTAssertEqual(try Decryptor(identities: [id]).decrypt(binary), Array("hello".utf8))
            for (marker, kind) in [("\n--- ", AgeError.Kind.header), ("\n-> X25519 ", .header)] {
                guard let bad = mutated(binary, after: marker) else { continue }
                XCTAssertThrowsError(try Decryptor(identities: [id]).decrypt(bad), marker) { XCTAssertEqual(($0 as? AgeError)?.kind, kind) }
                checked.insert(marker)
            }
            // Any slash in the armored lines (the header's lines are ASCII text, whose base64
            // rarely has one, so the payload's usually provides it).
            var armored = try Encryptor(recipients: [id.x25519Recipient], armored: true).encrypt(Array("hello".utf8))
            let body = (armored.firstIndex(of: 0x0a)! + 1)..<(armored.count - "-----END AGE ENCRYPTED FILE-----\n".utf8.count)
            if let slash = armored[body].firstIndex(of: 0x2f) {
                armored[slash] = 0xaf
                let bad = armored
                XCTAssertThrowsError(try Decryptor(identities: [id]).decrypt(bad)) { XCTAssertEqual(($0 as? AgeError)?.kind, .armor) }
                checked.insert("armor")
            }
        }
        XCTAssertEqual(checked.count, 3, "no file had a slash where the test needs one: \(checked)")
    }

    /// readToEnd collects every byte from a source that gives a few at a time, well past its
    /// 16 KiB read buffer (the result is regrown by copying, the old copy wiped).
    func testReadToEndWithShortReads() throws {
        struct Trickle: ByteSource {
            let bytes: [UInt8]
            var offset = 0
            mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
                let n = min(buffer.count, 1000, bytes.count - offset)
                for i in 0..<n { buffer[i] = bytes[offset + i] }
                offset += n
                return n
            }
        }
        for size in [0, 1, 999, 16 * 1024, 16 * 1024 + 1, 100_003] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            var source = Trickle(bytes: bytes)
            XCTAssertEqual(try source.readToEnd(), bytes, "size \(size)")
            var whole = ArraySource(bytes)
            XCTAssertEqual(try whole.readToEnd(), bytes, "size \(size), whole reads")
        }
    }

    func testHeaderOfEncryptedFileRoundTrips() throws {
        let ids = (0..<3).map { _ in X25519Identity.generate() }
        let plaintext = plaintextStream(1000)
        let ciphertext = try Encryptor(recipients: ids.map(\.x25519Recipient)).encrypt(plaintext)
        let (header, rest) = try parseHeader(ciphertext)
        XCTAssertEqual(header.stanzas.count, 3)
        for s in header.stanzas {
            XCTAssertEqual(s.type, "X25519")
            XCTAssertEqual(s.arguments.count, 1)
            XCTAssertEqual(UnpaddedBase64.decode(Array(s.arguments[0].utf8))?.count, 32)
            XCTAssertEqual(s.body.count, 32)
        }
        XCTAssertTrue(ciphertext.starts(with: header.encoded()))
        XCTAssertEqual(header.encoded().count + rest.count, ciphertext.count)
        XCTAssertEqual(rest.count, 16 + 1000 + 16, "nonce, one chunk and its tag")
        // The header MAC verifies with the file key any of the identities unwraps.
        for id in ids {
            var source = BufferedSource(ArraySource(ciphertext))
            let fileKey = try Decryptor(identities: [id]).openHeader(from: &source)
            XCTAssertEqual(fileKey.count, 16)
            XCTAssertTrue(header.verifyMAC(fileKey: fileKey))
        }
        // Changing any stanza byte is caught (MAC or unwrap), and changing the MAC is an HMAC failure.
        var flipped = ciphertext
        let macStart = header.encoded().count - 44
        flipped[macStart + 5] = flipped[macStart + 5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let (e, released) = decryptCollecting(Decryptor(identities: [ids[0]]), flipped)
        XCTAssertTrue(e?.kind == .hmac || e?.kind == .header, "\(String(describing: e))")
        XCTAssertEqual(released, [])
    }

    func testHeaderParseRefusals() throws {
        let key = SecureBytes(Array(repeating: 1, count: 16))
        let good = String(decoding: Header(stanzas: [Stanza(type: "x", arguments: ["y"], body: [1, 2, 3])], fileKey: key).encoded(), as: UTF8.self)
        XCTAssertNoThrow(try parseHeader(Array(good.utf8)))
        let cases: [(String, String)] = [
            ("", "empty"),
            ("age-encryption.org/v2\n", "version"),
            ("age-encryption.org/v1", "no LF"),
            (good.replacingOccurrences(of: "-> x y\n", with: "-> x  y\n"), "empty argument"),
            (good.replacingOccurrences(of: "-> x y\n", with: "->x y\n"), "no space"),
            (good.replacingOccurrences(of: "-> x y\n", with: "-> \n"), "no type"),
            (good.replacingOccurrences(of: "AQID\n", with: "AQID=\n"), "padded body"),
            (good.replacingOccurrences(of: "AQID\n", with: "AQIDBB\n"), "non-canonical body (non-zero trailing bits)"),
            (good.replacingOccurrences(of: "AQID\n", with: String(repeating: "A", count: 64) + "\n"), "full final body line with no short line"),
            (String(good.dropLast(2)) + "\n", "short MAC"),
            (good.replacingOccurrences(of: "\n---", with: "\r\n---"), "CR"),
            (good.replacingOccurrences(of: "--- ", with: "---"), "MAC without space"),
        ]
        for (text, what) in cases {
            assertAgeError(.header, what) { try parseHeader(Array(text.utf8)) }
        }
    }

    // MARK: armor

    func armor(_ bytes: [UInt8]) throws -> [UInt8] {
        var sink = ArmorSink(ArraySink())
        // Write in uneven pieces to exercise the line buffering.
        var i = 0, step = 1
        while i < bytes.count {
            let end = min(bytes.count, i + step)
            try bytes[i..<end].withUnsafeBytes { try sink.write($0) }
            i = end
            step = step * 3 % 97 + 1
        }
        return try sink.finish().bytes
    }

    func testArmorLayout() throws {
        for size in [0, 1, 2, 3, 47, 48, 49, 95, 96, 97, 1000] {
            let data = plaintextStream(size)
            let text = String(decoding: try armor(data), as: UTF8.self)
            XCTAssertTrue(text.hasSuffix("-----END AGE ENCRYPTED FILE-----\n"), "size \(size)")
            XCTAssertFalse(text.contains("\r"))
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            XCTAssertEqual(lines.removeLast(), "", "ends with one LF")
            XCTAssertEqual(lines.first, "-----BEGIN AGE ENCRYPTED FILE-----")
            XCTAssertEqual(lines.last, "-----END AGE ENCRYPTED FILE-----")
            let body = lines.dropFirst().dropLast()
            XCTAssertEqual(body.count, (size + 47) / 48, "size \(size): number of body lines")
            for (n, line) in body.enumerated() {
                if n < body.count - 1 {
                    XCTAssertEqual(line.count, 64, "size \(size): line \(n) must be 64 columns")
                } else {
                    let lastBytes = size - 48 * (body.count - 1)
                    XCTAssertEqual(line.count, (lastBytes + 2) / 3 * 4, "size \(size): final line")
                }
            }
            XCTAssertEqual([UInt8](Data(base64Encoded: body.joined())!), data, "size \(size)")
        }
    }

    func testArmoredRoundTrip() throws {
        let id = X25519Identity.generate()
        for size in [0, 1, 1000, 65536, 65537, 150_000] {
            let plaintext = plaintextStream(size)
            let armored = try Encryptor(recipients: [id.x25519Recipient], armored: true).encrypt(plaintext)
            let text = String(decoding: armored, as: UTF8.self)
            XCTAssertTrue(text.hasPrefix("-----BEGIN AGE ENCRYPTED FILE-----\n"))
            XCTAssertTrue(text.hasSuffix("\n-----END AGE ENCRYPTED FILE-----\n"))
            let lines = text.split(separator: "\n")
            XCTAssertTrue(lines.dropFirst().dropLast().dropLast().allSatisfy { $0.count == 64 }, "size \(size)")
            XCTAssertLessThanOrEqual(lines[lines.count - 2].count, 64)
            let d = Decryptor(identities: [id])
            let (e1, out1) = decryptCollecting(d, armored, armor: .detect)
            XCTAssertNil(e1, "size \(size): \(e1?.message ?? "")"); XCTAssertTrue(out1 == plaintext, "size \(size)")
            let (e2, out2) = decryptCollecting(d, armored, armor: .required)
            XCTAssertNil(e2, "size \(size): \(e2?.message ?? "")"); XCTAssertTrue(out2 == plaintext, "size \(size)")
            // CRLF line endings and surrounding whitespace are accepted.
            let crlf = Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
            XCTAssertTrue(decryptCollecting(d, crlf).1 == plaintext, "size \(size): CRLF")
            XCTAssertNil(decryptCollecting(d, crlf).0, "size \(size): CRLF")
            XCTAssertNil(decryptCollecting(d, Array("\n \t\r\n".utf8) + armored + Array("\n\n  ".utf8)).0, "size \(size): whitespace")
            // Armored input is refused in binary mode; binary input is refused when armor is required.
            XCTAssertEqual(decryptCollecting(d, armored, armor: .none).0?.kind, .header)
            let binary = try Encryptor(recipients: [id.x25519Recipient]).encrypt(plaintext)
            XCTAssertEqual(decryptCollecting(d, binary, armor: .required).0?.kind, .armor)
        }
    }

    /// Every final-line length (the binary file length modulo 48), including a full 64-column final line.
    func testArmorEveryFinalLineLength() throws {
        let id = X25519Identity.generate()
        // One-chunk batches: the default 32-chunk buffer is slow to allocate in debug builds.
        let stream = PayloadStream(chunksPerBatch: 1, parallelism: 1)
        var residues = Set<Int>()
        for size in 100..<148 {
            let plaintext = plaintextStream(size)
            let binaryLength = try Encryptor(recipients: [id.x25519Recipient], stream: stream).encrypt(plaintext).count
            residues.insert(binaryLength % 48)
            let armored = try Encryptor(recipients: [id.x25519Recipient], armored: true, stream: stream).encrypt(plaintext)
            let lines = String(decoding: armored, as: UTF8.self).split(separator: "\n")
            XCTAssertEqual(lines.count, 2 + (binaryLength + 47) / 48, "size \(size)")
            XCTAssertEqual(lines[lines.count - 2].count, binaryLength % 48 == 0 ? 64 : ((binaryLength % 48) + 2) / 3 * 4, "size \(size)")
            let (e, out) = decryptCollecting(Decryptor(identities: [id], stream: stream), armored, armor: .required)
            XCTAssertNil(e, "size \(size): \(e?.message ?? "")")
            XCTAssertTrue(out == plaintext, "size \(size)")
        }
        XCTAssertEqual(residues.count, 48, "one X25519 recipient gives a fixed header length, so 48 sizes cover every residue")
    }

    func testArmorRefusals() throws {
        let id = X25519Identity.generate()
        let armored = String(decoding: try Encryptor(recipients: [id.x25519Recipient], armored: true).encrypt(plaintextStream(500)), as: UTF8.self)
        let d = Decryptor(identities: [id])
        var lines = armored.split(separator: "\n").map(String.init)
        func check(_ text: String, _ what: String) {
            let (e, released) = decryptCollecting(d, Array(text.utf8), armor: .required)
            XCTAssertEqual(e?.kind, .armor, "\(what): \(e?.message ?? "success")")
            XCTAssertTrue(released.isEmpty || released.count <= 500, what)
        }
        check(armored + "garbage\n", "data after the end line")
        check(String(armored.dropLast("-----END AGE ENCRYPTED FILE-----\n".count)), "no end line")
        check(armored.replacingOccurrences(of: "BEGIN AGE ENCRYPTED FILE", with: "BEGIN AGE FILE"), "wrong begin line")
        check(armored.replacingOccurrences(of: "END AGE ENCRYPTED FILE", with: "END AGE FILE"), "wrong end line")
        let joined = lines[1] + lines[2]
        check(([lines[0], joined] + lines[3...]).joined(separator: "\n") + "\n", "128-column line")
        lines[1].removeLast(4)
        check(lines.joined(separator: "\n") + "\n", "short line in the middle")
        check(String(repeating: " ", count: 2000) + armored, "too much leading whitespace")
    }

    /// Whitespace around the armor, as age's armor reader has it: whole lines of it before BEGIN
    /// (at most 1,024 bytes), less than 1,024 bytes after END, a CR ending the END line even
    /// without an LF; never whitespace on the BEGIN line itself.
    func testArmorSurroundingWhitespace() throws {
        let id = X25519Identity.generate()
        let plaintext = plaintextStream(500)
        let armored = String(decoding: try Encryptor(recipients: [id.x25519Recipient], armored: true).encrypt(plaintext), as: UTF8.self)
        let d = Decryptor(identities: [id])
        for (text, what) in [("\n \t\r\n" + armored, "whitespace lines before"),
                             (String(repeating: "\n", count: 1024) + armored, "1,024 bytes before"),
                             (armored + String(repeating: " ", count: 1023), "1,023 bytes after"),
                             ("\u{0B}\u{0C}\n" + armored + "\u{0B}\u{0C}", "vertical tab and form feed, as age trims them"),
                             (String(armored.dropLast()) + "\r", "END line ending in CR alone"),
                             (armored.replacingOccurrences(of: "\n", with: "\r\n"), "CRLF line endings")] {
            let (e, released) = decryptCollecting(d, Array(text.utf8), armor: .required)
            XCTAssertNil(e, "\(what): \(e?.message ?? "")")
            XCTAssertEqual(released, plaintext, what)
        }
        for (text, what) in [("\t" + armored, "tab before BEGIN on its line"), ("\n  " + armored, "spaces before BEGIN on its line"),
                             (String(repeating: "\n", count: 1025) + armored, "1,025 bytes before"),
                             (armored + String(repeating: " ", count: 1024), "1,024 bytes after")] {
            XCTAssertEqual(decryptCollecting(d, Array(text.utf8), armor: .required).0?.kind, .armor, what)
        }
    }

    /// The final armor line must be canonical padded base64, on the streaming and in-memory paths.
    func testArmorFinalLineMustBeCanonical() throws {
        let id = X25519Identity.generate()
        let d = Decryptor(identities: [id])
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var paddings = Set<Int>()
        for size in 500..<503 {
            let armored = String(decoding: try Encryptor(recipients: [id.x25519Recipient], armored: true).encrypt(plaintextStream(size)), as: UTF8.self)
            let lines = armored.split(separator: "\n").map(String.init)
            let last = lines.count - 2
            let padding = lines[last].reversed().prefix { $0 == "=" }.count
            paddings.insert(padding)
            guard padding > 0 else { continue }
            func refuse(_ line: String, _ what: String) {
                var edited = lines
                edited[last] = line
                let text = Array((edited.joined(separator: "\n") + "\n").utf8)
                XCTAssertEqual(decryptCollecting(d, text).0?.kind, .armor, "\(what), padding \(padding)")
                XCTAssertThrowsError(try d.decrypt(text), what) { XCTAssertEqual(($0 as? AgeError)?.kind, .armor, what) }
            }
            var chars = Array(lines[last])
            let i = chars.count - padding - 1
            chars[i] = alphabet[alphabet.firstIndex(of: chars[i])! ^ 1]
            refuse(String(chars), "non-zero trailing bits")
            refuse(String(lines[last].dropLast(padding)), "missing padding")
            refuse(lines[last] + "=", "extra padding")
        }
        XCTAssertEqual(paddings, [0, 1, 2], "three sizes give every final-line padding")
    }

    // MARK: one-shot encryption

    func testOneRecipient() throws {
        let id = X25519Identity.generate()
        for size in [0, 1, 100_000] {
            let plaintext = plaintextStream(size)
            let ciphertext = try Encryptor(recipients: [id.x25519Recipient]).encrypt(plaintext)
            XCTAssertTrue(ciphertext.starts(with: Array("age-encryption.org/v1\n-> X25519 ".utf8)))
            XCTAssertEqual(try Decryptor(identities: [id]).decrypt(ciphertext), plaintext)
            // Two encryptions of the same plaintext differ (fresh file key, ephemeral share and nonce).
            XCTAssertNotEqual(try Encryptor(recipients: [id.x25519Recipient]).encrypt(plaintext), ciphertext)
            assertAgeError(.noMatch) { try Decryptor(identities: [X25519Identity.generate()]).decrypt(ciphertext) }
            assertAgeError(.noMatch) { try Decryptor(identities: []).decrypt(ciphertext) }
        }
    }

    func testThreeRecipients() throws {
        let ids = (0..<3).map { _ in X25519Identity.generate() }
        let plaintext = plaintextStream(70_000)
        let ciphertext = try Encryptor(recipients: ids.map(\.x25519Recipient)).encrypt(plaintext)
        for id in ids {
            XCTAssertEqual(try Decryptor(identities: [id]).decrypt(ciphertext), plaintext)
            // An unrelated identity first does not prevent a later one from matching.
            XCTAssertEqual(try Decryptor(identities: [X25519Identity.generate(), id]).decrypt(ciphertext), plaintext)
        }
        assertAgeError(.noMatch) { try Decryptor(identities: [X25519Identity.generate(), X25519Identity.generate()]).decrypt(ciphertext) }
    }

    /// Enough recipients to take the parallel wrapping and unwrapping paths (>= 16 and >= 8).
    func testManyRecipients() throws {
        let ids = (0..<40).map { _ in X25519Identity.generate() }
        let plaintext = plaintextStream(3000)
        let ciphertext = try Encryptor(recipients: ids.map(\.x25519Recipient)).encrypt(plaintext)
        XCTAssertEqual(try parseHeader(ciphertext).0.stanzas.count, 40)
        for i in [0, 17, 39] {
            XCTAssertEqual(try Decryptor(identities: [ids[i]]).decrypt(ciphertext), plaintext)
        }
    }

    func testScrypt() throws {
        let recipient = try ScryptRecipient(passphrase: "pass phrase ✓", workFactor: Self.scryptWorkFactor)
        XCTAssertEqual(recipient.workFactor, Self.scryptWorkFactor)
        for size in [0, 1, 65537] {
            let plaintext = plaintextStream(size)
            let ciphertext = try Encryptor(recipients: [recipient]).encrypt(plaintext)
            let (header, _) = try parseHeader(ciphertext)
            XCTAssertEqual(header.stanzas.count, 1)
            XCTAssertEqual(header.stanzas[0].type, "scrypt")
            XCTAssertEqual(header.stanzas[0].arguments.count, 2)
            XCTAssertEqual(header.stanzas[0].arguments[1], String(Self.scryptWorkFactor))
            XCTAssertEqual(UnpaddedBase64.decode(Array(header.stanzas[0].arguments[0].utf8))?.count, 16)
            XCTAssertEqual(try Decryptor(identities: [ScryptIdentity(passphrase: "pass phrase ✓")]).decrypt(ciphertext), plaintext)
            assertAgeError(.noMatch) { try Decryptor(identities: [ScryptIdentity(passphrase: "pass phrase")]).decrypt(ciphertext) }
            // An X25519 identity does not match a passphrase file.
            assertAgeError(.noMatch) { try Decryptor(identities: [X25519Identity.generate()]).decrypt(ciphertext) }
        }
        // Empty passphrase works too.
        let empty = try Encryptor(recipients: [ScryptRecipient(passphrase: "", workFactor: Self.scryptWorkFactor)]).encrypt([1, 2, 3])
        XCTAssertEqual(try Decryptor(identities: [ScryptIdentity(passphrase: "")]).decrypt(empty), [1, 2, 3])
    }

    func testEncryptorRecipientRules() throws {
        let x = X25519Identity.generate().x25519Recipient
        let s = try ScryptRecipient(passphrase: "p", workFactor: Self.scryptWorkFactor)
        let s2 = try ScryptRecipient(passphrase: "q", workFactor: Self.scryptWorkFactor)
        XCTAssertEqual(assertAgeError(.usage) { try Encryptor(recipients: []) }?.message, "no recipients given")
        assertAgeError(.usage) { try Encryptor(recipients: [s, x]) }
        assertAgeError(.usage) { try Encryptor(recipients: [x, s]) }
        assertAgeError(.usage) { try Encryptor(recipients: [s, s2]) }
        XCTAssertNoThrow(try Encryptor(recipients: [s]))
        XCTAssertNoThrow(try Encryptor(recipients: [x, x]))
        assertAgeError(.usage) { try ScryptRecipient(passphrase: "p", workFactor: 0) }
        assertAgeError(.usage) { try ScryptRecipient(passphrase: "p", workFactor: 31) }
    }

    /// A header with an scrypt stanza next to another stanza is refused on decryption.
    func testScryptStanzaMustBeAlone() throws {
        let fileKey = SecureBytes.random(count: 16)
        let scrypt = try ScryptRecipient(passphrase: "p", workFactor: Self.scryptWorkFactor).wrap(fileKey: fileKey)
        let id = X25519Identity.generate()
        let x = try id.x25519Recipient.wrap(fileKey: fileKey)
        for stanzas in [scrypt + x, x + scrypt] {
            let nonce = [UInt8](repeating: 0, count: 16)
            var sink = ArraySink()
            var source = ArraySource([1, 2, 3])
            try PayloadStream().encrypt(from: &source, to: &sink, payloadKey: PayloadStream.payloadKey(fileKey: fileKey, nonce: nonce))
            let file = Header(stanzas: stanzas, fileKey: fileKey).encoded() + nonce + sink.bytes
            assertAgeError(.header) { try Decryptor(identities: [ScryptIdentity(passphrase: "p")]).decrypt(file) }
            assertAgeError(.header) { try Decryptor(identities: [id]).decrypt(file) }
        }
    }

    // MARK: limits

    func testMaxStanzas() throws {
        let ids = (0..<5).map { _ in X25519Identity.generate() }
        let ciphertext = try Encryptor(recipients: ids.map(\.x25519Recipient)).encrypt([42])
        XCTAssertEqual(try Decryptor(identities: [ids[4]], limits: Limits(maxStanzas: 5)).decrypt(ciphertext), [42])
        let (e, released) = decryptCollecting(Decryptor(identities: [ids[0]], limits: Limits(maxStanzas: 4)), ciphertext)
        XCTAssertEqual(e?.kind, .limit, e?.message ?? "")
        XCTAssertEqual(e?.message, "the header has more than the limit of 4 recipient stanzas")
        XCTAssertEqual(released, [])
        assertAgeError(.limit) { try Decryptor(identities: [ids[0]], limits: Limits(maxStanzas: 0)).decrypt(ciphertext) }
    }

    func testMaxHeaderBytes() throws {
        let ids = (0..<3).map { _ in X25519Identity.generate() }
        let ciphertext = try Encryptor(recipients: ids.map(\.x25519Recipient)).encrypt([42])
        let headerSize = try parseHeader(ciphertext).0.encoded().count
        XCTAssertEqual(try Decryptor(identities: [ids[2]], limits: Limits(maxHeaderBytes: headerSize)).decrypt(ciphertext), [42])
        let e = assertAgeError(.limit) { try Decryptor(identities: [ids[2]], limits: Limits(maxHeaderBytes: headerSize - 1)).decrypt(ciphertext) }
        XCTAssertEqual(e?.message, "the header is larger than the limit of \(headerSize - 1) bytes")
        assertAgeError(.limit) { try Decryptor(identities: [ids[2]], limits: Limits(maxHeaderBytes: 30)).decrypt(ciphertext) }
        // A header line with no end is refused at the limit instead of being buffered whole.
        let endless = Array("age-encryption.org/v1\n-> X25519 ".utf8) + [UInt8](repeating: UInt8(ascii: "A"), count: 200_000)
        assertAgeError(.limit) { try Decryptor(identities: [ids[0]], limits: Limits(maxHeaderBytes: 1000)).decrypt(endless) }
    }

    func testScryptWorkFactorAboveIdentityMaximumIsRefused() throws {
        let ciphertext = try Encryptor(recipients: [ScryptRecipient(passphrase: "p", workFactor: Self.scryptWorkFactor)]).encrypt([7])
        XCTAssertEqual(ScryptIdentity(passphrase: "p").maxWorkFactor, 22)
        XCTAssertEqual(try Decryptor(identities: [ScryptIdentity(passphrase: "p", maxWorkFactor: Self.scryptWorkFactor)]).decrypt(ciphertext), [7])
        let e = assertAgeError(.header) {
            try Decryptor(identities: [ScryptIdentity(passphrase: "p", maxWorkFactor: Self.scryptWorkFactor - 1)]).decrypt(ciphertext)
        }
        XCTAssertEqual(e?.message, "the scrypt work factor 10 exceeds the limit of 9; raise the limit only for files you trust")
    }

    /// `Limits.maxScryptWorkFactor` is documented as "the largest scrypt work factor accepted when
    /// decrypting", and `Decryptor` takes `limits`, so a file above it must be refused.
    func testLimitsMaxScryptWorkFactorIsEnforced() throws {
        let ciphertext = try Encryptor(recipients: [ScryptRecipient(passphrase: "p", workFactor: Self.scryptWorkFactor)]).encrypt([7])
        let (e, released) = decryptCollecting(Decryptor(identities: [ScryptIdentity(passphrase: "p")],
                                                         limits: Limits(maxScryptWorkFactor: Self.scryptWorkFactor - 1)), ciphertext)
        XCTAssertNotNil(e, "a work factor of 10 was accepted with Limits(maxScryptWorkFactor: 9)")
        XCTAssertTrue(e?.kind == .header || e?.kind == .limit, "\(String(describing: e))")
        XCTAssertEqual(released, [])
    }
}
