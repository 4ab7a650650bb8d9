import Foundation
import XCTest
@testable import AgeFormat
import SecureIO

/// The plugin client against the suite's plugin (Tests/Plugin/age-plugin-progfigtest, a toy
/// recipient type in Python): both state machines, the UI commands, labels, grease, and every way
/// a plugin can fail. The installed `age` binary, talking to the same plugin, is the reference.
final class PluginTests: XCTestCase {
    static let pluginDirectory = repositoryRoot.appendingPathComponent("Tests/Plugin")
    private var savedPath: String?
    private var log: URL!

    /// A toy key pair as the plugin makes them: identity secret s, recipient SHA-256(s).
    struct ToyKey {
        let secret = Sodium.randomBytes(32)
        var identity: String { Bech32.encode(hrp: "AGE-PLUGIN-PROGFIGTEST-", data: secret, uppercase: true) }
        var recipient: String { Bech32.encode(hrp: "age1progfigtest", data: Sodium.sha256(secret)) }
    }

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/env"),
              (try? runTool("/usr/bin/env", ["python3", "--version"]))?.status == 0 else {
            print("SKIPPED: python3 not found; the test plugin needs it")
            throw XCTSkip("python3 not found; the test plugin needs it")
        }
        savedPath = ProcessInfo.processInfo.environment["PATH"]
        setenv("PATH", Self.pluginDirectory.path + ":" + (savedPath ?? "/usr/bin:/bin"), 1)
        log = FileManager.default.temporaryDirectory.appendingPathComponent("plugin-log-\(UUID().uuidString)")
        setenv("PROGFIG_TEST_PLUGIN_LOG", log.path, 1)
        unsetenv("PROGFIG_TEST_PLUGIN_MODE")
        unsetenv(PluginProcess.timeoutVariable)
    }

    override func tearDown() {
        if let savedPath { setenv("PATH", savedPath, 1) }
        unsetenv("PROGFIG_TEST_PLUGIN_LOG")
        unsetenv("PROGFIG_TEST_PLUGIN_MODE")
        unsetenv(PluginProcess.timeoutVariable)
        try? FileManager.default.removeItem(at: log)
    }

    private struct ToolResult { let status: Int32; let stdout: [UInt8]; let stderr: String }

    @discardableResult
    private func runTool(_ path: String, _ arguments: [String], stdin: [UInt8] = []) throws -> ToolResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(stdin))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ToolResult(status: process.terminationStatus, stdout: [UInt8](out), stderr: String(decoding: err, as: UTF8.self))
    }

    private var age: String? {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/age") ? "/usr/bin/age" : nil
    }

    /// The pids the plugin logged; each must be gone (reaped, not a zombie).
    private func assertPluginsReaped(file: StaticString = #filePath, line: UInt = #line) throws {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let pids = text.split(separator: "\n").filter { $0.hasPrefix("pid ") }.compactMap { Int32($0.split(separator: " ")[1]) }
        XCTAssertFalse(pids.isEmpty, "the plugin never started", file: file, line: line)
        for pid in pids {
            XCTAssertEqual(kill(pid, 0), -1, "plugin \(pid) still exists", file: file, line: line)
            XCTAssertEqual(errno, ESRCH, file: file, line: line)
        }
    }

    private func encrypt(_ plaintext: [UInt8], to recipients: [any Recipient], armored: Bool = false) throws -> [UInt8] {
        try Encryptor(recipients: recipients, armored: armored).encrypt(plaintext)
    }

    private func assertPluginError(_ expected: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let error = error as? AgeError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(error.kind, .plugin, error.message, file: file, line: line)
            XCTAssertTrue(error.message.hasPrefix("age-plugin-"), error.message, file: file, line: line)
            XCTAssertTrue(error.message.contains(expected), error.message, file: file, line: line)
            XCTAssertFalse(error.message.contains("\n"), file: file, line: line)
        }
    }

    // MARK: round trips

    func testRoundTripThroughThePlugin() throws {
        let key = ToyKey()
        let plaintext = Array("through the toy plugin".utf8)
        let recipient = try PluginRecipient(key.recipient)
        XCTAssertEqual(recipient.name, "progfigtest")
        let file = try encrypt(plaintext, to: [recipient])
        XCTAssertEqual(try Header.parse(file).stanzas.map(\.type), ["progfigtest"])
        XCTAssertEqual(try Decryptor(identities: [PluginIdentity(key.identity)]).decrypt(file), plaintext)
        // Another toy key's identity finds nothing for it.
        XCTAssertThrowsError(try Decryptor(identities: [PluginIdentity(ToyKey().identity)]).decrypt(file)) {
            XCTAssertEqual(($0 as? AgeError)?.kind, .noMatch)
        }
        // Encrypting to the identity itself (add-identity) gives a file it opens.
        let identity = try PluginIdentity(key.identity)
        XCTAssertEqual(try Decryptor(identities: [identity]).decrypt(try encrypt(plaintext, to: [identity.pluginRecipient])), plaintext)
        try assertPluginsReaped()
    }

    func testMixedWithNativeRecipients() throws {
        let key = ToyKey(), native = X25519Identity.generate()
        let file = try encrypt(Array("mixed".utf8), to: [native.x25519Recipient, PluginRecipient(key.recipient)], armored: true)
        XCTAssertEqual(try Header.parse(file).stanzas.map(\.type), ["X25519", "progfigtest"])
        XCTAssertEqual(try Decryptor(identities: [native]).decrypt(file), Array("mixed".utf8))
        XCTAssertEqual(try Decryptor(identities: [PluginIdentity(key.identity)]).decrypt(file), Array("mixed".utf8))
    }

    func testIdentityWithoutData() throws {
        let identity = try PluginIdentity(pluginName: "progfigtest")
        XCTAssertTrue(identity.encoded.hasPrefix("AGE-PLUGIN-PROGFIGTEST-1"))
        let file = try encrypt(Array("-j".utf8), to: [identity.pluginRecipient])
        XCTAssertEqual(try Decryptor(identities: [identity]).decrypt(file), Array("-j".utf8))
        XCTAssertThrowsError(try PluginIdentity(pluginName: "../evil"))
        XCTAssertThrowsError(try PluginIdentity(pluginName: ""))
    }

    func testInteroperatesWithTheAgeBinary() throws {
        guard let age else {
            print("SKIPPED: age binary not installed")
            throw XCTSkip("age binary not installed")
        }
        let key = ToyKey()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plugin-age-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let identityFile = dir.appendingPathComponent("identity.txt")
        try Data((key.identity + "\n").utf8).write(to: identityFile)
        let plaintext = Array("age and progfig share a plugin".utf8) + Sodium.randomBytes(70_000)

        // progfig encrypts through the plugin, age decrypts through it.
        for armored in [false, true] {
            let file = try encrypt(plaintext, to: [PluginRecipient(key.recipient)], armored: armored)
            let opened = try runTool(age, ["-d", "-i", identityFile.path], stdin: file)
            XCTAssertEqual(opened.status, 0, opened.stderr)
            XCTAssertEqual(opened.stdout, plaintext)
        }
        // age encrypts through it, progfig decrypts.
        let sealed = try runTool(age, ["-r", key.recipient], stdin: plaintext)
        XCTAssertEqual(sealed.status, 0, sealed.stderr)
        XCTAssertEqual(try Decryptor(identities: [PluginIdentity(key.identity)]).decrypt(sealed.stdout), plaintext)
        // And with -j on both sides.
        let j = try runTool(age, ["-e", "-j", "progfigtest"], stdin: plaintext)
        XCTAssertEqual(j.status, 0, j.stderr)
        XCTAssertEqual(try Decryptor(identities: [PluginIdentity(pluginName: "progfigtest")]).decrypt(j.stdout), plaintext)
        let fromUs = try encrypt(plaintext, to: [PluginIdentity(pluginName: "progfigtest").pluginRecipient])
        XCTAssertEqual(try runTool(age, ["-d", "-j", "progfigtest"], stdin: fromUs).stdout, plaintext)
    }

    /// Many files, one conversation: the plugin runs once for every file no native key opens,
    /// and not at all when native keys open them all.
    func testBatchUnwrapsManyFilesInOneConversation() throws {
        let key = ToyKey(), other = ToyKey(), native = X25519Identity.generate()
        var files: [[UInt8]] = []
        for i in 0..<4 { files.append(try encrypt(Array("plugin \(i)".utf8), to: [PluginRecipient(key.recipient)])) }
        files.append(try encrypt(Array("native".utf8), to: [native.x25519Recipient]))
        files.append(try encrypt(Array("other".utf8), to: [PluginRecipient(other.recipient)]))
        try FileManager.default.removeItem(at: log)

        let identities = try PluginBatch.identities([PluginIdentity(key.identity), native], for: files)
        let pids = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("pid ") }
        XCTAssertEqual(pids.count, 1, "\(pids)")
        let decryptor = Decryptor(identities: identities)
        for i in 0..<4 { XCTAssertEqual(try decryptor.decrypt(files[i]), Array("plugin \(i)".utf8)) }
        XCTAssertEqual(try decryptor.decrypt(files[4]), Array("native".utf8))
        XCTAssertThrowsError(try decryptor.decrypt(files[5])) { XCTAssertEqual(($0 as? AgeError)?.kind, .noMatch) }
        // A tampered header still fails its MAC check with the key found for the original.
        var tampered = files[0]
        tampered[tampered.count - 1] ^= 1
        XCTAssertThrowsError(try decryptor.decrypt(tampered))

        try FileManager.default.removeItem(at: log)
        _ = try PluginBatch.identities([PluginIdentity(key.identity), native], for: [files[4]])
        XCTAssertFalse(FileManager.default.fileExists(atPath: log.path), "the plugin ran for a file a native key opens")
    }

    // MARK: protocol features

    func testClientSendsGreaseAndAnswersUnknownCommandsWithUnsupported() throws {
        let key = ToyKey()
        setenv("PROGFIG_TEST_PLUGIN_MODE", "grease", 1)
        let file = try encrypt(Array("grease".utf8), to: [PluginRecipient(key.recipient)])
        XCTAssertEqual(try Decryptor(identities: [PluginIdentity(key.identity)]).decrypt(file), Array("grease".utf8))
        let commands = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        // Two grease messages per state machine, each run; the plugin ignored them.
        XCTAssertEqual(commands.filter { $0.hasSuffix("-grease") }.count, 4, "\(commands)")
        // The plugin sent an unknown command in each run and got `unsupported` (it errs otherwise).
        XCTAssertEqual(commands.filter { $0 == "unsupported" }.count, 2, "\(commands)")
    }

    func testUICommandsReachTheUI() throws {
        let key = ToyKey()
        let plain = Array("ui".utf8)
        let file = try encrypt(plain, to: [PluginRecipient(key.recipient)])
        setenv("PROGFIG_TEST_PLUGIN_MODE", "ui", 1)
        let seen = Transcript()
        let ui = PluginUI(
            message: { plugin, text in seen.add("msg \(plugin): \(text)"); return true },
            confirm: { _, prompt, yes, no in seen.add("confirm \(prompt) [\(yes)/\(no ?? "-")]"); return true },
            request: { _, prompt, secret in
                seen.add("request \(prompt) secret=\(secret)")
                return SecureBytes(Array((secret ? "1234" : "label-1").utf8))
            })
        XCTAssertEqual(try Decryptor(identities: [PluginIdentity(key.identity, ui: ui)]).decrypt(file), plain)
        XCTAssertEqual(seen.lines, ["msg progfigtest: touch the toy key", "confirm use the toy key? [Yes please/No thanks]",
                                    "request toy key label secret=false", "request toy key PIN secret=true"])
        let wrapped = try encrypt(plain, to: [PluginRecipient(key.recipient, ui: ui)])
        unsetenv("PROGFIG_TEST_PLUGIN_MODE")
        XCTAssertEqual(try Decryptor(identities: [PluginIdentity(key.identity)]).decrypt(wrapped), plain)

        // Without a UI every request fails, and this plugin gives up with an error.
        setenv("PROGFIG_TEST_PLUGIN_MODE", "ui", 1)
        assertPluginError("msg was not displayed") { _ = try Decryptor(identities: [PluginIdentity(key.identity)]).decrypt(file) }
        setenv("PROGFIG_TEST_PLUGIN_PIN", "9999", 1)
        defer { unsetenv("PROGFIG_TEST_PLUGIN_PIN") }
        assertPluginError("wrong PIN") { _ = try Decryptor(identities: [PluginIdentity(key.identity, ui: ui)]).decrypt(file) }
    }

    func testLabelsAreReported() throws {
        setenv("PROGFIG_TEST_PLUGIN_MODE", "labels", 1)
        let (stanzas, labels) = try PluginRecipient(ToyKey().recipient).wrapWithLabels(fileKey: FileKey.generate())
        XCTAssertEqual(stanzas.count, 1)
        XCTAssertEqual(labels, ["toy-label"])
        unsetenv("PROGFIG_TEST_PLUGIN_MODE")
        XCTAssertEqual(try PluginRecipient(ToyKey().recipient).wrapWithLabels(fileKey: FileKey.generate()).labels, [])
    }

    // MARK: failures

    func testMissingPlugin() throws {
        let name = Bech32.encode(hrp: "age1nosuchplugin", data: [1, 2, 3])
        assertPluginError("age-plugin-nosuchplugin was not found in PATH") { _ = try self.encrypt([1], to: [PluginRecipient(name)]) }
        let identity = Bech32.encode(hrp: "AGE-PLUGIN-NOSUCHPLUGIN-", data: [1], uppercase: true)
        let file = try encrypt([1], to: [X25519Identity.generate().x25519Recipient])
        assertPluginError("not found in PATH") { _ = try Decryptor(identities: [PluginIdentity(identity)]).decrypt(file) }
    }

    func testPluginInTheCurrentDirectoryIsNotRun() throws {
        // A relative or empty PATH entry would search the working directory: it is skipped.
        XCTAssertNil(PluginProcess.find("progfigtest", path: "Tests/Plugin::."))
        XCTAssertNil(PluginProcess.find("progfigtest", path: ""))
        XCTAssertEqual(PluginProcess.find("progfigtest", path: "/nonexistent:" + Self.pluginDirectory.path),
                       Self.pluginDirectory.path + "/age-plugin-progfigtest")
        XCTAssertNil(PluginProcess.find("../Plugin/age-plugin-progfigtest", path: Self.pluginDirectory.path))
    }

    func testPluginError() throws {
        let key = ToyKey()
        let file = try encrypt([1], to: [PluginRecipient(key.recipient)])
        setenv("PROGFIG_TEST_PLUGIN_MODE", "error", 1)
        assertPluginError("the toy key is unplugged") { _ = try self.encrypt([1], to: [PluginRecipient(key.recipient)]) }
        // Wrapping to an identity names no part of it (its data may be secret).
        XCTAssertThrowsError(try encrypt([1], to: [PluginIdentity(key.identity).pluginRecipient])) { error in
            XCTAssertEqual((error as? AgeError)?.message, "age-plugin-progfigtest: the plugin could not wrap to its identity: the toy key is unplugged (internal)")
        }
        assertPluginError("the toy key is unplugged") { _ = try Decryptor(identities: [PluginIdentity(key.identity)]).decrypt(file) }
        try assertPluginsReaped()
    }

    func testPluginThatExitsMidProtocol() throws {
        let key = ToyKey()
        let file = try encrypt([1], to: [PluginRecipient(key.recipient)])
        setenv("PROGFIG_TEST_PLUGIN_MODE", "exit", 1)
        assertPluginError("exited before finishing the protocol, exit status 7") { _ = try self.encrypt([1], to: [PluginRecipient(key.recipient)]) }
        assertPluginError("exited before finishing the protocol") { _ = try Decryptor(identities: [PluginIdentity(key.identity)]).decrypt(file) }
        setenv("PROGFIG_TEST_PLUGIN_MODE", "crash-start", 1)
        assertPluginError("exited before finishing the protocol") { _ = try self.encrypt([1], to: [PluginRecipient(key.recipient)]) }
        try assertPluginsReaped()
    }

    func testPluginThatNeverAnswersTimesOutAndIsKilled() throws {
        let key = ToyKey()
        let file = try encrypt([1], to: [PluginRecipient(key.recipient)])
        setenv("PROGFIG_TEST_PLUGIN_MODE", "hang", 1)
        setenv(PluginProcess.timeoutVariable, "1", 1)
        let start = Date()
        assertPluginError("did not answer within 1 seconds") { _ = try self.encrypt([1], to: [PluginRecipient(key.recipient)]) }
        assertPluginError("did not answer within 1 seconds") { _ = try Decryptor(identities: [PluginIdentity(key.identity)]).decrypt(file) }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        try assertPluginsReaped()
    }

    // MARK: parsing keys

    func testParsingPluginKeys() throws {
        let key = ToyKey()
        XCTAssertTrue(PluginRecipient.matches(key.recipient))
        XCTAssertFalse(PluginRecipient.matches(X25519Identity.generate().x25519Recipient.encoded))
        XCTAssertTrue(PluginIdentity.matches(key.identity))
        XCTAssertEqual(try PluginIdentity(key.identity).name, "progfigtest")
        XCTAssertEqual(try PluginIdentity(key.identity.lowercased()).name, "progfigtest")
        // A changed last character breaks the checksum (a different one whatever the key ends in).
        XCTAssertThrowsError(try PluginRecipient(String(key.recipient.dropLast()) + (key.recipient.hasSuffix("q") ? "p" : "q")))
        XCTAssertThrowsError(try PluginIdentity("AGE-PLUGIN-1QQQQQQ"))
        XCTAssertThrowsError(try PluginRecipient(Bech32.encode(hrp: "age1bad/name", data: [1])))
    }
}

/// Lines recorded by UI callbacks (called on the decrypting thread).
final class Transcript: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [String] = []
    func add(_ line: String) { lock.lock(); recorded.append(line); lock.unlock() }
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return recorded }
}
