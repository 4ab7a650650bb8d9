import Foundation
import XCTest

/// Usage errors exit 64 with one age-like line; help and `--version` exit 0 on standard output.
final class UsageTests: XCTestCase {
    private let recipient = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"

    func testConflictingAgeFlagsAreUsageErrors() throws {
        let dir = try makeTemporaryDirectory()
        let cases: [([String], String)] = [
            (["-e", "-d"], "-e/--encrypt can't be used with -d/--decrypt"),
            (["-d", "-r", recipient], "-r/--recipient can't be used with -d/--decrypt"),
            (["-d", "-R", "r.txt"], "-R/--recipients-file can't be used with -d/--decrypt"),
            (["-d", "-a"], "-a/--armor can't be used with -d/--decrypt"),
            (["-d", "-p"], "-p/--passphrase can't be used with -d/--decrypt"),
            (["-p", "-r", recipient], "-p/--passphrase can't be combined with -r/--recipient"),
            (["-p", "-R", "r.txt"], "-p/--passphrase can't be combined with -R/--recipients-file"),
            (["-e", "-p", "-i", "k.txt"], "-p/--passphrase can't be combined with -i/--identity"),
            // As age: -i encrypts only with an explicit -e, so a forgotten -d is caught.
            (["-i", "k.txt"], "-i/--identity and -j encrypt only when -e/--encrypt is given; did you forget -d/--decrypt?"),
            (["-i", "k.txt", "-r", recipient], "-i/--identity and -j encrypt only when -e/--encrypt is given"),
            (["-p", "-i", "k.txt"], "-i/--identity and -j encrypt only when -e/--encrypt is given"),
            ([], "missing recipients"),
            (["-a"], "missing recipients"),
            (["-R", "-"], "standard input is used for more than one purpose"),
            (["-d", "-i", "-", "-"], "standard input is used for more than one purpose"),
            (["-r", recipient, "a.txt", "b.txt"], "Unexpected argument 'b.txt'"),
            (["-r", recipient, "--bogus"], "Unknown option '--bogus'"),
            (["-r"], "Missing value for '-r"),
        ]
        for (arguments, fragment) in cases {
            let result = try ProgfigRunner.run(["age"] + arguments, in: dir)
            assertCleanError(result, status: 64, contains: fragment)
            XCTAssertTrue(result.stderr.contains("progfig age --help"), result.stderr)
        }
    }

    func testUnknownSubcommandIsAUsageError() throws {
        let result = try ProgfigRunner.run(["frobnicate"], in: try makeTemporaryDirectory())
        assertCleanError(result, status: 64, contains: "frobnicate")
    }

    func testVersion() throws {
        let result = try ProgfigRunner.run(["--version"], in: try makeTemporaryDirectory())
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdoutText, "0.1.0\n")
    }

    func testHelpDescribesEveryCommandAndOption() throws {
        let dir = try makeTemporaryDirectory()
        let expectations: [([String], [String])] = [
            (["--help"], ["progfiguration site", "keygen", "age", "--version", "progfig keygen -o key.txt"]),
            (["age", "--help"], ["--encrypt", "--decrypt", "--recipient", "--recipients-file", "--identity",
                                 "--armor", "--passphrase", "--output", "PROGFIG_PASSPHRASE", "progfig age -d -i key.txt"]),
            (["keygen", "--help"], ["-o, --output", "-y", "0600", "progfig keygen -y key.txt"]),
            (["help", "age"], ["--recipients-file"]),
            (["help", "age", "inspect"], ["without decrypting it", "--json"]),
            (["age", "inspect", "--help"], ["without decrypting it", "--json"]),
        ]
        for (arguments, fragments) in expectations {
            let result = try ProgfigRunner.run(arguments, in: dir)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stderr, "")
            for fragment in fragments {
                XCTAssertTrue(result.stdoutText.contains(fragment), "\(arguments) help lacks \(fragment)")
            }
        }
    }

    func testCompletionScriptsAreGenerated() throws {
        let dir = try makeTemporaryDirectory()
        for (shell, marker) in [("bash", "complete -"), ("zsh", "#compdef progfig"), ("fish", "complete -c 'progfig'")] {
            let result = try ProgfigRunner.run(["--generate-completion-script", shell], in: dir)
            XCTAssertEqual(result.status, 0, shell)
            XCTAssertTrue(result.stdoutText.contains(marker), "\(shell) script lacks \(marker)")
            XCTAssertTrue(result.stdoutText.contains("secret"), "\(shell) script lacks the secret subcommand")
            XCTAssertEqual(result.stderr, "")
        }
    }
}
