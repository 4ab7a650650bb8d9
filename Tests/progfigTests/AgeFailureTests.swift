import AgeFormat
import Foundation
import XCTest

/// `progfig age` failures: one `progfig: error:` line, exit status 1, no secrets in the message,
/// and no output or temporary file left behind.
final class AgeFailureTests: XCTestCase {
    /// A directory with an identity file `key.txt` and `in.bin` (several STREAM chunks)
    /// encrypted to it as `in.age`.
    private func encryptedFixture() throws -> (dir: URL, recipient: String) {
        let dir = try makeTemporaryDirectory()
        let key = try makeIdentityFile("key.txt", in: dir)
        _ = try makeRandomFile("in.bin", in: dir, count: 200_000)
        let result = try ProgfigRunner.run(["age", "-r", key.recipient, "-o", "in.age", "in.bin"], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        return (dir, key.recipient)
    }

    private func modifyCiphertext(in dir: URL, _ change: (inout Data) -> Void) throws {
        let url = dir.appendingPathComponent("in.age")
        var data = try Data(contentsOf: url)
        change(&data)
        try data.write(to: url)
    }

    private func assertDecryptionFailsCleanly(in dir: URL, contains fragment: String,
                                              file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try directoryListing(dir)
        let result = try ProgfigRunner.run(["age", "-d", "-i", "key.txt", "-o", "out.bin", "in.age"], in: dir)
        let secret = try String(contentsOf: dir.appendingPathComponent("key.txt"), encoding: .utf8)
            .split(separator: "\n").last.map(String.init) ?? ""
        assertCleanError(result, status: 1, contains: fragment, secrets: [secret], file: file, line: line)
        XCTAssertEqual(try directoryListing(dir), before, "no output and no temporary file", file: file, line: line)
    }

    func testCorruptedPayloadLeavesNoOutputFile() throws {
        let (dir, _) = try encryptedFixture()
        try modifyCiphertext(in: dir) { $0[$0.count - 100] ^= 0x01 }
        try assertDecryptionFailsCleanly(in: dir, contains: "in.age: ")
    }

    func testTruncatedFileLeavesNoOutputFile() throws {
        let (dir, _) = try encryptedFixture()
        try modifyCiphertext(in: dir) { $0.removeLast(20) }
        try assertDecryptionFailsCleanly(in: dir, contains: "in.age: ")
    }

    func testCorruptedHeaderLeavesNoOutputFile() throws {
        let (dir, _) = try encryptedFixture()
        try modifyCiphertext(in: dir) { data in
            let macLine = data.range(of: Data("\n--- ".utf8))!.upperBound
            data[macLine + 3] = data[macLine + 3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        }
        try assertDecryptionFailsCleanly(in: dir, contains: "in.age: ")
    }

    func testFailedDecryptionKeepsAnExistingOutputFile() throws {
        let (dir, _) = try encryptedFixture()
        try Data("previous".utf8).write(to: dir.appendingPathComponent("out.bin"))
        try modifyCiphertext(in: dir) { $0[$0.count - 1] ^= 0x80 }
        try assertDecryptionFailsCleanly(in: dir, contains: "in.age: ")
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("out.bin")), Data("previous".utf8))
    }

    func testWrongKeyNamesTheInput() throws {
        let (dir, _) = try encryptedFixture()
        _ = try makeIdentityFile("key.txt", in: dir)
        try assertDecryptionFailsCleanly(in: dir, contains: "in.age: no identity matched")
    }

    func testWrongPassphrase() throws {
        let dir = try makeTemporaryDirectory()
        let ciphertext = try Encryptor(recipients: [ScryptRecipient(passphrase: "right one", workFactor: 10)])
            .encrypt(Array("secret words".utf8))
        try Data(ciphertext).write(to: dir.appendingPathComponent("in.age"))
        let wrong = "wrong-passphrase-value"
        let result = try ProgfigRunner.run(["age", "-d", "-o", "out.txt", "in.age"], in: dir,
                                           environment: ["PROGFIG_PASSPHRASE": wrong])
        assertCleanError(result, status: 1, contains: "in.age: incorrect passphrase", secrets: [wrong, "right one", "secret words"])
        XCTAssertEqual(try directoryListing(dir), ["in.age"])

        let right = try ProgfigRunner.run(["age", "-d", "in.age"], in: dir, environment: ["PROGFIG_PASSPHRASE": "right one"])
        XCTAssertEqual(right.stdoutText, "secret words")
    }

    func testDecryptingWithoutIdentityExplainsWhatIsMissing() throws {
        let (dir, _) = try encryptedFixture()
        let result = try ProgfigRunner.run(["age", "-d", "in.age"], in: dir)
        assertCleanError(result, status: 1, contains: "in.age: the file is not passphrase-encrypted")
    }

    func testNoTerminalAndNoEnvironmentPassphrase() throws {
        let dir = try makeTemporaryDirectory()
        // setsid runs progfig without a controlling terminal, so /dev/tty cannot be opened.
        let setsid = try requireProgram("/usr/bin/setsid")
        let result = try ProgfigRunner.runProgram(setsid, ["-w", ProgfigRunner.executableURL.path, "age", "-p"],
                                                  in: dir, stdin: Data("x".utf8))
        assertCleanError(result, status: 1, contains: "no terminal; set PROGFIG_PASSPHRASE")
    }

    func testMissingFilesAreNamed() throws {
        let (dir, recipient) = try encryptedFixture()
        let cases: [([String], String)] = [
            (["-d", "-i", "missing-key.txt", "in.age"], "missing-key.txt: cannot open identity file: No such file or directory"),
            (["-R", "missing-recipients.txt", "in.bin"], "missing-recipients.txt: cannot open recipients file"),
            (["-i", "missing-key.txt", "in.bin"], "missing-key.txt: cannot open identity file"),
            (["-r", recipient, "missing-input.bin"], "missing-input.bin: cannot open input file"),
            (["-d", "-i", "key.txt", "missing-input.age"], "missing-input.age: cannot open input file"),
        ]
        for (arguments, fragment) in cases {
            let result = try ProgfigRunner.run(["age"] + arguments, in: dir)
            assertCleanError(result, status: 1, contains: fragment)
        }
    }

    func testInvalidIdentityFileNamesTheLineButNotTheKey() throws {
        let (dir, _) = try encryptedFixture()
        var key = X25519Identity.generate().secretKeyString
        let removed = key.removeLast()
        key.append(removed == "Q" ? "P" : "Q")
        try "# broken\n\(key)\n".write(to: dir.appendingPathComponent("bad.txt"), atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: dir.appendingPathComponent("bad.txt").path)
        let result = try ProgfigRunner.run(["age", "-d", "-i", "bad.txt", "in.age"], in: dir)
        assertCleanError(result, status: 1, contains: "bad.txt:2:", secrets: [key, String(key.dropFirst(16).prefix(20))])
    }

    func testInvalidRecipientIsAnError() throws {
        let dir = try makeTemporaryDirectory()
        let result = try ProgfigRunner.run(["age", "-r", "age1notakey"], in: dir, stdin: Data("x".utf8))
        assertCleanError(result, status: 1, contains: "invalid recipient")
    }
}
