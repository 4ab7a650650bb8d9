import Foundation
import XCTest
@testable import AgeFormat
import SecureIO

/// How much the header reader reads: long lines in few large reads, and input that cannot be a
/// header refused after reading little of it (issue 17). Counted in read calls and bytes, not timed.
final class HeaderReadingTests: XCTestCase {
    /// Counts the read calls and bytes of the source it is shared with.
    final class Counter: @unchecked Sendable {
        var reads = 0
        var bytes = 0
    }

    /// Reads `prefix`, then `filler` repeated up to `total` bytes (far past the header limit, so an
    /// unbounded reader is caught by the byte count rather than by running forever), like a pipe
    /// that returns at most 64 KiB per call.
    struct EndlessSource: ByteSource {
        let prefix: [UInt8]
        let filler: UInt8
        var total = 64 << 20
        let counter: Counter
        private var offset = 0

        init(prefix: [UInt8], filler: UInt8, counter: Counter) {
            self.prefix = prefix
            self.filler = filler
            self.counter = counter
        }

        mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            let n = min(buffer.count, 64 << 10, total - offset)
            for i in 0..<n { buffer[i] = offset + i < prefix.count ? prefix[offset + i] : filler }
            offset += n
            counter.reads += 1
            counter.bytes += n
            return n
        }
    }

    private func parse(_ source: EndlessSource) throws -> Header {
        var buffered = BufferedSource(source)
        return try Header.parse(from: &buffered, limits: .default)
    }

    func testALongStanzaLineIsReadInFewLargeReads() throws {
        let file = try Encryptor(recipients: [X25519Identity.generate().x25519Recipient]).encrypt(Array("behind a long line".utf8))
        // A well-formed header with a 4 MiB argument in an extra stanza ahead of the real one.
        let long = Array("-> long ".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 4 << 20) + Array("\n\n".utf8)
        let counter = Counter()
        let versionLength = Header.versionLine.count
        let withLong = Array(file[..<versionLength]) + long + Array(file[versionLength...])
        var source = BufferedSource(ArraySlicesSource(withLong, counter: counter))
        let parsed = try Header.parse(from: &source, limits: .default)
        XCTAssertEqual(parsed.stanzas.map(\.type), ["long", "X25519"])
        XCTAssertEqual(parsed.stanzas[0].arguments.first?.count, 4 << 20)
        // 4 MiB in reads of at most 64 KiB is 64 reads; a reader that grows by a byte needs millions.
        XCTAssertLessThan(counter.reads, 200, "read calls for a 4 MiB line")
    }

    func testInputThatIsNotAnAgeFileIsRefusedBeforeReadingOn() throws {
        for (prefix, filler, message) in [
            ([UInt8](), UInt8(0), "not an age file"),  // /dev/zero
            (Array("age-encryption.org/v1".utf8), UInt8(ascii: "x"), "unsupported age format version"),
            (Array("age-encryption.org/v1\n-> X25519 ".utf8), UInt8(0), "malformed stanza"),
            (Array("age-encryption.org/v1\n-> X25519 abc\n".utf8), UInt8(ascii: "A"), "malformed stanza body"),
            (Array("age-encryption.org/v1\n-> X25519 abc\n\n--- ".utf8), UInt8(ascii: "A"), "malformed MAC line"),
            (Array("age-encryption.org/v1\n".utf8), UInt8(ascii: "x"), "malformed header line"),
        ] {
            let counter = Counter()
            XCTAssertThrowsError(try parse(EndlessSource(prefix: prefix, filler: filler, counter: counter))) { error in
                XCTAssertTrue((error as? AgeError)?.message.contains(message) == true, "\(error)")
            }
            XCTAssertLessThanOrEqual(counter.bytes, 64 << 10, "bytes read before refusing \(message)")
        }
    }
}

/// Reads an array in slices of at most 64 KiB, counting the calls.
private struct ArraySlicesSource: ByteSource {
    var inner: ArraySource
    let counter: HeaderReadingTests.Counter

    init(_ bytes: [UInt8], counter: HeaderReadingTests.Counter) {
        inner = ArraySource(bytes)
        self.counter = counter
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        counter.reads += 1
        return try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer.prefix(64 << 10)))
    }
}
