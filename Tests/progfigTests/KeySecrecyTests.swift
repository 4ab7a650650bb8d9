import AgeFormat
import Foundation
import XCTest

/// Secrets put where a key is expected, in every position of every path that reads keys, never
/// appear in progfig's output: errors name the file and line, and give at most the expected prefix
/// (issue 17). Also the size limits of identity and recipients files.
final class KeySecrecyTests: XCTestCase {
    /// A secret in a form a user might put in a key position by mistake, and the part of it that
    /// must never be printed.
    struct Secret {
        let text: String
        let marker: String
    }

    private func secrets() -> [Secret] {
        func keyData(_ key: String) -> String { String(key.dropFirst("AGE-SECRET-KEY-1".count)) }
        let typo = X25519Identity.generate().secretKeyString
        let typoed = String(typo.dropLast()) + (typo.last == "Q" ? "P" : "Q")
        let indented = X25519Identity.generate().secretKeyString
        let lower = X25519Identity.generate().secretKeyString
        let password = "hunter2-\(UUID().uuidString)"
        return [
            Secret(text: typoed, marker: keyData(typoed)),  // a secret key with a wrong checksum
            Secret(text: "  " + indented, marker: keyData(indented)),  // indented
            Secret(text: lower.lowercased(), marker: keyData(lower).lowercased()),  // lowercased
            Secret(text: "DB_PASSWORD=\(password)", marker: password),  // a .env line
            Secret(text: "export TOKEN=\"\(password)\"", marker: password),
            Secret(text: "ssh-ed25519 AAAA\(password.replacingOccurrences(of: "-", with: ""))",
                   marker: password.replacingOccurrences(of: "-", with: "")),  // a password where an SSH key goes
        ]
    }

    /// The file texts that put `secret` first, after a valid line, last without a newline, and
    /// last ending in CR only.
    private func fileTexts(_ secret: String, valid: String) -> [String] {
        ["\(secret)\n\(valid)\n", "# keys\n\(valid)\n\n\(secret)\n", "\(valid)\n\(secret)", "\(valid)\n\(secret)\r"]
    }

    private func assertNoLeak(_ result: RunResult, _ secret: Secret, _ what: String,
                              file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(result.status, 0, "\(what) accepted \(secret.text.debugDescription)", file: file, line: line)
        XCTAssertFalse(result.stderr.isEmpty, "\(what): no error", file: file, line: line)
        for output in [result.stderr, result.stdoutText] {
            XCTAssertFalse(output.contains(secret.marker), "\(what) printed the secret: \(output)", file: file, line: line)
        }
    }

    func testAgeKeyArgumentsAndFilesNeverPrintTheirLines() throws {
        let dir = try makeTemporaryDirectory()
        let identity = X25519Identity.generate()
        let recipient = identity.x25519Recipient.encoded
        let keyFile = dir.appendingPathComponent("good.key")
        try "\(identity.secretKeyString)\n".write(to: keyFile, atomically: false, encoding: .utf8)
        chmod(keyFile.path, 0o600)
        let ciphertext = try ProgfigRunner.run(["age", "-r", recipient], in: dir, stdin: Data("x".utf8)).stdout
        try ciphertext.write(to: dir.appendingPathComponent("in.age"))
        let bad = dir.appendingPathComponent("bad.txt")
        for secret in secrets() {
            assertNoLeak(try ProgfigRunner.run(["age", "-r", secret.text], in: dir, stdin: Data("x".utf8)), secret, "-r")
            let second = try ProgfigRunner.run(["age", "-r", recipient, "-r", secret.text], in: dir, stdin: Data("x".utf8))
            assertNoLeak(second, secret, "second -r")
            XCTAssertTrue(second.stderr.contains("-r/--recipient (the 2nd given)"), second.stderr)
            for text in fileTexts(secret.text, valid: recipient) {
                try text.write(to: bad, atomically: false, encoding: .utf8)
                let result = try ProgfigRunner.run(["age", "-R", "bad.txt"], in: dir, stdin: Data("x".utf8))
                assertNoLeak(result, secret, "-R \(text.debugDescription)")
                XCTAssertTrue(result.stderr.contains("bad.txt:"), result.stderr)
                assertNoLeak(try ProgfigRunner.run(["age", "-R", "-"], in: dir, stdin: Data(text.utf8)), secret, "-R -")
            }
            for text in fileTexts(secret.text, valid: identity.secretKeyString) {
                try text.write(to: bad, atomically: false, encoding: .utf8)
                chmod(bad.path, 0o600)
                for arguments in [["-d", "-i", "bad.txt", "in.age"], ["-e", "-i", "bad.txt"]] {
                    let result = try ProgfigRunner.run(["age"] + arguments, in: dir, stdin: Data("x".utf8))
                    assertNoLeak(result, secret, "age \(arguments) with \(text.debugDescription)")
                    XCTAssertTrue(result.stderr.contains("bad.txt:"), result.stderr)
                }
                let viaStandardInput = try ProgfigRunner.runProgram(URL(fileURLWithPath: "/bin/sh"),
                    ["-c", "exec \"$0\" age -d -i - in.age < bad.txt", ProgfigRunner.executableURL.path], in: dir)
                assertNoLeak(viaStandardInput, secret, "-i - with \(text.debugDescription)")
                assertNoLeak(try ProgfigRunner.run(["keygen", "-y", "bad.txt"], in: dir), secret, "keygen -y")
            }
        }
    }

    func testSiteKeysAndPublicKeysNeverPrintTheirValues() throws {
        let site = try makeExampleSite()
        let web1Key = try String(contentsOf: site.key("web1"), encoding: .utf8)
        let inventory = try String(contentsOf: site.inventory, encoding: .utf8)
        let web1Conf = site.root.appendingPathComponent("nodes/web1.conf")
        let conf = try String(contentsOf: web1Conf, encoding: .utf8)
        let badKey = site.base.appendingPathComponent("bad.age")
        let decrypt = ["secret", "decrypt", "-n", "web1"]
        for secret in secrets() {
            for text in fileTexts(secret.text, valid: web1Key.trimmingCharacters(in: .newlines)) {
                try text.write(to: badKey, atomically: false, encoding: .utf8)
                chmod(badKey.path, 0o600)
                assertNoLeak(try progfig(decrypt + ["--age-key", badKey.path], in: site.root), secret, "--age-key")
                assertNoLeak(try progfig(decrypt, in: site.root, environment: ["PROGFIG_AGE_KEY_FILE": badKey.path]),
                             secret, "PROGFIG_AGE_KEY_FILE")
                assertNoLeak(try progfig(decrypt, in: site.root, environment: ["PROGFIG_AGE_KEY": text]), secret, "PROGFIG_AGE_KEY")
                // The node's own key file (age_key_path) and the controller key (controller_age_path).
                try text.write(to: site.key("web1"), atomically: false, encoding: .utf8)
                try site.moveControllerKeyAway()  // else the controller key decrypts, and web1's is not read
                assertNoLeak(try progfig(decrypt, in: site.root), secret, "age_key_path file")
                try site.restoreControllerKey()
                try web1Key.write(to: site.key("web1"), atomically: false, encoding: .utf8)
                let controller = try Data(contentsOf: site.controllerKey)
                try text.write(to: site.controllerKey, atomically: false, encoding: .utf8)
                assertNoLeak(try progfig(["validate"], in: site.root), secret, "controller_age_path file")
                try controller.write(to: site.controllerKey)
            }
            // Public keys in site files: age_pubkey and controller_age_pub.
            let pub = secret.text.trimmingCharacters(in: .whitespaces)
            try conf.replacingOccurrences(of: ExampleSite.publicKeys["web1"]!, with: pub).write(to: web1Conf, atomically: false, encoding: .utf8)
            let validate = try progfig(["validate"], in: site.root)
            assertNoLeak(validate, secret, "age_pubkey, validate")
            XCTAssertTrue(validate.stdoutText.contains("nodes/web1.conf:6: ") || validate.stderr.contains("nodes/web1.conf:6: "),
                          "the line is not named: \(validate.stderr)")
            assertNoLeak(try progfig(["secret", "encrypt", "-n", "web1", "--value", "v", "--save-as", "x"], in: site.root),
                         secret, "age_pubkey, encrypt")
            try conf.write(to: web1Conf, atomically: false, encoding: .utf8)
            try inventory.replacingOccurrences(of: ExampleSite.controllerPublicKey, with: pub)
                .write(to: site.inventory, atomically: false, encoding: .utf8)
            assertNoLeak(try progfig(["validate"], in: site.root), secret, "controller_age_pub, validate")
            assertNoLeak(try progfig(["secret", "encrypt", "-n", "web1", "--value", "v", "--save-as", "x"], in: site.root),
                         secret, "controller_age_pub, encrypt")
            try inventory.write(to: site.inventory, atomically: false, encoding: .utf8)
        }
    }

    func testKeyFilesLargerThanAgeAllowsAreRefusedNamingTheFile() throws {
        let dir = try makeTemporaryDirectory()
        let identity = X25519Identity.generate()
        let recipient = identity.x25519Recipient.encoded
        // 16 MiB and one byte: refused after reading that much, naming the file.
        let huge = dir.appendingPathComponent("huge.txt")
        try Data(count: (16 << 20) + 1).write(to: huge)
        chmod(huge.path, 0o600)
        for (arguments, message) in [
            (["age", "-d", "-i", "huge.txt"], "huge.txt: the identity file is larger than the limit of 16 MiB"),
            (["age", "-R", "huge.txt"], "huge.txt: the recipients file is larger than the limit of 16 MiB"),
            (["age", "-d", "-i", "/dev/zero"], "/dev/zero: the identity file is larger than the limit of 16 MiB"),
            (["age", "-R", "/dev/zero"], "/dev/zero: the recipients file is larger than the limit of 16 MiB"),
        ] {
            let result = try ProgfigRunner.run(arguments, in: dir)
            assertCleanError(result, status: 1, contains: message)
        }
        // Lines: 64 KiB in identity files, 8 KiB in recipients files, as age.
        let longIdentityLine = "# " + String(repeating: "x", count: (64 << 10) - 1)
        try "\(identity.secretKeyString)\n\(longIdentityLine)\n".write(to: huge, atomically: false, encoding: .utf8)
        assertCleanError(try ProgfigRunner.run(["age", "-e", "-i", "huge.txt"], in: dir), status: 1,
                         contains: "huge.txt:2: the line is longer than the limit of 64 KiB")
        let longRecipientLine = "# " + String(repeating: "x", count: (8 << 10) - 1)
        try "\(recipient)\n\(longRecipientLine)\n".write(to: huge, atomically: false, encoding: .utf8)
        assertCleanError(try ProgfigRunner.run(["age", "-R", "huge.txt"], in: dir), status: 1,
                         contains: "huge.txt:2: the line is longer than the limit of 8 KiB")
        // OpenSSH private key files: smaller than 16 KiB, as age reads PEM files.
        try ("-----BEGIN OPENSSH PRIVATE KEY-----\n" + String(repeating: "A", count: 16 << 10)).write(to: huge, atomically: false, encoding: .utf8)
        assertCleanError(try ProgfigRunner.run(["age", "-e", "-i", "huge.txt"], in: dir), status: 1,
                         contains: "huge.txt: an SSH private key file is smaller than 16 KiB; this one is not")
        try ("-----BEGIN RSA PRIVATE KEY-----\n" + String(repeating: "A", count: 16 << 10)).write(to: huge, atomically: false, encoding: .utf8)
        assertCleanError(try ProgfigRunner.run(["age", "-e", "-i", "huge.txt"], in: dir), status: 1,
                         contains: "huge.txt: an SSH private key file is smaller than 16 KiB; this one is not")
        // At the limits exactly, both are read.
        try "\(recipient)\n# \(String(repeating: "x", count: (8 << 10) - 2))\n".write(to: huge, atomically: false, encoding: .utf8)
        XCTAssertEqual(try ProgfigRunner.run(["age", "-R", "huge.txt", "-o", "out.age"], in: dir, stdin: Data("x".utf8)).status, 0)
    }

    /// A CR ending the last line without an LF ends the line, as in age 1.1.1 (which accepts
    /// such a file): the recipient is read, not refused with a message about plugins.
    func testCarriageReturnEndingTheLastLineEndsIt() throws {
        let dir = try makeTemporaryDirectory()
        let identity = X25519Identity.generate()
        try "\(identity.x25519Recipient.encoded)\r".write(to: dir.appendingPathComponent("r.txt"), atomically: false, encoding: .utf8)
        try (identity.secretKeyString + "\n").write(to: dir.appendingPathComponent("k.txt"), atomically: false, encoding: .utf8)
        chmod(dir.appendingPathComponent("k.txt").path, 0o600)
        let encrypted = try ProgfigRunner.run(["age", "-R", "r.txt", "-o", "out.age"], in: dir, stdin: Data("x".utf8))
        XCTAssertEqual(encrypted.status, 0, encrypted.stderr)
        let decrypted = try ProgfigRunner.run(["age", "-d", "-i", "k.txt", "out.age"], in: dir)
        XCTAssertEqual(decrypted.stdoutText, "x")
    }
}
