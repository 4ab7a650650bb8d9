import Foundation
import XCTest

/// Behaviour on a terminal, which script(1) from util-linux provides: binary ciphertext is
/// refused, armor is allowed, and passphrases are read from /dev/tty without echo.
final class TerminalTests: XCTestCase {
    private let recipient = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"

    /// Runs `command` (a shell command line) under script(1) so its standard streams are a
    /// terminal; what the terminal showed comes back as standard output.
    private func runOnTerminal(_ command: String, in dir: URL, stdin: Data = Data()) throws -> RunResult {
        let script = try requireProgram("/usr/bin/script")
        return try ProgfigRunner.runProgram(script, ["-qec", command, "/dev/null"], in: dir, stdin: stdin)
    }

    private var progfig: String { ProgfigRunner.executableURL.path }

    func testRefusesBinaryCiphertextOnATerminal() throws {
        let dir = try makeTemporaryDirectory()
        try "hello\n".write(to: dir.appendingPathComponent("in.txt"), atomically: false, encoding: .utf8)
        let result = try runOnTerminal("\(progfig) age -r \(recipient) in.txt", in: dir)
        XCTAssertEqual(result.status, 1, result.stdoutText)
        let shown = result.stdoutText.replacingOccurrences(of: "\r", with: "")
        XCTAssertEqual(shown, "progfig: error: refusing to write binary ciphertext to a terminal; use -a/--armor, or -o OUTPUT (-o - forces it)\n")
    }

    func testArmorIsAllowedOnATerminal() throws {
        let dir = try makeTemporaryDirectory()
        try "hello\n".write(to: dir.appendingPathComponent("in.txt"), atomically: false, encoding: .utf8)
        let result = try runOnTerminal("\(progfig) age -a -r \(recipient) in.txt", in: dir)
        XCTAssertEqual(result.status, 0, result.stdoutText)
        XCTAssertTrue(result.stdoutText.hasPrefix("-----BEGIN AGE ENCRYPTED FILE-----"), result.stdoutText)
    }

    func testDashOutputForcesBinaryToTheTerminal() throws {
        let dir = try makeTemporaryDirectory()
        try "hello\n".write(to: dir.appendingPathComponent("in.txt"), atomically: false, encoding: .utf8)
        let result = try runOnTerminal("\(progfig) age -r \(recipient) -o - in.txt", in: dir)
        XCTAssertEqual(result.status, 0, result.stdoutText)
        XCTAssertTrue(result.stdoutText.hasPrefix("age-encryption.org/v1"), result.stdoutText)
    }

    func testKeygenOnATerminalDoesNotRepeatThePublicKey() throws {
        let dir = try makeTemporaryDirectory()
        let result = try runOnTerminal("\(progfig) keygen", in: dir)
        XCTAssertEqual(result.status, 0, result.stdoutText)
        XCTAssertTrue(result.stdoutText.contains("# public key: age1"), result.stdoutText)
        XCTAssertFalse(result.stdoutText.contains("Public key:"), result.stdoutText)
    }

    func testPassphraseIsReadFromTheTerminalWithoutEcho() throws {
        let dir = try makeTemporaryDirectory()
        try "hello\n".write(to: dir.appendingPathComponent("in.txt"), atomically: false, encoding: .utf8)
        let passphrase = "typed-on-the-terminal"
        // The pauses let progfig turn echo off before each line arrives.
        let typist = "sleep 1; printf '\(passphrase)\\n'; sleep 1; printf '\(passphrase)\\n'"
        let sh = try requireProgram("/bin/sh")
        let scriptPath = try requireProgram("/usr/bin/script").path
        let command = "\(progfig) age -p -o out.age in.txt"
        let result = try ProgfigRunner.runProgram(sh, ["-c", "(\(typist)) | \(scriptPath) -qec '\(command)' /dev/null"], in: dir)
        XCTAssertEqual(result.status, 0, result.stdoutText + result.stderr)
        XCTAssertTrue(result.stdoutText.contains("Enter passphrase: "), result.stdoutText)
        XCTAssertTrue(result.stdoutText.contains("Confirm passphrase: "), result.stdoutText)
        XCTAssertFalse(result.stdoutText.contains(passphrase), "the passphrase was echoed: \(result.stdoutText)")

        let decrypted = try ProgfigRunner.run(["age", "-d", "out.age"], in: dir, environment: ["PROGFIG_PASSPHRASE": passphrase])
        XCTAssertEqual(decrypted.stdoutText, "hello\n", decrypted.stderr)
    }
}
