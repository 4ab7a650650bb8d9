import Foundation
import XCTest

/// Files written by `progfig age` and `progfig keygen` work with age 1.x, and the reverse.
/// Skipped (with a SKIPPED line) when /usr/bin/age is not installed.
final class InteropTests: XCTestCase {
    private let plaintext = Data("shared between implementations\n".utf8)

    private func requireAge() throws -> (age: URL, keygen: URL) {
        (try requireProgram("/usr/bin/age"), try requireProgram("/usr/bin/age-keygen"))
    }

    func testAgeDecryptsWhatProgfigEncrypts() throws {
        let (age, _) = try requireAge()
        let dir = try makeTemporaryDirectory()
        XCTAssertEqual(try ProgfigRunner.run(["keygen", "-o", "key.txt"], in: dir).status, 0)
        let recipient = try ProgfigRunner.run(["keygen", "-y", "key.txt"], in: dir).stdoutText
            .trimmingCharacters(in: .newlines)
        for armor in [[], ["-a"]] {
            let encrypted = try ProgfigRunner.run(["age", "-r", recipient] + armor, in: dir, stdin: plaintext)
            XCTAssertEqual(encrypted.status, 0, encrypted.stderr)
            let decrypted = try ProgfigRunner.runProgram(age, ["-d", "-i", "key.txt"], in: dir, stdin: encrypted.stdout)
            XCTAssertEqual(decrypted.status, 0, decrypted.stderr)
            XCTAssertEqual(decrypted.stdout, plaintext, "armor: \(armor)")
        }
    }

    func testProgfigDecryptsWhatAgeEncrypts() throws {
        let (age, keygen) = try requireAge()
        let dir = try makeTemporaryDirectory()
        XCTAssertEqual(try ProgfigRunner.runProgram(keygen, ["-o", "key.txt"], in: dir).status, 0)
        let recipient = try ProgfigRunner.runProgram(keygen, ["-y", "key.txt"], in: dir).stdoutText
            .trimmingCharacters(in: .newlines)
        XCTAssertEqual(try ProgfigRunner.run(["keygen", "-y", "key.txt"], in: dir).stdoutText, recipient + "\n")
        for armor in [[], ["-a"]] {
            let encrypted = try ProgfigRunner.runProgram(age, ["-r", recipient] + armor, in: dir, stdin: plaintext)
            XCTAssertEqual(encrypted.status, 0, encrypted.stderr)
            let decrypted = try ProgfigRunner.run(["age", "-d", "-i", "key.txt"], in: dir, stdin: encrypted.stdout)
            XCTAssertEqual(decrypted.status, 0, decrypted.stderr)
            XCTAssertEqual(decrypted.stdout, plaintext, "armor: \(armor)")
        }
    }

    /// Encrypts a random file of `size` bytes with each implementation and decrypts it with the other.
    private func assertMultiChunkInterop(size: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let (age, keygen) = try requireAge()
        let dir = try makeTemporaryDirectory()
        XCTAssertEqual(try ProgfigRunner.runProgram(keygen, ["-o", "key.txt"], in: dir).status, 0)
        let recipient = try ProgfigRunner.runProgram(keygen, ["-y", "key.txt"], in: dir).stdoutText
            .trimmingCharacters(in: .newlines)
        let input = try makeRandomFile("big.bin", in: dir, count: size)
        let steps: [(URL?, [String])] = [
            (nil, ["age", "-r", recipient, "-o", "p.age", "big.bin"]),
            (age, ["-d", "-i", "key.txt", "-o", "p.out", "p.age"]),
            (age, ["-r", recipient, "-o", "a.age", "big.bin"]),
            (nil, ["age", "-d", "-i", "key.txt", "-o", "a.out", "a.age"]),
        ]
        for (program, arguments) in steps {
            let result = try program.map { try ProgfigRunner.runProgram($0, arguments, in: dir) }
                ?? ProgfigRunner.run(arguments, in: dir)
            XCTAssertEqual(result.status, 0, "\(program?.lastPathComponent ?? "progfig") \(arguments): \(result.stderr)", file: file, line: line)
        }
        let expected = try Data(contentsOf: input)
        XCTAssertEqual(try? Data(contentsOf: dir.appendingPathComponent("p.out")), expected, "age reads progfig", file: file, line: line)
        XCTAssertEqual(try? Data(contentsOf: dir.appendingPathComponent("a.out")), expected, "progfig reads age", file: file, line: line)
    }

    func testMultiChunkFileInBothDirections() throws {
        try assertMultiChunkInterop(size: 3 * 64 * 1024 + 1000)
    }

    /// A payload that is an exact multiple of the 64 KiB chunk size ends with a full-size final
    /// chunk, which age writes and readers must accept.
    func testFullSizeFinalChunkInBothDirections() throws {
        try assertMultiChunkInterop(size: 2 * 64 * 1024)
    }
}
