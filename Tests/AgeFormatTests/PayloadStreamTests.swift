import Foundation
import XCTest
@testable import AgeFormat

/// STREAM: serial and batched/parallel configurations must produce identical payloads and decrypt
/// each other's output; a bad chunk releases exactly the chunks before it.
final class PayloadStreamTests: XCTestCase {
    static let chunk = PayloadStream.chunkSize
    static let fileKey = SecureBytes((0..<16).map { UInt8($0 &* 7 &+ 1) })
    static let nonce: [UInt8] = (0..<16).map { UInt8(0xA0 &+ $0) }
    static var payloadKey: SecureBytes { PayloadStream.payloadKey(fileKey: fileKey, nonce: nonce) }

    static let serial = PayloadStream(chunksPerBatch: 1, parallelism: 1)
    static let parallelConfigs = [
        PayloadStream(chunksPerBatch: 3, parallelism: 2),
        PayloadStream(chunksPerBatch: 2, parallelism: 2),
        PayloadStream(chunksPerBatch: 3, parallelism: 1),
    ]

    static let sizes: [Int] = {
        var s = [0, 1, 65535, 65536, 65537, 2 * 65536, 2 * 65536 + 1]
        for batch in [2, 3] { s += [batch * 65536 - 1, batch * 65536, batch * 65536 + 1] }
        return Array(Set(s)).sorted()
    }()

    func encrypt(_ plaintext: [UInt8], _ stream: PayloadStream) throws -> [UInt8] {
        var source = ArraySource(plaintext)
        var sink = ArraySink()
        try stream.encrypt(from: &source, to: &sink, payloadKey: Self.payloadKey)
        return sink.bytes
    }

    /// Decrypts `payload`; with `sizedTo`, as an in-memory value whose buffer holds at most that many bytes.
    func decrypt(_ payload: [UInt8], _ stream: PayloadStream, sizedTo bound: Int = .max) -> (AgeError?, [UInt8]) {
        var source = ArraySource(payload)
        var sink = ArraySink()
        do {
            try stream.decrypt(from: &source, to: &sink, payloadKey: Self.payloadKey, maxPayloadBytes: bound)
            return (nil, sink.bytes)
        } catch let e as AgeError {
            return (e, sink.bytes)
        } catch {
            return (AgeError(.usage, "\(error)"), sink.bytes)
        }
    }

    /// The expected payload length: full chunks plus one final chunk (an empty payload is one chunk).
    static func payloadLength(_ n: Int) -> Int {
        let chunks = max(1, (n + chunk - 1) / chunk)
        return n + chunks * 16
    }

    func config(_ s: PayloadStream) -> String { "chunksPerBatch \(s.chunksPerBatch), parallelism \(s.parallelism)" }

    func testEncryptionIsIdenticalAcrossConfigurations() throws {
        for size in Self.sizes {
            let plaintext = plaintextStream(size)
            let reference = try encrypt(plaintext, Self.serial)
            XCTAssertEqual(reference.count, Self.payloadLength(size), "size \(size)")
            for p in Self.parallelConfigs {
                let other = try encrypt(plaintext, p)
                XCTAssertEqual(other.count, reference.count, "size \(size), \(config(p))")
                XCTAssertTrue(other == reference, "size \(size): \(config(p)) payload differs from the serial one")
            }
        }
    }

    /// An in-memory plaintext is sealed straight into the output: the same bytes as the serial
    /// stream at every chunk and batch edge, appended after what the output already holds.
    func testInMemoryEncryptionMatchesTheStream() throws {
        let prefix: [UInt8] = Array("header".utf8)
        for size in Self.sizes {
            let plaintext = plaintextStream(size)
            let reference = try encrypt(plaintext, Self.serial)
            for p in [Self.serial] + Self.parallelConfigs {
                var out = prefix
                plaintext.withUnsafeBytes { p.encrypt($0, appendingTo: &out, payloadKey: Self.payloadKey) }
                XCTAssertEqual(out.count, prefix.count + reference.count, "size \(size), \(config(p))")
                XCTAssertTrue(out == prefix + reference, "size \(size): \(config(p)) in-memory payload differs from the stream's")
            }
        }
    }

    /// Serial-encrypted payloads decrypt with every configuration and vice versa.
    func testRoundTripAndCrossDecryption() throws {
        for size in Self.sizes {
            let plaintext = plaintextStream(size)
            for enc in [Self.serial] + Self.parallelConfigs {
                let payload = try encrypt(plaintext, enc)
                for dec in [Self.serial] + Self.parallelConfigs {
                    let (error, out) = decrypt(payload, dec)
                    XCTAssertNil(error, "size \(size): encrypted with \(config(enc)), decrypted with \(config(dec)): \(error?.message ?? "")")
                    XCTAssertEqual(out.count, size, "size \(size): enc \(config(enc)), dec \(config(dec))")
                    XCTAssertTrue(out == plaintext, "size \(size): enc \(config(enc)), dec \(config(dec)): plaintext differs")
                }
            }
        }
    }

    /// In-memory values get one buffer sized to the value: the same plaintext at every chunk and
    /// batch edge, and the same refusals of truncated and extended payloads.
    func testBufferSizedToTheValue() throws {
        for size in Self.sizes {
            let plaintext = plaintextStream(size)
            let payload = try encrypt(plaintext, Self.serial)
            for dec in [Self.serial] + Self.parallelConfigs {
                let (error, out) = decrypt(payload, dec, sizedTo: payload.count)
                XCTAssertNil(error, "size \(size), \(config(dec)): \(error?.message ?? "")")
                XCTAssertTrue(out == plaintext, "size \(size), \(config(dec)): plaintext differs")
                let extended = payload + [0]
                XCTAssertEqual(decrypt(extended, dec, sizedTo: extended.count).0?.kind, .payload, "size \(size) + 1 byte")
                let cut = Array(payload.dropLast())
                XCTAssertEqual(decrypt(cut, dec, sizedTo: cut.count).0?.kind, .payload, "size \(size) - 1 byte")
            }
        }
        // Whole files through the one-shot API, binary and armored.
        let id = X25519Identity.generate()
        for size in [0, 1, Self.chunk, Self.chunk + 1, 33 * Self.chunk] {
            for armored in [false, true] {
                let plaintext = plaintextStream(size)
                let file = try Encryptor(recipients: [id.x25519Recipient], armored: armored).encrypt(plaintext)
                XCTAssertTrue(try Decryptor(identities: [id]).decrypt(file) == plaintext, "size \(size), armored \(armored)")
            }
        }
    }

    /// Minimal reproduction: a payload whose final chunk is full (plaintext a non-zero multiple of
    /// 64 KiB) must decrypt. age writes such files for every size that is a multiple of 65536.
    func testFullSizeFinalChunkDecrypts() throws {
        let plaintext = plaintextStream(65536)
        let payload = try encrypt(plaintext, Self.serial)
        XCTAssertEqual(payload.count, 65536 + 16)
        let (error, out) = decrypt(payload, Self.serial)
        XCTAssertNil(error, "a single full final chunk: \(error?.message ?? "")")
        XCTAssertEqual(out.count, 65536)
    }

    /// A corrupted byte in chunk k of a 5-chunk payload: exactly k full chunks are released, then .payload.
    func testBadTagReleasesExactlyEarlierChunks() throws {
        let size = 4 * Self.chunk + 1000
        let plaintext = plaintextStream(size)
        let payload = try encrypt(plaintext, Self.serial)
        XCTAssertEqual(payload.count, size + 5 * 16)
        for k in 0..<5 {
            for offsetInChunk in [0, 100, 999 + 16 /* the last chunk's tag, or ciphertext in full chunks */] {
                var damaged = payload
                damaged[k * PayloadStream.encryptedChunkSize + offsetInChunk] ^= 0x01
                for dec in [Self.serial] + Self.parallelConfigs {
                    let (error, out) = decrypt(damaged, dec)
                    XCTAssertEqual(error?.kind, .payload, "chunk \(k) +\(offsetInChunk), \(config(dec))")
                    XCTAssertEqual(out.count, k * Self.chunk, "chunk \(k) +\(offsetInChunk), \(config(dec)): released bytes")
                    XCTAssertTrue(out[...] == plaintext.prefix(out.count), "chunk \(k), \(config(dec)): released bytes are not the plaintext")
                }
            }
        }
    }

    /// A flipped byte in the tag of the final chunk (1000 plaintext bytes) releases the four full chunks.
    func testBadFinalTag() throws {
        let size = 4 * Self.chunk + 1000
        let plaintext = plaintextStream(size)
        var payload = try encrypt(plaintext, Self.serial)
        payload[payload.count - 1] ^= 0x80
        for dec in [Self.serial] + Self.parallelConfigs {
            let (error, out) = decrypt(payload, dec)
            XCTAssertEqual(error?.kind, .payload, config(dec))
            XCTAssertEqual(out.count, 4 * Self.chunk, config(dec))
        }
    }

    /// Swapping two chunks fails at the first swapped chunk (chunk indices are bound into the nonce).
    func testReorderedChunksFail() throws {
        let size = 4 * Self.chunk + 1000
        let payload = try encrypt(plaintextStream(size), Self.serial)
        let e = PayloadStream.encryptedChunkSize
        var swapped = payload
        swapped.replaceSubrange(e..<(2 * e), with: payload[(2 * e)..<(3 * e)])
        swapped.replaceSubrange((2 * e)..<(3 * e), with: payload[e..<(2 * e)])
        for dec in [Self.serial] + Self.parallelConfigs {
            let (error, out) = decrypt(swapped, dec)
            XCTAssertEqual(error?.kind, .payload, config(dec))
            XCTAssertEqual(out.count, Self.chunk, config(dec))
        }
    }

    /// Dropping the final chunk entirely (stream cut at a chunk boundary) is a payload failure; the
    /// full chunks authenticated as non-final are released, as age does.
    func testTruncatedAtChunkBoundary() throws {
        let size = 4 * Self.chunk + 1000
        let payload = try encrypt(plaintextStream(size), Self.serial)
        let cut = Array(payload.prefix(4 * PayloadStream.encryptedChunkSize))
        for dec in [Self.serial] + Self.parallelConfigs {
            let (error, out) = decrypt(cut, dec)
            XCTAssertEqual(error?.kind, .payload, config(dec))
            XCTAssertEqual(out.count, 4 * Self.chunk, config(dec))
        }
        // Cutting inside the final chunk's tag, or leaving fewer than 16 bytes of it.
        for keep in [1, 15, 16 + 999] {
            let partial = Array(payload.prefix(4 * PayloadStream.encryptedChunkSize + keep))
            for dec in [Self.serial] + Self.parallelConfigs {
                let (error, out) = decrypt(partial, dec)
                XCTAssertEqual(error?.kind, .payload, "keep \(keep), \(config(dec))")
                XCTAssertEqual(out.count, 4 * Self.chunk, "keep \(keep), \(config(dec))")
            }
        }
        // No payload at all.
        XCTAssertEqual(decrypt([], Self.serial).0?.kind, .payload)
    }

    /// Data after the final chunk is refused.
    func testTrailingDataAfterFinalChunk() throws {
        for size in [0, 1000, 2 * Self.chunk + 5] {
            let payload = try encrypt(plaintextStream(size), Self.serial) + [0x00]
            for dec in [Self.serial] + Self.parallelConfigs {
                XCTAssertEqual(decrypt(payload, dec).0?.kind, .payload, "size \(size), \(config(dec))")
            }
        }
    }

    /// A non-empty payload must not end with an empty final chunk.
    func testEmptyFinalChunkAfterDataIsRefused() throws {
        // Build chunk 0 as a full non-final chunk and chunk 1 as an empty final chunk by hand.
        let plaintext = plaintextStream(Self.chunk)
        var buffer = plaintext + [UInt8](repeating: 0, count: 16)
        var emptyLast = [UInt8](repeating: 0, count: 16)
        Self.payloadKey.withUnsafeBytes { k in
            let key = k.baseAddress!.assumingMemoryBound(to: UInt8.self)
            buffer.withUnsafeMutableBufferPointer {
                PayloadStream.sealChunk(key: key, index: 0, last: false, data: $0.baseAddress!, count: Self.chunk)
            }
            emptyLast.withUnsafeMutableBufferPointer {
                PayloadStream.sealChunk(key: key, index: 1, last: true, data: $0.baseAddress!, count: 0)
            }
        }
        for dec in [Self.serial] + Self.parallelConfigs {
            let (error, _) = decrypt(buffer + emptyLast, dec)
            XCTAssertEqual(error?.kind, .payload, config(dec))
        }
    }

    /// The last-chunk flag and the counter are bound: the final chunk of a 1-chunk payload sealed as
    /// non-final is refused.
    func testFinalChunkWithoutLastFlagIsRefused() throws {
        var buffer = plaintextStream(100) + [UInt8](repeating: 0, count: 16)
        Self.payloadKey.withUnsafeBytes { k in
            buffer.withUnsafeMutableBufferPointer {
                PayloadStream.sealChunk(key: k.baseAddress!.assumingMemoryBound(to: UInt8.self), index: 0, last: false,
                                        data: $0.baseAddress!, count: 100)
            }
        }
        XCTAssertEqual(decrypt(buffer, Self.serial).0?.kind, .payload)
    }

    /// Encrypting and decrypting through file descriptors (a pipe-free temp file) works in both configurations.
    func testFileDescriptorStreams() throws {
        let dir = try makeTempDir(self)
        let size = 3 * Self.chunk + 17
        let plaintext = plaintextStream(size)
        let plainURL = dir.appendingPathComponent("plain"), encURL = dir.appendingPathComponent("enc")
        let outURL = dir.appendingPathComponent("out")
        try Data(plaintext).write(to: plainURL)
        let identity = X25519Identity.generate()
        for (enc, dec) in [(Self.serial, Self.parallelConfigs[0]), (Self.parallelConfigs[0], Self.serial)] {
            let inFD = open(plainURL.path, O_RDONLY)
            let encFD = open(encURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            XCTAssertGreaterThanOrEqual(inFD, 0); XCTAssertGreaterThanOrEqual(encFD, 0)
            var sink = FileDescriptorSink(fd: encFD, name: "enc")
            try Encryptor(recipients: [identity.x25519Recipient], stream: enc)
                .encrypt(from: FileDescriptorSource(fd: inFD, name: "plain"), to: &sink)
            close(inFD); close(encFD)
            let readFD = open(encURL.path, O_RDONLY)
            let outFD = open(outURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            var outSink = FileDescriptorSink(fd: outFD, name: "out")
            try Decryptor(identities: [identity], stream: dec)
                .decrypt(from: FileDescriptorSource(fd: readFD, name: "enc"), to: &outSink)
            close(readFD); close(outFD)
            XCTAssertEqual([UInt8](try Data(contentsOf: outURL)), plaintext)
        }
    }
}
