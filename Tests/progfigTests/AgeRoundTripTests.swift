import AgeFormat
import Foundation
import XCTest

/// `progfig age` encrypts and decrypts: X25519 recipients, recipients files, identities as
/// recipients, armor, passphrases, standard input and output, and large inputs.
final class AgeRoundTripTests: XCTestCase {
    private let plaintext = Data("the launch codes are 0000\n".utf8)

    private func run(_ arguments: [String], in dir: URL, stdin: Data = Data(), environment: [String: String] = [:],
                     file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        let result = try ProgfigRunner.run(["age"] + arguments, in: dir, stdin: stdin, environment: environment)
        XCTAssertEqual(result.status, 0, "progfig age \(arguments): \(result.stderr)", file: file, line: line)
        return result
    }

    func testX25519RoundTripThroughFiles() throws {
        let dir = try makeTemporaryDirectory()
        let key = try makeIdentityFile("key.txt", in: dir)
        try plaintext.write(to: dir.appendingPathComponent("in.txt"))
        _ = try run(["-r", key.recipient, "-o", "out.age", "in.txt"], in: dir)
        let ciphertext = try Data(contentsOf: dir.appendingPathComponent("out.age"))
        XCTAssertTrue(ciphertext.starts(with: Data("age-encryption.org/v1\n".utf8)))
        XCTAssertNil(ciphertext.range(of: plaintext))
        _ = try run(["-d", "-i", "key.txt", "-o", "back.txt", "out.age"], in: dir)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("back.txt")), plaintext)
        XCTAssertEqual(try permissions(dir.appendingPathComponent("back.txt")), 0o600, "decrypted output is private")
        XCTAssertEqual(try directoryListing(dir), ["back.txt", "in.txt", "key.txt", "out.age"])
    }

    /// Ciphertext and recipients files get 0666 less the umask, as age gives them; decrypted
    /// output is 0600 whatever the umask.
    func testOutputModesFollowTheUmask() throws {
        let dir = try makeTemporaryDirectory()
        let key = try makeIdentityFile("key.txt", in: dir)
        try plaintext.write(to: dir.appendingPathComponent("in.txt"))
        for (umask, mode) in [("077", 0o600), ("022", 0o644), ("002", 0o664)] {
            let encrypt = try progfigInShell("umask \(umask) && exec \"$0\" \"$@\"", ["age", "-r", key.recipient, "-o", "c\(umask).age", "in.txt"], in: dir)
            XCTAssertEqual(encrypt.status, 0, encrypt.stderr)
            XCTAssertEqual(try permissions(dir.appendingPathComponent("c\(umask).age")), mode, "ciphertext under umask \(umask)")
            let recipients = try progfigInShell("umask \(umask) && exec \"$0\" \"$@\"", ["keygen", "-y", "-o", "r\(umask).txt", "key.txt"], in: dir)
            XCTAssertEqual(recipients.status, 0, recipients.stderr)
            XCTAssertEqual(try permissions(dir.appendingPathComponent("r\(umask).txt")), mode, "recipients under umask \(umask)")
            let decrypt = try progfigInShell("umask \(umask) && exec \"$0\" \"$@\"", ["age", "-d", "-i", "key.txt", "-o", "p\(umask).txt", "c\(umask).age"], in: dir)
            XCTAssertEqual(decrypt.status, 0, decrypt.stderr)
            XCTAssertEqual(try permissions(dir.appendingPathComponent("p\(umask).txt")), 0o600, "plaintext under umask \(umask)")
        }
    }

    func testOutputToDeviceIsWrittenInPlaceNeverReplaced() throws {
        let dir = try makeTemporaryDirectory()
        let key = try makeIdentityFile("key.txt", in: dir)
        try plaintext.write(to: dir.appendingPathComponent("in.txt"))
        _ = try run(["-r", key.recipient, "-o", "/dev/null", "in.txt"], in: dir)
        let attributes = try FileManager.default.attributesOfItem(atPath: "/dev/null")
        XCTAssertEqual(attributes[.type] as? FileAttributeType, .typeCharacterSpecial, "/dev/null must stay a device")
        XCTAssertEqual(try directoryListing(dir), ["in.txt", "key.txt"])
    }

    func testKeyReadableByOthersWarnsButWorks() throws {
        let dir = try makeTemporaryDirectory()
        let key = try makeIdentityFile("key.txt", in: dir)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key.url.path)
        let encrypted = try run(["-r", key.recipient], in: dir, stdin: plaintext)
        let decrypted = try run(["-d", "-i", "key.txt"], in: dir, stdin: encrypted.stdout)
        XCTAssertEqual(decrypted.stdout, plaintext)
        XCTAssertEqual(decrypted.stderr,
                       "progfig: warning: key.txt holds secret keys but is accessible by others (mode 644); run chmod 600 key.txt\n")
    }

    func testKeyOnStandardInputOrThroughASymlinkReadableByOthersWarns() throws {
        let dir = try makeTemporaryDirectory()
        let key = try makeIdentityFile("key.txt", in: dir)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key.url.path)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("link.txt").path, withDestinationPath: "key.txt")
        _ = try run(["-r", key.recipient, "-o", "in.age"], in: dir, stdin: plaintext)
        let viaLink = try run(["-d", "-i", "link.txt", "in.age"], in: dir)
        XCTAssertEqual(viaLink.stdout, plaintext)
        XCTAssertEqual(viaLink.stderr,
                       "progfig: warning: link.txt holds secret keys but is accessible by others (mode 644); run chmod 600 link.txt\n")
        let viaStandardInput = try ProgfigRunner.runProgram(URL(fileURLWithPath: "/bin/sh"),
            ["-c", "exec \"$0\" age -d -i - in.age < key.txt", ProgfigRunner.executableURL.path], in: dir)
        XCTAssertEqual(viaStandardInput.stdout, plaintext)
        XCTAssertEqual(viaStandardInput.stderr, "progfig: warning: standard input is a file that holds secret keys but is "
                       + "accessible by others (mode 644); run chmod 600 on it\n")
    }

    func testStandardInputAndOutput() throws {
        let dir = try makeTemporaryDirectory()
        let key = try makeIdentityFile("key.txt", in: dir)
        let encrypted = try run(["-e", "-r", key.recipient], in: dir, stdin: plaintext)
        XCTAssertEqual(encrypted.stderr, "")
        let decrypted = try run(["-d", "-i", "key.txt", "-"], in: dir, stdin: encrypted.stdout)
        XCTAssertEqual(decrypted.stdout, plaintext)
        XCTAssertEqual(decrypted.stderr, "")
    }

    func testSeveralRecipientsCanEachDecrypt() throws {
        let dir = try makeTemporaryDirectory()
        let keys = try (1...3).map { try makeIdentityFile("key\($0).txt", in: dir) }
        let encrypted = try run(keys.flatMap { ["-r", $0.recipient] }, in: dir, stdin: plaintext)
        for key in keys {
            let decrypted = try run(["-d", "-i", key.url.lastPathComponent], in: dir, stdin: encrypted.stdout)
            XCTAssertEqual(decrypted.stdout, plaintext)
        }
    }

    func testRecipientsFileFromPathAndFromStandardInput() throws {
        let dir = try makeTemporaryDirectory()
        let a = try makeIdentityFile("a.txt", in: dir), b = try makeIdentityFile("b.txt", in: dir)
        let recipients = "# team\n\(a.recipient)\n\n\(b.recipient)\n"
        try recipients.write(to: dir.appendingPathComponent("recipients.txt"), atomically: false, encoding: .utf8)
        try plaintext.write(to: dir.appendingPathComponent("in.txt"))

        _ = try run(["-R", "recipients.txt", "-o", "one.age", "in.txt"], in: dir)
        _ = try run(["-R", "-", "-o", "two.age", "in.txt"], in: dir, stdin: Data(recipients.utf8))
        for file in ["one.age", "two.age"] {
            for key in ["a.txt", "b.txt"] {
                XCTAssertEqual(try run(["-d", "-i", key, file], in: dir).stdout, plaintext, "\(file) with \(key)")
            }
        }
    }

    func testIdentityAsRecipientWhenEncrypting() throws {
        let dir = try makeTemporaryDirectory()
        _ = try makeIdentityFile("key.txt", in: dir)
        let encrypted = try run(["-e", "-i", "key.txt"], in: dir, stdin: plaintext)
        XCTAssertEqual(try run(["-d", "-i", "key.txt"], in: dir, stdin: encrypted.stdout).stdout, plaintext)
    }

    func testArmoredOutputIsDetectedWhenDecrypting() throws {
        let dir = try makeTemporaryDirectory()
        let key = try makeIdentityFile("key.txt", in: dir)
        let encrypted = try run(["-a", "-r", key.recipient], in: dir, stdin: plaintext)
        let text = encrypted.stdoutText
        XCTAssertTrue(text.hasPrefix("-----BEGIN AGE ENCRYPTED FILE-----\n"), text)
        XCTAssertTrue(text.hasSuffix("-----END AGE ENCRYPTED FILE-----\n"), text)
        XCTAssertTrue(text.split(separator: "\n").allSatisfy { $0.count <= 64 })
        XCTAssertEqual(try run(["-d", "-i", "key.txt"], in: dir, stdin: encrypted.stdout).stdout, plaintext)
    }

    func testLargeInputStreamsThroughManyChunks() throws {
        let dir = try makeTemporaryDirectory()
        let key = try makeIdentityFile("key.txt", in: dir)
        let input = try makeRandomFile("big.bin", in: dir, count: 5 * 1024 * 1024 + 17)
        _ = try run(["-r", key.recipient, "-o", "big.age", "big.bin"], in: dir)
        _ = try run(["-d", "-i", "key.txt", "-o", "big.out", "big.age"], in: dir)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("big.out")), try Data(contentsOf: input))
    }

    func testEmptyInputRoundTrips() throws {
        let dir = try makeTemporaryDirectory()
        let key = try makeIdentityFile("key.txt", in: dir)
        let encrypted = try run(["-r", key.recipient], in: dir)
        XCTAssertEqual(try run(["-d", "-i", "key.txt"], in: dir, stdin: encrypted.stdout).stdout, Data())
    }

    func testOutputReplacesAnExistingFileOnSuccess() throws {
        let dir = try makeTemporaryDirectory()
        let key = try makeIdentityFile("key.txt", in: dir)
        try Data("old".utf8).write(to: dir.appendingPathComponent("out.age"))
        _ = try run(["-r", key.recipient, "-o", "out.age"], in: dir, stdin: plaintext)
        XCTAssertEqual(try run(["-d", "-i", "key.txt", "out.age"], in: dir).stdout, plaintext)
    }

    func testPassphraseFromEnvironment() throws {
        let dir = try makeTemporaryDirectory()
        let env = ["PROGFIG_PASSPHRASE": "correct horse battery staple"]
        let encrypted = try run(["-p", "-a"], in: dir, stdin: plaintext, environment: env)
        XCTAssertTrue(encrypted.stdoutText.hasPrefix("-----BEGIN AGE ENCRYPTED FILE-----"))
        XCTAssertEqual(encrypted.stderr, "", "no prompt when the passphrase comes from the environment")
        let decrypted = try run(["-d"], in: dir, stdin: encrypted.stdout, environment: env)
        XCTAssertEqual(decrypted.stdout, plaintext)
    }

    func testPassphraseProtectedIdentityFile() throws {
        let dir = try makeTemporaryDirectory()
        let key = try makeIdentityFile("key.txt", in: dir)
        let env = ["PROGFIG_PASSPHRASE": "key file passphrase"]
        _ = try run(["-p", "-o", "key.txt.age", "key.txt"], in: dir, environment: env)
        try FileManager.default.removeItem(at: key.url)
        let encrypted = try run(["-e", "-i", "key.txt.age"], in: dir, stdin: plaintext, environment: env)
        let decrypted = try run(["-d", "-i", "key.txt.age"], in: dir, stdin: encrypted.stdout, environment: env)
        XCTAssertEqual(decrypted.stdout, plaintext)
    }
}
