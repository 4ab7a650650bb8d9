import Foundation
import SecureIO
import XCTest

extension XCTestCase {
    /// A fresh temporary directory (symlinks resolved) removed when the test ends.
    func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("progfig-tests-\(UUID().uuidString)")
            .resolvingSymlinksInPath()
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Writes `text` to `relativePath` under `directory`, creating intermediate directories.
    @discardableResult
    func writeFile(_ text: String, to relativePath: String, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url
    }
}

/// Asserts that `expression` throws an `IOFailure` whose description is exactly `expected`.
func XCTAssertThrowsIOFailure<T>(
    _ expression: @autoclosure () throws -> T, _ expected: String,
    file: StaticString = #filePath, line: UInt = #line
) {
    do {
        _ = try expression()
        XCTFail("expected error: \(expected)", file: file, line: line)
    } catch let error as IOFailure {
        XCTAssertEqual(error.description, expected, file: file, line: line)
    } catch {
        XCTFail("expected IOFailure, got \(error)", file: file, line: line)
    }
}
