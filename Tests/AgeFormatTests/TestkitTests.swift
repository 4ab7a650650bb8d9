import Foundation
import XCTest
@testable import AgeFormat

/// Runs every CCTV age vector, post-quantum (mlkem768x25519) ones included, and checks its class
/// and released payload.
final class TestkitTests: XCTestCase {
    func testCCTVTestkit() throws {
        let dir = ProcessInfo.processInfo.environment["AGE_TESTKIT"].map { URL(fileURLWithPath: $0) }
            ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/age-testkit")
        guard FileManager.default.fileExists(atPath: dir.path) else {
            print("SKIPPED: CCTV testkit not found at \(dir.path); set AGE_TESTKIT to its directory")
            throw XCTSkip("CCTV testkit not found at \(dir.path); set AGE_TESTKIT")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        var passed = 0, hybrid = 0, total = 0
        for name in names {
            let vector = try VectorFile(url: dir.appendingPathComponent(name))
            total += 1
            let lines = vector.values("identity")
            if lines.contains(where: { $0.hasPrefix("AGE-SECRET-KEY-PQ-") }) { hybrid += 1 }
            var identities: [any Identity] = try lines.map {
                (line: String) throws -> any Identity in
                line.hasPrefix("AGE-SECRET-KEY-PQ-") ? try MLKEM768X25519Identity(line) : try X25519Identity(line)
            }
            identities += vector.values("passphrase").map { ScryptIdentity(passphrase: $0) }
            let expected = vector.value("expect") ?? "?"
            let (outcome, released) = decryptVector(vector, identities: identities)
            var ok = outcome == expected
            XCTAssertEqual(outcome, expected, "\(name)")
            if let payload = vector.value("payload") {
                let got = hex(Sodium.sha256(released))
                XCTAssertEqual(got, payload, "\(name): released plaintext hash")
                ok = ok && got == payload
            }
            if ok { passed += 1 }
        }
        print("CCTV testkit: \(passed) of \(total) vectors gave their expected class and payload (\(hybrid) with a post-quantum identity)")
        XCTAssertEqual(total, 143)
        XCTAssertEqual(passed, 143)
        XCTAssertEqual(hybrid, 19)
    }
}
