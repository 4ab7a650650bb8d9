import Foundation
import XCTest
@testable import AgeFormat

/// Identity files readable by others are flagged, as ssh flags private keys.
final class KeyPermissionTests: XCTestCase {
    private func keyFile(mode: Int, contents: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("perm-\(UUID().uuidString).txt").path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(contents)))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testGroupOrOtherReadableKeyIsFlaggedWithoutQuotingIt() throws {
        let identity = X25519Identity.generate()
        for mode in [0o644, 0o640, 0o604, 0o660] {
            let contents = Array((identity.secretKeyString + "\n").utf8)
            let path = try keyFile(mode: mode, contents: contents)
            let warning = try XCTUnwrap(IdentityFile.permissionWarning(path: path, contents: contents), "mode \(String(mode, radix: 8))")
            XCTAssertEqual(warning, "\(path) holds secret keys but is accessible by others (mode \(String(mode, radix: 8))); run chmod 600 \(path)")
            XCTAssertFalse(warning.contains(identity.secretKeyString))
        }
    }

    func testKeyReachedThroughASymlinkIsFlagged() throws {
        let contents = Array((X25519Identity.generate().secretKeyString + "\n").utf8)
        let target = try keyFile(mode: 0o644, contents: contents)
        let link = target + ".link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: link) }
        XCTAssertEqual(IdentityFile.permissionWarning(path: link, contents: contents),
                       "\(link) holds secret keys but is accessible by others (mode 644); run chmod 600 \(link)")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target)
        XCTAssertNil(IdentityFile.permissionWarning(path: link, contents: contents), "the link's own mode is not the key's")
    }

    func testOpenFileIsFlaggedByItsDescriptor() throws {
        let contents = Array((X25519Identity.generate().secretKeyString + "\n").utf8)
        let path = try keyFile(mode: 0o640, contents: contents)
        let fd = open(path, O_RDONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        XCTAssertEqual(IdentityFile.permissionWarning(descriptor: fd, path: nil, contents: contents),
                       "standard input is a file that holds secret keys but is accessible by others (mode 640); run chmod 600 on it")
        XCTAssertEqual(IdentityFile.permissionWarning(descriptor: fd, path: path, contents: contents),
                       "\(path) holds secret keys but is accessible by others (mode 640); run chmod 600 \(path)")
        var pipeEnds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&pipeEnds), 0)
        defer { close(pipeEnds[0]); close(pipeEnds[1]) }
        XCTAssertNil(IdentityFile.permissionWarning(descriptor: pipeEnds[0], path: nil, contents: contents), "a pipe is not a key file")
    }

    func testPrivateOrEncryptedKeyIsNotFlagged() throws {
        let identity = X25519Identity.generate()
        let text = Array(identity.secretKeyString.utf8)
        XCTAssertNil(IdentityFile.permissionWarning(path: try keyFile(mode: 0o600, contents: text), contents: text))
        XCTAssertNil(IdentityFile.permissionWarning(path: try keyFile(mode: 0o400, contents: text), contents: text))
        let encrypted = try Encryptor(recipients: [ScryptRecipient(passphrase: "pw", workFactor: 2)]).encrypt(text)
        XCTAssertNil(IdentityFile.permissionWarning(path: try keyFile(mode: 0o644, contents: encrypted), contents: encrypted))
        XCTAssertNil(IdentityFile.permissionWarning(path: "/nonexistent/key.txt", contents: text))
    }
}
