import Foundation
import XCTest

/// What one run of a program printed and how it exited.
struct RunResult {
    /// The exit status (or the signal number when the process was killed by a signal).
    let status: Int32
    /// Everything written to standard output.
    let stdout: Data
    /// Everything written to standard error, decoded as UTF-8.
    let stderr: String

    /// Standard output decoded as UTF-8.
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

/// A program the runner could not start.
struct RunnerError: Error, CustomStringConvertible {
    let description: String
}

/// Runs the `progfig` executable built alongside the test bundle, and other programs, capturing
/// their output. Site-command tests use it as `try ProgfigRunner.run(["list"], in: dir)`.
enum ProgfigRunner {
    /// The built `progfig` executable: next to the test bundle in the build products directory.
    static var executableURL: URL {
        productsDirectory.appendingPathComponent("progfig")
    }

    /// The build products directory (`.build…/debug`) that holds the test bundle.
    static var productsDirectory: URL {
        #if os(macOS)
        if let bundle = Bundle.allBundles.first(where: { $0.bundlePath.hasSuffix(".xctest") }) {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        #endif
        return Bundle.main.bundleURL
    }

    /// Runs `progfig ARGUMENTS` in `directory` with `stdin` as standard input. The environment is
    /// the test's, without `PROGFIG_PASSPHRASE`, plus `environment`.
    static func run(_ arguments: [String], in directory: URL, stdin: Data = Data(),
                    environment: [String: String] = [:]) throws -> RunResult {
        try runProgram(executableURL, arguments, in: directory, stdin: stdin, environment: environment)
    }

    /// Runs any program like `run`; for age, script(1) and other tools used in the tests.
    static func runProgram(_ executable: URL, _ arguments: [String], in directory: URL, stdin: Data = Data(),
                           environment: [String: String] = [:]) throws -> RunResult {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw RunnerError(description: "\(executable.path) is not an executable file")
        }
        // Files rather than pipes, so that large outputs cannot deadlock the child.
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("progfig-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inURL = scratch.appendingPathComponent("stdin")
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        // 0600, as a careful user keeps a key file: a key given on standard input is checked for
        // its file's permissions like any other identity file.
        guard FileManager.default.createFile(atPath: inURL.path, contents: stdin, attributes: [.posixPermissions: 0o600]) else {
            throw RunnerError(description: "cannot create \(inURL.path)")
        }
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["PROGFIG_PASSPHRASE"] = nil
        env.merge(environment) { $1 }
        process.environment = env
        let inHandle = try FileHandle(forReadingFrom: inURL)
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer { try? inHandle.close(); try? outHandle.close(); try? errHandle.close() }
        process.standardInput = inHandle
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
        process.waitUntilExit()
        return RunResult(status: process.terminationStatus,
                         stdout: try Data(contentsOf: outURL),
                         stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}

extension XCTestCase {
    /// A new empty directory, removed when the test ends.
    func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("progfig-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Asserts that `result` is a clean failure: exit `status`, nothing on standard output, and
    /// exactly one standard-error line `progfig: error: …` that contains none of `secrets`.
    func assertCleanError(_ result: RunResult, status: Int32, contains fragment: String? = nil,
                          secrets: [String] = [], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, status, "stderr: \(result.stderr)", file: file, line: line)
        XCTAssertTrue(result.stdout.isEmpty, "unexpected standard output", file: file, line: line)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 2, "expected one line: \(result.stderr)", file: file, line: line)
        XCTAssertTrue(result.stderr.hasPrefix("progfig: error: "), result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.hasSuffix("\n"), result.stderr, file: file, line: line)
        for marker in ["Fatal error", "Stack dump", "Backtrace", "AgeError", "Kind"] {
            XCTAssertFalse(result.stderr.contains(marker), "stderr mentions \(marker): \(result.stderr)", file: file, line: line)
        }
        if let fragment {
            XCTAssertTrue(result.stderr.contains(fragment), "expected \"\(fragment)\" in: \(result.stderr)", file: file, line: line)
        }
        for secret in secrets where !secret.isEmpty {
            XCTAssertFalse(result.stderr.contains(secret), "stderr leaks a secret: \(result.stderr)", file: file, line: line)
        }
    }
}
