import AgeFormat
import Foundation
import XCTest

/// `progfig age` and the site commands with keys held by an age plugin: the suite's plugin
/// (Tests/Plugin/age-plugin-progfigtest) stands in for age-plugin-yubikey, and the `age` binary
/// talking to the same plugin is the reference.
final class PluginCommandTests: XCTestCase {
    private var pluginDirectory: URL { Self.repositoryRoot.appendingPathComponent("Tests/Plugin") }

    /// A toy plugin key pair (see the plugin's header): identity secret s, recipient SHA-256(s).
    private struct ToyKey {
        let secret = [UInt8]((0..<32).map { _ in UInt8.random(in: 0...255) })
        var identity: String { Bech32.encode(hrp: "AGE-PLUGIN-PROGFIGTEST-", data: secret, uppercase: true) }
        var recipient: String { Bech32.encode(hrp: "age1progfigtest", data: sha256(secret)) }

        private func sha256(_ bytes: [UInt8]) -> [UInt8] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", "import sys,hashlib; sys.stdout.buffer.write(hashlib.sha256(sys.stdin.buffer.read()).digest())"]
            let input = Pipe(), output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            try! process.run()
            input.fileHandleForWriting.write(Data(bytes))
            try! input.fileHandleForWriting.close()
            let digest = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return [UInt8](digest)
        }
    }

    override func setUpWithError() throws {
        guard (try? ProgfigRunner.runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "--version"],
                                             in: FileManager.default.temporaryDirectory))?.status == 0 else {
            print("SKIPPED: python3 not found; the test plugin needs it")
            throw XCTSkip("python3 not found; the test plugin needs it")
        }
    }

    /// The environment that puts the plugin on PATH, with a mode and a log.
    private func environment(mode: String = "normal", log: URL? = nil, withPlugin: Bool = true) -> [String: String] {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        var env = ["PATH": withPlugin ? pluginDirectory.path + ":" + path : path, "PROGFIG_TEST_PLUGIN_MODE": mode,
                   "PROGFIG_PLUGIN_TIMEOUT": "2"]
        if let log { env["PROGFIG_TEST_PLUGIN_LOG"] = log.path }
        return env
    }

    private func writeKey(_ text: String, to url: URL) throws {
        try Data((text + "\n").utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
    }

    private var age: URL? {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/age") ? URL(fileURLWithPath: "/usr/bin/age") : nil
    }

    func testAgeCommandInteroperatesWithAgeThroughThePlugin() throws {
        guard let age else {
            print("SKIPPED: age binary not installed")
            throw XCTSkip("age binary not installed")
        }
        let dir = try makeTemporaryDirectory()
        let key = ToyKey()
        try writeKey(key.identity, to: dir.appendingPathComponent("id.txt"))
        let plaintext = Data("plugin interop\n".utf8)
        try plaintext.write(to: dir.appendingPathComponent("plain.txt"))
        let env = environment()

        // progfig -> age
        try progfigOK(["age", "-r", key.recipient, "-a", "-o", "p.age", "plain.txt"], in: dir, environment: env)
        let opened = try ProgfigRunner.runProgram(age, ["-d", "-i", "id.txt", "p.age"], in: dir, environment: env)
        XCTAssertEqual(opened.status, 0, opened.stderr)
        XCTAssertEqual(opened.stdout, plaintext)
        // age -> progfig
        let sealed = try ProgfigRunner.runProgram(age, ["-r", key.recipient, "-o", "a.age", "plain.txt"], in: dir, environment: env)
        XCTAssertEqual(sealed.status, 0, sealed.stderr)
        XCTAssertEqual(try progfigOK(["age", "-d", "-i", "id.txt", "a.age"], in: dir, environment: env).stdout, plaintext)
        // -j on both sides, and -e -i with the plugin identity.
        try progfigOK(["age", "-e", "-j", "progfigtest", "-o", "j.age", "plain.txt"], in: dir, environment: env)
        XCTAssertEqual(try ProgfigRunner.runProgram(age, ["-d", "-j", "progfigtest", "j.age"], in: dir, environment: env).stdout, plaintext)
        _ = try ProgfigRunner.runProgram(age, ["-e", "-j", "progfigtest", "-o", "aj.age", "plain.txt"], in: dir, environment: env)
        XCTAssertEqual(try progfigOK(["age", "-d", "-j", "progfigtest", "aj.age"], in: dir, environment: env).stdout, plaintext)
        try progfigOK(["age", "-e", "-i", "id.txt", "-o", "i.age", "plain.txt"], in: dir, environment: env)
        XCTAssertEqual(try ProgfigRunner.runProgram(age, ["-d", "-i", "id.txt", "i.age"], in: dir, environment: env).stdout, plaintext)
    }

    /// Every failure: one line naming the plugin, exit 1, no output file, the plugin reaped.
    func testFailuresLeaveNoOutput() throws {
        let dir = try makeTemporaryDirectory()
        let key = ToyKey()
        try writeKey(key.identity, to: dir.appendingPathComponent("id.txt"))
        try Data("x".utf8).write(to: dir.appendingPathComponent("plain.txt"))
        try progfigOK(["age", "-r", key.recipient, "-o", "good.age", "plain.txt"], in: dir, environment: environment())
        let cases: [(mode: String, withPlugin: Bool, fragment: String)] = [
            ("normal", false, "age-plugin-progfigtest: age-plugin-progfigtest was not found in PATH"),
            ("error", true, "the toy key is unplugged"),
            ("exit", true, "the plugin exited before finishing the protocol, exit status 7"),
            ("hang", true, "the plugin did not answer within 2 seconds"),
        ]
        for c in cases {
            let log = dir.appendingPathComponent("log-\(c.mode)")
            let env = environment(mode: c.mode, log: log, withPlugin: c.withPlugin)
            for (arguments, output) in [(["age", "-r", key.recipient, "-o", "out.age", "plain.txt"], "out.age"),
                                        (["age", "-d", "-i", "id.txt", "-o", "out.txt", "good.age"], "out.txt")] {
                let started = Date()
                let result = try progfig(arguments, in: dir, environment: env)
                XCTAssertEqual(result.status, 1, "\(c.mode) \(arguments)")
                XCTAssertTrue(result.stderr.hasPrefix("progfig: error: "), result.stderr)
                XCTAssertTrue(result.stderr.contains(c.fragment), "\(c.mode): \(result.stderr)")
                XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, result.stderr)
                XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent(output).path), "\(c.mode) \(arguments)")
                XCTAssertLessThan(Date().timeIntervalSince(started), 15)
            }
            // The plugin processes progfig started are gone (killed if they hung, and reaped).
            let pids = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { $0.hasPrefix("pid ") }.compactMap { Int32($0.split(separator: " ")[1]) }
            XCTAssertEqual(pids.count, c.withPlugin ? 2 : 0, c.mode)
            for pid in pids { XCTAssertEqual(kill(pid, 0), -1, "\(c.mode): plugin \(pid) still exists") }
        }
    }

    func testNativeIdentitiesAreTriedBeforePlugins() throws {
        let dir = try makeTemporaryDirectory()
        let native = X25519Identity.generate()
        // The plugin identity comes first in the file; the plugin would hang if it were run.
        try writeKey(ToyKey().identity + "\n" + native.secretKeyString, to: dir.appendingPathComponent("ids.txt"))
        try Data("native".utf8).write(to: dir.appendingPathComponent("plain.txt"))
        try progfigOK(["age", "-r", native.x25519Recipient.encoded, "-o", "n.age", "plain.txt"], in: dir)
        let log = dir.appendingPathComponent("log")
        let result = try progfigOK(["age", "-d", "-i", "ids.txt", "n.age"], in: dir, environment: environment(mode: "hang", log: log))
        XCTAssertEqual(result.stdoutText, "native")
        XCTAssertFalse(FileManager.default.fileExists(atPath: log.path), "the plugin was started")
    }

    func testPluginLabelsAreNotMixedWithOthers() throws {
        let dir = try makeTemporaryDirectory()
        try Data("x".utf8).write(to: dir.appendingPathComponent("plain.txt"))
        let native = X25519Identity.generate().x25519Recipient.encoded
        let result = try progfig(["age", "-r", native, "-r", ToyKey().recipient, "-o", "out.age", "plain.txt"], in: dir,
                                 environment: environment(mode: "labels"))
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("can't be mixed with \(native)"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.age").path))
        // Alone, the labelled plugin recipient is fine.
        try progfigOK(["age", "-r", ToyKey().recipient, "-o", "out.age", "plain.txt"], in: dir, environment: environment(mode: "labels"))
    }

    /// The plugin's msg, confirm, request-public and request-secret on a real terminal (script(1)):
    /// the message and prompts are shown, the public value is echoed, the PIN is not.
    func testPluginRequestsThroughTheTerminal() throws {
        let dir = try makeTemporaryDirectory()
        let key = ToyKey()
        try writeKey(key.identity, to: dir.appendingPathComponent("id.txt"))
        try Data("on the terminal".utf8).write(to: dir.appendingPathComponent("plain.txt"))
        try progfigOK(["age", "-r", key.recipient, "-o", "f.age", "plain.txt"], in: dir, environment: environment())
        let sh = try requireProgram("/bin/sh"), script = try requireProgram("/usr/bin/script").path
        // The pauses let progfig show each prompt (and turn echo off for the PIN) before the line arrives.
        let typist = "sleep 1; printf 'y\\n'; sleep 1; printf 'label-1\\n'; sleep 1; printf 'secret-pin-4321\\n'"
        let command = "\(ProgfigRunner.executableURL.path) age -d -i id.txt -o out.txt f.age"
        var env = environment(mode: "ui")
        env["PROGFIG_TEST_PLUGIN_PIN"] = "secret-pin-4321"
        env["PROGFIG_PLUGIN_TIMEOUT"] = "30"
        let result = try ProgfigRunner.runProgram(sh, ["-c", "(\(typist)) | \(script) -qec '\(command)' /dev/null"], in: dir, environment: env)
        let shown = result.stdoutText.replacingOccurrences(of: "\r", with: "")
        XCTAssertEqual(result.status, 0, shown + result.stderr)
        XCTAssertTrue(shown.contains("progfig: age-plugin-progfigtest: touch the toy key\n"), shown)
        XCTAssertTrue(shown.contains("age-plugin-progfigtest: use the toy key? [y] Yes please / [n] No thanks: "), shown)
        XCTAssertTrue(shown.contains("age-plugin-progfigtest: toy key label label-1\n"), shown)
        XCTAssertTrue(shown.contains("age-plugin-progfigtest: toy key PIN "), shown)
        XCTAssertFalse(shown.contains("secret-pin-4321"), "the PIN was echoed: \(shown)")
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("out.txt"), encoding: .utf8), "on the terminal")
    }

    /// A site whose controller key is behind the plugin (as on a YubiKey) and whose node web2 has
    /// a plugin key too: storing, reading, editing and rekeying work through the plugin.
    func testSiteWithPluginKeys() throws {
        let site = try makeExampleSite()
        let controller = ToyKey(), web2 = ToyKey()
        let env = environment()
        // The controller key file now holds only the plugin identity; the secrets are re-encrypted
        // to the new keys with the old controller key, moved aside.
        let old = site.base.appendingPathComponent("old-controller.age")
        try FileManager.default.moveItem(at: site.controllerKey, to: old)
        try writeKey("# on a YubiKey, via the plugin\n" + controller.identity, to: site.controllerKey)
        try replaceLine("controller_age_pub = \(ExampleSite.controllerPublicKey)", with: "controller_age_pub = \(controller.recipient)", in: site.inventory)
        try replaceLine("age_pubkey = \(ExampleSite.publicKeys["web2"]!)", with: "age_pubkey = \(web2.recipient)",
                        in: site.root.appendingPathComponent("nodes/web2.conf"))
        try progfigOK(["--age-key", old.path, "secret", "rekey"], in: site.root, environment: env, allowStderr: true)
        try FileManager.default.removeItem(at: old)
        try writeKey(web2.identity, to: site.key("web2"))

        XCTAssertEqual(try progfigOK(["secret", "decrypt", "-g", "webservers", "--name", "tls_key"], in: site.root, environment: env).stdoutText,
                       "tls-private-key-material")
        // Every secret of several collections: one plugin conversation, not one per secret.
        let log = site.base.appendingPathComponent("plugin.log")
        let all = try progfigOK(["secret", "decrypt", "-n", "web1", "-n", "db1", "-g", "webservers", "-g", "universal", "-c"],
                                in: site.root, environment: environment(log: log)).stdoutText
        for (collection, secrets) in ExampleSite.knownSecrets {
            for (name, value) in secrets { XCTAssertTrue(all.contains("# \(collection) \(name)\n\(value)"), all) }
        }
        XCTAssertEqual(try String(contentsOf: log, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("pid ") }.count, 1)
        try progfigOK(["secret", "encrypt", "-n", "web2", "--value", "via plugin", "--save-as", "p"], in: site.root, environment: env, allowStderr: true)
        XCTAssertEqual(try progfigOK(["secret", "decrypt", "-n", "web2", "--name", "p"], in: site.root, environment: env).stdoutText, "via plugin")
        // As web2, with its plugin key only.
        try site.moveControllerKeyAway()
        XCTAssertEqual(try progfigOK(["secret", "get", "web2", "p"], in: site.root, environment: env).stdoutText, "via plugin")
        XCTAssertEqual(try progfigOK(["secret", "get", "web2", "tls_key"], in: site.root, environment: env).stdoutText, "tls-private-key-material")
        try site.restoreControllerKey()
        // Inspect shows the plugin stanzas; validate accepts the plugin recipients.
        let inspectLog = site.base.appendingPathComponent("inspect.log")
        let inspected = try progfigOK(["secret", "inspect", "-n", "web2", "-g", "webservers", "--json"], in: site.root,
                                      environment: environment(log: inspectLog)).stdoutText
        XCTAssertTrue(inspected.contains("\"progfigtest\" : 2"), inspected)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(inspected.utf8)) as? [String: [String: [String: Any]]])
        for (collection, name) in [("node web2", "p"), ("group webservers", "tls_key")] {
            let checks = try XCTUnwrap(report[collection]?[name]?["identities"] as? [[String: Any]])
            XCTAssertEqual(checks.map { $0["name"] as? String }, ["an age-plugin-progfigtest identity"])
            XCTAssertEqual(checks.map { $0["opens"] as? Bool }, [true])
        }
        // One plugin conversation for all the secrets inspected.
        XCTAssertEqual(try String(contentsOf: inspectLog, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("pid ") }.count, 1)
        try progfigOK(["validate"], in: site.root, environment: env, allowStderr: true)
    }
}
