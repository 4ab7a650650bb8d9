import AgeFormat
import Foundation
import XCTest

/// `progfig keygen`: age-keygen's output format, the 0600 file, no overwriting, and `-y`.
final class KeygenTests: XCTestCase {
    private let createdPattern = #"^# created: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$"#
    private let publicKeyPattern = #"^# public key: age1[02-9ac-hj-np-z]{58}$"#
    private let secretKeyPattern = #"^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$"#

    private func assertKeyFileFormat(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.count, 4, "three lines and a final newline: \(text)", file: file, line: line)
        guard lines.count == 4 else { return "" }
        XCTAssertNotNil(lines[0].range(of: createdPattern, options: .regularExpression), lines[0], file: file, line: line)
        XCTAssertNotNil(lines[1].range(of: publicKeyPattern, options: .regularExpression), lines[1], file: file, line: line)
        XCTAssertNotNil(lines[2].range(of: secretKeyPattern, options: .regularExpression), "bad secret key line", file: file, line: line)
        XCTAssertEqual(lines[3], "", file: file, line: line)
        let publicKey = String(lines[1].dropFirst("# public key: ".count))
        XCTAssertEqual(try X25519Identity(lines[2]).x25519Recipient.encoded, publicKey, "public key matches secret key", file: file, line: line)
        return publicKey
    }

    func testWritesAgeKeygenFormatToStandardOutput() throws {
        let dir = try makeTemporaryDirectory()
        let result = try ProgfigRunner.run(["keygen"], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        let publicKey = try assertKeyFileFormat(result.stdoutText)
        XCTAssertEqual(result.stderr, "Public key: \(publicKey)\n", "stdout is not a terminal, so the key is also on stderr")
    }

    func testCreatedLineUsesLocalOffsetAndZForUTC() throws {
        let dir = try makeTemporaryDirectory()
        let utc = try ProgfigRunner.run(["keygen"], in: dir, environment: ["TZ": "UTC"])
        XCTAssertNotNil(utc.stdoutText.range(of: #"^# created: \S+T\d\d:\d\d:\d\dZ\n"#, options: .regularExpression), utc.stdoutText)
        let india = try ProgfigRunner.run(["keygen"], in: dir, environment: ["TZ": "Asia/Kolkata"])
        XCTAssertNotNil(india.stdoutText.range(of: #"^# created: \S+T\d\d:\d\d:\d\d\+05:30\n"#, options: .regularExpression), india.stdoutText)
    }

    func testOutputFileHasMode0600AndPublicKeyOnStandardError() throws {
        let dir = try makeTemporaryDirectory()
        let result = try ProgfigRunner.run(["keygen", "-o", "key.txt"], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.isEmpty)
        let key = dir.appendingPathComponent("key.txt")
        let publicKey = try assertKeyFileFormat(try String(contentsOf: key, encoding: .utf8))
        XCTAssertEqual(result.stderr, "Public key: \(publicKey)\n")
        XCTAssertEqual(try permissions(key), 0o600)
        XCTAssertEqual(try directoryListing(dir), ["key.txt"], "no temporary file left")
    }

    func testRefusesToOverwriteAnExistingFile() throws {
        let dir = try makeTemporaryDirectory()
        let key = dir.appendingPathComponent("key.txt")
        try "precious\n".write(to: key, atomically: false, encoding: .utf8)
        let result = try ProgfigRunner.run(["keygen", "-o", "key.txt"], in: dir)
        assertCleanError(result, status: 1, contains: "key.txt: already exists")
        XCTAssertFalse(result.stderr.contains("AGE-SECRET-KEY"))
        XCTAssertEqual(try String(contentsOf: key, encoding: .utf8), "precious\n")
        XCTAssertEqual(try directoryListing(dir), ["key.txt"], "no temporary file left")
    }

    func testConvertPrintsThePublicKey() throws {
        let dir = try makeTemporaryDirectory()
        XCTAssertEqual(try ProgfigRunner.run(["keygen", "-o", "key.txt"], in: dir).status, 0)
        let keyText = try String(contentsOf: dir.appendingPathComponent("key.txt"), encoding: .utf8)
        let publicKey = try assertKeyFileFormat(keyText)

        let fromFile = try ProgfigRunner.run(["keygen", "-y", "key.txt"], in: dir)
        XCTAssertEqual(fromFile.status, 0, fromFile.stderr)
        XCTAssertEqual(fromFile.stdoutText, publicKey + "\n")
        XCTAssertEqual(fromFile.stderr, "")
        for arguments in [["keygen", "-y"], ["keygen", "-y", "-"]] {
            let fromStdin = try ProgfigRunner.run(arguments, in: dir, stdin: Data(keyText.utf8))
            XCTAssertEqual(fromStdin.stdoutText, publicKey + "\n", "\(arguments)")
        }
    }

    func testConvertPrintsOneRecipientPerIdentity() throws {
        let dir = try makeTemporaryDirectory()
        let a = X25519Identity.generate(), b = X25519Identity.generate()
        let text = "# two keys\n\(a.secretKeyString)\n\n\(b.secretKeyString)\n"
        let result = try ProgfigRunner.run(["keygen", "-y"], in: dir, stdin: Data(text.utf8))
        XCTAssertEqual(result.stdoutText, "\(a.x25519Recipient.encoded)\n\(b.x25519Recipient.encoded)\n")
    }

    func testConvertOfAMissingFileNamesIt() throws {
        let dir = try makeTemporaryDirectory()
        let result = try ProgfigRunner.run(["keygen", "-y", "no-such-key.txt"], in: dir)
        assertCleanError(result, status: 1, contains: "no-such-key.txt")
    }

    func testConvertOfAnInvalidKeyNeverPrintsIt() throws {
        let dir = try makeTemporaryDirectory()
        var key = X25519Identity.generate().secretKeyString
        let removed = key.removeLast()
        key.append(removed == "Q" ? "P" : "Q")
        let result = try ProgfigRunner.run(["keygen", "-y"], in: dir, stdin: Data("\(key)\n".utf8))
        assertCleanError(result, status: 1, contains: "standard input:1:", secrets: [key, String(key.dropFirst(16).prefix(20))])
    }

    func testInputWithoutConvertIsAUsageError() throws {
        let dir = try makeTemporaryDirectory()
        assertCleanError(try ProgfigRunner.run(["keygen", "key.txt"], in: dir), status: 64, contains: "-y")
    }
}
