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
