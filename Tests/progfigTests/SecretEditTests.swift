import AgeFormat
import Foundation
import XCTest

/// `progfig secret edit` with scripted editors: the value is stored to the collection's readers
/// only when the editor succeeded and changed it, and the private temporary file never survives.
final class SecretEditTests: XCTestCase {
    /// A site copy, a runtime directory for the temporary file, and a directory for editor scripts.
    private struct Fixture {
        let site: ExampleSite
        let runtime: URL
        let scripts: URL

        /// Writes an executable editor script; `$1` is the file to edit, `$LOG` a log directory.
        func editor(_ name: String, _ body: String) throws -> String {
            let url = scripts.appendingPathComponent(name)
            try Data("#!/bin/sh\n\(body)\n".utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: url.path)
            return url.path
        }

        /// The environment for an edit: the runtime directory, the editor, no $VISUAL.
        func environment(editor: String) -> [String: String] {
            ["XDG_RUNTIME_DIR": runtime.path, "EDITOR": editor, "VISUAL": "", "LOG": scripts.path]
        }
    }

    private func makeFixture() throws -> Fixture {
        let base = try makeTemporaryDirectory()
        let runtime = base.appendingPathComponent("runtime"), scripts = base.appendingPathComponent("scripts")
        for dir in [runtime, scripts] { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
        return Fixture(site: try makeExampleSite(), runtime: runtime, scripts: scripts)
    }

    private func assertNoTemporaryFiles(_ fixture: Fixture, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: fixture.runtime.path), [], file: file, line: line)
    }

    /// What the editor saw: its file's mode, its directory's mode and its contents (logged by `seeing`).
    private let seeing = #"stat -c '%a' "$1" > "$LOG/file-mode"; stat -c '%a' "$(dirname "$1")" > "$LOG/dir-mode"; cp "$1" "$LOG/seen"; echo "$1" > "$LOG/path""#

    func testChangedValueIsStoredToTheCollectionsReaders() throws {
        let f = try makeFixture()
        let editor = try f.editor("change", seeing + "\nprintf 'new token' > \"$1\"")
        let before = try snapshot(f.site.root)
        let result = try progfigOK(["secret", "edit", "-n", "web1", "api_token"], in: f.site.root,
                                   environment: f.environment(editor: editor), allowStderr: true)
        XCTAssertEqual(result.stderr, "progfig: stored secret \"api_token\" for node web1\n")
        XCTAssertEqual(try String(contentsOf: f.scripts.appendingPathComponent("seen"), encoding: .utf8), "web1 api token")
        XCTAssertEqual(try String(contentsOf: f.scripts.appendingPathComponent("file-mode"), encoding: .utf8), "600\n")
        XCTAssertEqual(try String(contentsOf: f.scripts.appendingPathComponent("dir-mode"), encoding: .utf8), "700\n")
        let path = try String(contentsOf: f.scripts.appendingPathComponent("path"), encoding: .utf8)
        XCTAssertTrue(path.hasPrefix(f.runtime.path + "/progfig-edit."), path)
        try assertNoTemporaryFiles(f)

        let stored = try readSecretsFile(f.site.nodeSecrets("web1"))["api_token"]!
        XCTAssertEqual(try decryptArmored(stored, with: f.site.key("web1")), Array("new token".utf8))
        XCTAssertEqual(try decryptArmored(stored, with: f.site.controllerKey), Array("new token".utf8))
        XCTAssertThrowsError(try decryptArmored(stored, with: f.site.key("web2")))
        // Only that file changed.
        var after = try snapshot(f.site.root)
        after["nodes/web1.secrets.json"] = before["nodes/web1.secrets.json"]
        XCTAssertEqual(after, before)
    }

    func testUnchangedValueStoresNothing() throws {
        let f = try makeFixture()
        let editor = try f.editor("touch", seeing + "\ntouch \"$1\"")
        let before = try snapshot(f.site.root)
        let result = try progfigOK(["secret", "edit", "-g", "webservers", "tls_key"], in: f.site.root,
                                   environment: f.environment(editor: editor), allowStderr: true)
        XCTAssertEqual(result.stderr, "progfig: secret \"tls_key\" of group webservers is unchanged; nothing stored\n")
        XCTAssertEqual(try String(contentsOf: f.scripts.appendingPathComponent("seen"), encoding: .utf8), "tls-private-key-material")
        XCTAssertEqual(try snapshot(f.site.root), before)
        try assertNoTemporaryFiles(f)
    }

    func testNewNameStartsEmpty() throws {
        let f = try makeFixture()
        let editor = try f.editor("append", seeing + "\nprintf 'fresh' >> \"$1\"")
        try progfigOK(["secret", "edit", "-c", "new_secret"], in: f.site.root, environment: f.environment(editor: editor), allowStderr: true)
        XCTAssertEqual(try Data(contentsOf: f.scripts.appendingPathComponent("seen")), Data())
        let stored = try readSecretsFile(f.site.controllerSecrets)["new_secret"]!
        XCTAssertEqual(try decryptArmored(stored, with: f.site.controllerKey), Array("fresh".utf8))
        XCTAssertThrowsError(try decryptArmored(stored, with: f.site.key("web1")))
        try assertNoTemporaryFiles(f)

        // A new name left empty is not stored.
        let untouched = try f.editor("nothing", "true")
        let before = try snapshot(f.site.root)
        try progfigOK(["secret", "edit", "-c", "other"], in: f.site.root, environment: f.environment(editor: untouched), allowStderr: true)
        XCTAssertEqual(try snapshot(f.site.root), before)
    }

    func testFailingEditorStoresNothing() throws {
        let f = try makeFixture()
        let editor = try f.editor("fail", "printf 'half-typed' > \"$1\"\nexit 3")
        let before = try snapshot(f.site.root)
        let result = try progfig(["secret", "edit", "-n", "db1", "db_password"], in: f.site.root, environment: f.environment(editor: editor))
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "progfig: error: the editor \"\(editor)\" exited with status 3; nothing was stored\n")
        XCTAssertEqual(try snapshot(f.site.root), before)
        try assertNoTemporaryFiles(f)
    }

    func testMissingEditorStoresNothing() throws {
        let f = try makeFixture()
        let before = try snapshot(f.site.root)
        let result = try progfig(["secret", "edit", "-n", "db1", "db_password"], in: f.site.root,
                                 environment: f.environment(editor: f.scripts.appendingPathComponent("absent").path))
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasSuffix("exited with status 127; nothing was stored\n"), result.stderr)
        XCTAssertEqual(try snapshot(f.site.root), before)
        try assertNoTemporaryFiles(f)
    }

    /// Starts `progfig secret edit -n web1 api_token` with an editor that changes the file and
    /// then waits; returns the process, the editor's pid, and the file standard error goes to.
    private func startHangingEdit(_ f: Fixture) throws -> (process: Process, editor: pid_t, stderr: URL) {
        let editor = try f.editor("hang", "printf 'changed' > \"$1\"\necho $$ > \"$LOG/pid\"\nexec sleep 30")
        let process = Process()
        process.executableURL = ProgfigRunner.executableURL
        process.arguments = ["secret", "edit", "-n", "web1", "api_token"]
        process.currentDirectoryURL = f.site.root
        var environment = ProcessInfo.processInfo.environment
        for variable in progfigEnvironmentVariables { environment[variable] = "" }
        environment.merge(f.environment(editor: editor)) { $1 }
        process.environment = environment
        let stderr = f.scripts.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.run()
        let pidFile = f.scripts.appendingPathComponent("pid")
        let deadline = Date().addingTimeInterval(20)
        while (try? Data(contentsOf: pidFile))?.last != 0x0a {
            guard Date() < deadline else {
                process.terminate()
                throw XCTSkip("the editor did not start within 20 s")
            }
            usleep(20_000)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: f.runtime.path).count, 1)
        let pid = Int32(try String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))!
        return (process, pid, stderr)
    }

    /// SIGTERM or SIGHUP while the editor runs (after it changed the file): progfig ends by that
    /// signal, the file is gone and nothing is stored.
    func testTerminatedEditStoresNothingAndRemovesTheFile() throws {
        for sig in [SIGTERM, SIGHUP] {
            let f = try makeFixture()
            let before = try snapshot(f.site.root)
            let (process, editor, _) = try startHangingEdit(f)
            kill(process.processIdentifier, sig)
            usleep(300_000)
            kill(editor, SIGKILL)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationReason, .uncaughtSignal, "signal \(sig)")
            XCTAssertEqual(process.terminationStatus, sig)
            try assertNoTemporaryFiles(f)
            XCTAssertEqual(try snapshot(f.site.root), before, "signal \(sig)")
        }
    }

    /// Control-C at the terminal reaches progfig and the editor: progfig ignores it while the
    /// editor runs (the editor may use it), and when it ends the editor nothing is stored.
    func testControlCEndsTheEditorAndStoresNothing() throws {
        let f = try makeFixture()
        let before = try snapshot(f.site.root)
        let (process, editor, stderr) = try startHangingEdit(f)
        kill(process.processIdentifier, SIGINT)
        usleep(300_000)
        XCTAssertTrue(process.isRunning, "progfig ended on SIGINT while the editor ran")
        kill(editor, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 1)
        // The shell running the editor script reports its death by SIGINT as status 130.
        let message = try String(contentsOf: stderr, encoding: .utf8)
        XCTAssertTrue(message.hasSuffix("exited with status 130; nothing was stored\n"), message)
        try assertNoTemporaryFiles(f)
        XCTAssertEqual(try snapshot(f.site.root), before)
    }

    func testEditNeedsExactlyOneCollection() throws {
        let f = try makeFixture()
        for arguments in [["secret", "edit", "x"], ["secret", "edit", "-n", "web1", "-c", "x"], ["secret", "edit", "-n", "web1,web2", "x"]] {
            let result = try progfig(arguments, in: f.site.root, environment: f.environment(editor: "true"))
            XCTAssertEqual(result.status, 64, "\(arguments)")
            XCTAssertTrue(result.stderr.contains("name exactly one collection"), result.stderr)
        }
        let unknown = try progfig(["secret", "edit", "-n", "nosuch", "x"], in: f.site.root, environment: f.environment(editor: "true"))
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("nosuch"), unknown.stderr)
        try assertNoTemporaryFiles(f)
    }
}
