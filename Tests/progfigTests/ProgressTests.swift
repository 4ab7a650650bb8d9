import Foundation
import XCTest

/// Progress bars: drawn on standard error only when it is a terminal (script(1) from util-linux
/// provides one), hidden by -q and --no-progress, and never written to pipes or to standard output.
final class ProgressTests: XCTestCase {
    private let recipient = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
    private let erase = "\r\u{1B}[K"

    /// Runs `arguments` (progfig's, shell-quoted by the caller) under script(1) with standard
    /// output sent to out.txt, so the terminal shows standard error only; returns what it showed.
    private func terminalErrorStream(_ arguments: String, in dir: URL) throws -> String {
        let script = try requireProgram("/usr/bin/script")
        var env: [String: String] = [:]
        for variable in progfigEnvironmentVariables { env[variable] = "" }
        let command = "\(ProgfigRunner.executableURL.path) \(arguments) > out.txt"
        let result = try ProgfigRunner.runProgram(script, ["-qec", command, "/dev/null"], in: dir, environment: env)
        XCTAssertEqual(result.status, 0, result.stdoutText)
        return result.stdoutText
    }

    /// The site commands show a bar, with a count, a rate and the time left, then erase it.
    func testSiteCommandsShowABarOnATerminal() throws {
        let site = try makeExampleSite()
        let siteOption = "--site \(site.root.path)"
        for (arguments, label) in [("\(siteOption) secret rekey", "rekey"),
                                   ("\(siteOption) secret rekey --dry-run", "rekey (dry run)"),
                                   ("\(siteOption) validate", "validate"),
                                   ("\(siteOption) secret decrypt -n web1,db1 -g universal -c", "decrypt")] {
            let shown = try terminalErrorStream(arguments, in: site.root)
            XCTAssertTrue(shown.contains("\r\(label)  ["), "\(arguments): \(shown.debugDescription)")
            XCTAssertTrue(shown.contains("/s"), "a rate: \(shown.debugDescription)")
            XCTAssertTrue(shown.contains(" left"), "the time left: \(shown.debugDescription)")
            let finalFrame = shown.components(separatedBy: erase).dropLast().last ?? ""
            XCTAssertTrue(finalFrame.contains("["), "the bar is erased at the end: \(shown.debugDescription)")
            XCTAssertTrue(shown.hasSuffix(erase) || shown.hasSuffix(erase + "progfig: site example_site: no problems found\r\n"),
                          "nothing is left of the bar: \(shown.debugDescription)")
        }
        let decrypted = try String(contentsOf: site.root.appendingPathComponent("out.txt"), encoding: .utf8)
        XCTAssertTrue(decrypted.hasPrefix("# node web1 api_token\n"), "standard output has no bar: \(decrypted.debugDescription)")
    }

    func testQuietAndNoProgressHideTheBar() throws {
        let site = try makeExampleSite()
        for flag in ["-q", "--no-progress"] {
            for command in ["secret rekey", "validate", "secret decrypt -n web1,db1"] {
                let shown = try terminalErrorStream("--site \(site.root.path) \(command) \(flag)", in: site.root)
                XCTAssertFalse(shown.contains("["), "\(command) \(flag): \(shown.debugDescription)")
            }
        }
    }

    func testNoBarWhenStandardErrorIsNotATerminal() throws {
        let site = try makeExampleSite()
        for command in [["secret", "rekey"], ["secret", "decrypt", "-n", "web1,db1"]] {
            let result = try progfigOK(["--site", site.root.path] + command, in: site.root)
            XCTAssertEqual(result.stderr, "")
        }
    }

    /// `progfig age` shows a bar in MiB for inputs of 64 MiB or more, and none below.
    func testAgeShowsABarForLargeInputsOnly() throws {
        let dir = try makeTemporaryDirectory()
        let big = dir.appendingPathComponent("big.bin")
        let small = dir.appendingPathComponent("small.bin")
        XCTAssertTrue(FileManager.default.createFile(atPath: big.path, contents: Data(count: 64 << 20)))
        XCTAssertTrue(FileManager.default.createFile(atPath: small.path, contents: Data(count: (64 << 20) - 1)))
        let shown = try terminalErrorStream("age -r \(recipient) -o big.age big.bin", in: dir)
        XCTAssertTrue(shown.contains("\rencrypt  ["), shown.debugDescription)
        XCTAssertTrue(shown.contains("/64.0 MiB"), shown.debugDescription)
        XCTAssertTrue(shown.contains("MiB/s"), shown.debugDescription)
        XCTAssertTrue(shown.hasSuffix(erase), shown.debugDescription)
        XCTAssertEqual(try terminalErrorStream("age -r \(recipient) -o big.age --no-progress big.bin", in: dir), "")
        XCTAssertEqual(try terminalErrorStream("age -r \(recipient) -o small.age small.bin", in: dir), "")
    }
}
