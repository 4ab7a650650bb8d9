import Foundation
import XCTest
@testable import AgeFormat
import SecureIO

/// `Inspection` on every CCTV vector, as given and re-armored: the stanzas it reports are the
/// header's, the sizes add up to the file, the payload size is what decryption releases, and
/// the identities that open a file are those that decrypt it.
final class InspectionTests: XCTestCase {
    private func testkit() throws -> URL {
        let dir = ProcessInfo.processInfo.environment["AGE_TESTKIT"].map { URL(fileURLWithPath: $0) }
            ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/age-testkit")
        guard FileManager.default.fileExists(atPath: dir.path) else {
            print("SKIPPED: CCTV testkit not found at \(dir.path); set AGE_TESTKIT to its directory")
            throw XCTSkip("CCTV testkit not found at \(dir.path); set AGE_TESTKIT")
        }
        return dir
    }

    private func armored(_ binary: [UInt8]) throws -> [UInt8] {
        var sink = ArmorSink(ArraySink())
        try binary.withUnsafeBytes { try sink.write($0) }
        return try sink.finish().bytes
    }

    func testEveryVectorClassArmoredAndNot() throws {
        let dir = try testkit()
        var inspected = 0, rearmored = 0, refused = 0, sizedByDecryption = 0
        var classes = Set<String>()
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() {
            let vector = try VectorFile(url: dir.appendingPathComponent(name))
            let expected = vector.value("expect") ?? "?"
            let isArmored = vector.value("armored") == "yes"
            classes.insert(expected + (isArmored ? " (armored)" : ""))
            let result = Result { try Inspection.inspect(vector.body) }
            switch expected {
            case "armor failure":
                // Inspection reads the whole armor, so it meets every armor error decryption meets
                // (garbage before the armor makes it a binary file with a bad version line).
                XCTAssertThrowsError(try result.get(), name) {
                    XCTAssertTrue([.armor, .header].contains(($0 as? AgeError)?.kind), name)
                }
                refused += 1
                continue
            case "header failure" where (try? Header.parse(vector.body)) == nil:
                XCTAssertThrowsError(try result.get(), name) { XCTAssertEqual(($0 as? AgeError)?.kind, .header, name) }
                refused += 1
                continue
            default:
                break
            }
            // Everything else has a well-formed header (a stanza may still be invalid for its
            // recipient type, or the payload corrupt): inspection reports it.
            let header = try Header.parse(vector.body)
            guard let inspection = try? result.get() else {
                // Only a payload shorter than a nonce (a header failure, as decryption has it) and
                // one tag (a payload failure) is refused.
                XCTAssertThrowsError(try result.get(), name) { XCTAssertEqual(expectName($0), expected, name) }
                refused += 1
                continue
            }
            inspected += 1
            XCTAssertEqual(inspection.armored, isArmored, name)
            XCTAssertEqual(inspection.stanzaTypes, header.stanzas.map(\.type), name)
            XCTAssertEqual(inspection.stanzaCounts.map(\.count).reduce(0, +), header.stanzas.count, name)
            XCTAssertEqual(inspection.headerSize, header.encoded().count, name)
            XCTAssertEqual(inspection.totalSize, vector.body.count, name)
            if !isArmored { XCTAssertEqual(inspection.armorSize, 0, name) }
            let types = Set(inspection.stanzaTypes)
            if types.contains("X25519") {
                XCTAssertEqual(inspection.postQuantum, .no, name)
            } else if types.contains("mlkem768x25519") || types.contains("scrypt") {
                XCTAssertEqual(inspection.postQuantum, .yes, name)
            }

            let pq = vector.values("identity").contains { $0.hasPrefix("AGE-SECRET-KEY-PQ-") }
            if !pq {
                var identities: [any Identity] = try vector.values("identity").map { try X25519Identity($0) }
                identities += vector.values("passphrase").map { ScryptIdentity(passphrase: $0) }
                let (outcome, released) = decryptVector(vector, identities: identities)
                if outcome == "success" {
                    XCTAssertEqual(inspection.payloadSize, released.count, "\(name): payload size")
                    XCTAssertTrue(identities.contains { (try? inspection.opens(with: $0)) == true }, name)
                    sizedByDecryption += 1
                }
                if outcome == "no match" {
                    XCTAssertFalse(identities.contains { (try? inspection.opens(with: $0)) == true }, name)
                }
                XCTAssertNotEqual(try? inspection.opens(with: X25519Identity.generate()), true, name)
            }

            guard !isArmored else { continue }
            let text = try armored(vector.body)
            let again = try Inspection.inspect(text)
            XCTAssertTrue(again.armored, name)
            XCTAssertEqual(again.stanzaTypes, inspection.stanzaTypes, name)
            XCTAssertEqual(again.headerSize, inspection.headerSize, name)
            XCTAssertEqual(again.overheadSize, inspection.overheadSize, name)
            XCTAssertEqual(again.payloadSize, inspection.payloadSize, name)
            XCTAssertEqual(again.armorSize, text.count - vector.body.count, name)
            XCTAssertEqual(again.totalSize, text.count, name)
            rearmored += 1
        }
        print("inspect: \(inspected) vectors inspected (\(rearmored) also re-armored), \(refused) refused, "
              + "\(sizedByDecryption) payload sizes checked against decryption; classes: \(classes.sorted().joined(separator: ", "))")
        XCTAssertEqual(inspected + refused, 143)
        XCTAssertTrue(classes.isSuperset(of: ["success", "no match", "HMAC failure", "header failure", "payload failure",
                                              "armor failure (armored)", "success (armored)"]))
    }

    /// Sizes at the chunk boundaries: empty, one byte short of a chunk, a chunk, a chunk and one.
    func testSizesAtChunkBoundaries() throws {
        let id = X25519Identity.generate()
        for size in [0, 1, 65535, 65536, 65537, 2 * 65536] {
            let file = try Encryptor(recipients: [id.x25519Recipient]).encrypt([UInt8](repeating: 7, count: size))
            let inspection = try Inspection.inspect(file)
            XCTAssertEqual(inspection.payloadSize, size, "\(size)")
            XCTAssertEqual(inspection.overheadSize, 16 + 16 * max(1, (size + 65535) / 65536), "\(size)")
            XCTAssertEqual(inspection.totalSize, file.count)
            XCTAssertTrue(try inspection.opens(with: id))
        }
    }

    func testTruncatedPayloadIsRefused() throws {
        let id = X25519Identity.generate()
        let file = try Encryptor(recipients: [id.x25519Recipient]).encrypt([])
        let header = try Header.parse(file).encoded().count
        XCTAssertThrowsError(try Inspection.inspect(Array(file.prefix(header + 16 + 15)))) {
            XCTAssertEqual(($0 as? AgeError)?.kind, .payload)
        }
    }
}
