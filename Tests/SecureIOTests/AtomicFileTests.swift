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

    /// publishAll renames in order and stops at the first failure: files before it are new,
    /// the failed one and those after it are untouched, and no temporary file remains.
    func testPublishAllStopsAtTheFirstFailedRename() throws {
        let dir = try makeTemporaryDirectory()
        let targets = ["a", "b", "c"].map { dir.appendingPathComponent($0) }
        for url in targets { try Data("old".utf8).write(to: url) }
        let files = try targets.map { url -> AtomicOutputFile in
            let file = try AtomicOutputFile(url: url)
            try Array("new".utf8).withUnsafeBytes { try file.write($0) }
            try file.finishWriting()
            return file
        }
        // b becomes a non-empty directory, which rename(2) cannot replace with a file.
        try FileManager.default.removeItem(at: targets[1])
        try FileManager.default.createDirectory(at: targets[1], withIntermediateDirectories: false)
        try Data().write(to: targets[1].appendingPathComponent("inside"))
        let (published, failure) = AtomicOutputFile.publishAll(files)
        XCTAssertEqual(published, 1)
        XCTAssertEqual(failure?.path, targets[1].path)
        XCTAssertEqual(try String(contentsOf: targets[0], encoding: .utf8), "new")
        XCTAssertEqual(try String(contentsOf: targets[2], encoding: .utf8), "old")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["a", "b", "c"])
    }
}
