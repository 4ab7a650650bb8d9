import Foundation
import XCTest
import SecureIO

final class AtomicFileTests: XCTestCase {
    private func permissions(_ url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return try XCTUnwrap(attributes[.posixPermissions] as? Int)
    }

    private func leftovers(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp-") }
    }

    func testWritesContentWithDefaultMode() throws {
        let dir = try makeTemporaryDirectory()
        let url = dir.appendingPathComponent("a.json")
        try AtomicFile.write(Data("hello".utf8), to: url)
        XCTAssertEqual(try Data(contentsOf: url), Data("hello".utf8))
        XCTAssertEqual(try permissions(url), 0o644)
        XCTAssertEqual(try leftovers(in: dir), [])
    }

    func testModeIsExactDespiteUmask() throws {
        let dir = try makeTemporaryDirectory()
        let secret = dir.appendingPathComponent("s.json")
        try AtomicFile.write([1, 2, 3], to: secret, mode: 0o600)
        XCTAssertEqual(try permissions(secret), 0o600)
        let open = dir.appendingPathComponent("o.json")
        try AtomicFile.write([], to: open, mode: 0o666)
        XCTAssertEqual(try permissions(open), 0o666)
        XCTAssertEqual(try Data(contentsOf: open), Data())
    }

    func testOverwriteReplacesContentAndMode() throws {
        let dir = try makeTemporaryDirectory()
        let url = dir.appendingPathComponent("a.json")
        try AtomicFile.write(Data("old content that is longer".utf8), to: url, mode: 0o644)
        try AtomicFile.write(Data("new".utf8), to: url, mode: 0o600)
        XCTAssertEqual(try Data(contentsOf: url), Data("new".utf8))
        XCTAssertEqual(try permissions(url), 0o600)
        XCTAssertEqual(try leftovers(in: dir), [])
    }

    func testLargeContent() throws {
        let dir = try makeTemporaryDirectory()
        let url = dir.appendingPathComponent("big")
        let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try AtomicFile.write(bytes, to: url)
        XCTAssertEqual(try [UInt8](Data(contentsOf: url)), bytes)
    }

    func testNoOverwriteRefusesExistingTarget() throws {
        let dir = try makeTemporaryDirectory()
        let url = dir.appendingPathComponent("a.json")
        try AtomicFile.write(Data("original".utf8), to: url)
        XCTAssertThrowsIOFailure(
            try AtomicFile.write(Data("intruder".utf8), to: url, overwrite: false),
            "\(url.path): already exists; refusing to overwrite it")
        XCTAssertEqual(try Data(contentsOf: url), Data("original".utf8))
        XCTAssertEqual(try leftovers(in: dir), [])
    }

    func testNoOverwriteCreatesNewTarget() throws {
        let dir = try makeTemporaryDirectory()
        let url = dir.appendingPathComponent("new.json")
        try AtomicFile.write(Data("fresh".utf8), to: url, mode: 0o600, overwrite: false)
        XCTAssertEqual(try Data(contentsOf: url), Data("fresh".utf8))
        XCTAssertEqual(try permissions(url), 0o600)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["new.json"])
    }

    func testNonRegularTargetIsRefusedAndLeftUntouched() throws {
        let dir = try makeTemporaryDirectory()
        let target = dir.appendingPathComponent("occupied")
        try writeFile("keep", to: "occupied/inside.txt", in: dir)
        XCTAssertThrowsIOFailure(try AtomicFile.write(Data("x".utf8), to: target),
                                 "\(target.path): exists and is not a regular file; refusing to replace it")
        XCTAssertEqual(try String(contentsOf: target.appendingPathComponent("inside.txt"), encoding: .utf8), "keep")
        XCTAssertEqual(try leftovers(in: dir), [])
    }

    func testMissingDirectoryIsError() throws {
        let dir = try makeTemporaryDirectory()
        let url = dir.appendingPathComponent("absent/a.json")
        XCTAssertThrowsIOFailure(
            try AtomicFile.write(Data("x".utf8), to: url),
            "\(url.path): cannot create a temporary file in \(dir.path)/absent: No such file or directory")
    }
}
