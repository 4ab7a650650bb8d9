import Foundation
import XCTest
@testable import SecureIO

/// The private file `secret edit` decrypts into: where it goes, its modes, and its removal.
final class PrivateTemporaryFileTests: XCTestCase {
    private func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ptf-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    func testParentIsRuntimeDirThenShmThenTmp() throws {
        let runtime = try scratch()
        XCTAssertEqual(PrivateTemporaryFile.parentDirectory(environment: ["XDG_RUNTIME_DIR": runtime]), runtime)
        let fallback = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : "/var/tmp"
        XCTAssertEqual(PrivateTemporaryFile.parentDirectory(environment: ["XDG_RUNTIME_DIR": runtime + "/absent", "TMPDIR": "/var/tmp"]), fallback)
        XCTAssertEqual(PrivateTemporaryFile.parentDirectory(environment: ["XDG_RUNTIME_DIR": ""]),
                       FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : "/tmp")
    }

    func testModesContentsAndRemoval() throws {
        let parent = try scratch()
        let file = try PrivateTemporaryFile(name: "value", contents: Array("secret".utf8), parent: parent)
        XCTAssertTrue(file.directory.hasPrefix(parent + "/progfig-edit."))
        let dirMode = try FileManager.default.attributesOfItem(atPath: file.directory)[.posixPermissions] as? Int
        let fileMode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        XCTAssertEqual(dirMode, 0o700)
        XCTAssertEqual(fileMode, 0o600)
        XCTAssertEqual(try file.read(), Array("secret".utf8))
        // What an editor leaves next to the file goes too.
        try Data("swap".utf8).write(to: URL(fileURLWithPath: file.directory + "/.value.swp"))
        file.remove()
        XCTAssertFalse(FileManager.default.fileExists(atPath: file.directory))
        file.remove()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: parent), [])
    }

    func testOverwriteWithZerosKeepsTheLength() throws {
        let path = try scratch() + "/f"
        let bytes = [UInt8](repeating: 0x5a, count: 10_000)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertTrue(InterruptCleanup.overwriteWithZeros(path))
        XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), [UInt8](repeating: 0, count: 10_000))
        XCTAssertFalse(InterruptCleanup.overwriteWithZeros(path + ".absent"))
    }
}
