import AgeFormat
import Foundation
import XCTest

/// Failures of the site and secret commands: each exits 1 (usage errors 64) with exactly one
/// `progfig: error:` line naming the node, group, secret or file, prints nothing on standard
/// output, never shows a stack trace, never shows a secret's plaintext, and changes no file.
final class FailureTests: XCTestCase {
    /// Every plaintext of the example site plus the values the tests try to store.
    private let plaintexts = Array(ExampleSite.knownSecrets.values.flatMap(\.values)) + ["TOPSECRET-VALUE-42"]

    /// Runs progfig, asserts a clean failure, and asserts that no file under the site's base changed.
    private func assertFails(_ arguments: [String], in site: ExampleSite, status: Int32 = 1, contains fragment: String,
                             stdin: Data = Data(), environment: [String: String] = [:],
                             file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try snapshot(site.base)
        let result = try progfig(arguments, in: site.root, stdin: stdin, environment: environment)
        assertCleanError(result, status: status, contains: fragment, secrets: plaintexts, file: file, line: line)
        XCTAssertEqual(try snapshot(site.base), before, "progfig \(arguments) changed files", file: file, line: line)
    }

    /// Like `assertFails`, for commands that stream their output: standard output may hold what was
    /// printed before the failure (`partial`), or nothing.
    private func assertFailsAfter(_ partial: String, _ arguments: [String], in site: ExampleSite, contains fragment: String,
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try snapshot(site.base)
        let result = try progfig(arguments, in: site.root)
        XCTAssertTrue(result.stdoutText == "" || result.stdoutText == partial, result.stdoutText, file: file, line: line)
        assertCleanError(RunResult(status: result.status, stdout: Data(), stderr: result.stderr), status: 1, contains: fragment,
                         secrets: plaintexts, file: file, line: line)
        XCTAssertEqual(try snapshot(site.base), before, "progfig \(arguments) changed files", file: file, line: line)
    }

    /// A failed rekey: a clean error; `damaged` is left byte for byte, and every other secret
    /// still decrypts to its value (files rekeyed before the failure may have been rewritten).
    private func assertRekeyFails(in site: ExampleSite, damaged: URL, contains fragment: String,
                                  environment: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try bytes(damaged)
        assertCleanError(try progfig(["secret", "rekey"], in: site.root, environment: environment), status: 1, contains: fragment,
                         secrets: plaintexts, file: file, line: line)
        XCTAssertEqual(try bytes(damaged), before, file: file, line: line)
        let files = ["controller": site.controllerSecrets, "node db1": site.nodeSecrets("db1"), "node web1": site.nodeSecrets("web1"),
                     "group universal": site.groupSecrets("universal"), "group webservers": site.groupSecrets("webservers")]
        for (collection, url) in files where url != damaged {
            for (name, value) in ExampleSite.knownSecrets[collection]! {
                let armored = try XCTUnwrap(try readSecretsFile(url)[name], file: file, line: line)
                XCTAssertEqual(try decryptArmored(armored, with: site.controllerKey), Array(value.utf8), file: file, line: line)
            }
        }
    }

    /// A write to standard output that fails (a full device) is a clean error, never a crash.
    func testStandardOutputThatCannotBeWritten() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { throw XCTSkip("no /dev/full on this machine") }
        let site = try makeExampleSite()
        for arguments in [["list", "nodes"], ["secret", "get", "web1", "api_token"], ["secret", "decrypt", "-n", "web1"],
                          ["secret", "list"], ["version"], ["info", "-n", "web1"]] {
            let result = try progfigInShell("exec \"$0\" \"$@\" > /dev/full", arguments, in: site.root)
            assertCleanError(result, status: 1, contains: "cannot write standard output: No space left on device", secrets: plaintexts)
        }
    }

    /// File-system trouble (a directory where a file belongs, a file where a directory belongs)
    /// is one line naming the path, not a Foundation error dump; nothing is changed.
    func testFileSystemErrorsNameThePath() throws {
        let site = try makeExampleSite()
        let groups = site.root.appendingPathComponent("groups")
        try FileManager.default.moveItem(at: groups, to: site.base.appendingPathComponent("groups.away"))
        try Data().write(to: groups)
        try assertFails(["secret", "encrypt", "-g", "webservers", "--value", "TOPSECRET-VALUE-42", "--save-as", "t"], in: site,
                        contains: "\(groups.path): exists and is not a directory")
        try FileManager.default.removeItem(at: groups)
        try FileManager.default.moveItem(at: site.base.appendingPathComponent("groups.away"), to: groups)

        let nodeConf = site.root.appendingPathComponent("nodes/web2.conf")
        try FileManager.default.removeItem(at: nodeConf)
        try FileManager.default.createDirectory(at: nodeConf, withIntermediateDirectories: false)
        try assertFails(["secret", "encrypt", "-n", "web2", "--value", "TOPSECRET-VALUE-42", "--save-as", "t"], in: site,
                        contains: "\(nodeConf.path): cannot read: Is a directory")
        try assertFails(["secret", "encrypt", "-n", "web1", "--file", site.base.path, "--save-as", "t"], in: site,
                        contains: "cannot read \(site.base.path): Is a directory")

        let inventory = site.root.appendingPathComponent("inventory.conf")
        try FileManager.default.removeItem(at: inventory)
        try FileManager.default.createDirectory(at: inventory, withIntermediateDirectories: false)
        try assertFails(["--site", ".", "list", "nodes"], in: site, contains: "\(site.root.path): not a site")
    }

    /// `init` on a regular file, or where inventory.conf can't be written, fails cleanly and
    /// leaves no controller key behind, so it can be run again.
    func testInitFailureLeavesNoKey() throws {
        let dir = try makeTemporaryDirectory()
        try Data().write(to: dir.appendingPathComponent("afile"))
        assertCleanError(try progfig(["init", "afile"], in: dir), status: 1, contains: "afile: exists and is not a directory")
        XCTAssertEqual(try directoryListing(dir), ["afile"])

        // A dangling symbolic link at pyproject.toml: the key is written first, then the
        // file is refused (init never replaces anything), and the key is removed again.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("site"), withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("site/pyproject.toml").path,
                                                   withDestinationPath: "nowhere")
        assertCleanError(try progfig(["init", "site"], in: dir), status: 1, contains: "pyproject.toml")
        XCTAssertEqual(try directoryListing(dir), ["afile", "site"])
    }

    /// With the controller key at hand and controller_age_pub naming another key, storing and
    /// rekeying refuse and write nothing: every value would be locked away from the controller.
    func testWrongControllerPublicKeyRefusesToWrite() throws {
        let site = try makeExampleSite()
        let web2 = try XCTUnwrap(try loadIdentities(site.key("web2")).first?.recipient).encoded
        try replaceLine(try XCTUnwrap(String(contentsOf: site.root.appendingPathComponent("inventory.conf"), encoding: .utf8)
                            .split(separator: "\n").first { $0.hasPrefix("controller_age_pub") }).description,
                        with: "controller_age_pub = \(web2)", in: site.root.appendingPathComponent("inventory.conf"))
        for arguments in [["secret", "rekey"], ["secret", "rekey", "--dry-run"],
                          ["secret", "encrypt", "-n", "web1", "--value", "TOPSECRET-VALUE-42", "--save-as", "t"]] {
            try assertFails(arguments, in: site, contains: "controller_age_pub is not the public key of the controller key")
        }
        // Encrypting without storing needs no controller key and is not refused.
        XCTAssertEqual(try progfig(["secret", "encrypt", "-n", "web1", "--value", "x"], in: site.root).status, 0)
    }

    func testUnknownNode() throws {
        let site = try makeExampleSite()
        try assertFails(["secret", "decrypt", "-n", "web9"], in: site, contains: "unknown node \"web9\"")
        try assertFailsAfter("# node web1 api_token\nweb1 api token\n", ["secret", "decrypt", "-n", "web1,web9"], in: site,
                             contains: "unknown node \"web9\"")
        try assertFails(["secret", "list", "-n", "web9"], in: site, contains: "unknown node \"web9\"")
        try assertFails(["secret", "decrypt", "-n", "web9", "--name", "api_token"], in: site, contains: "unknown node \"web9\"")
        try assertFails(["secret", "encrypt", "-n", "web9", "--value", "TOPSECRET-VALUE-42", "--save-as", "x"], in: site,
                        contains: "unknown node \"web9\"")
        try assertFails(["secret", "encrypt", "-n", "web1,web9", "--value", "TOPSECRET-VALUE-42", "--save-as", "x"], in: site,
                        contains: "unknown node \"web9\"")
        // Acting as an unknown node: its configuration file is named.
        try assertFails(["secret", "get", "web9", "api_token"], in: site, contains: "node \"web9\"")
        // A node with a configuration file but no node_function_map entry is unknown too.
        try FileManager.default.copyItem(at: site.root.appendingPathComponent("nodes/web2.conf"),
                                         to: site.root.appendingPathComponent("nodes/web3.conf"))
        try assertFails(["secret", "get", "web3", "tls_key"], in: site, contains: "unknown node \"web3\"")
        try assertFails(["secret", "encrypt", "-n", "web3", "--value", "TOPSECRET-VALUE-42", "--save-as", "x"], in: site,
                        contains: "unknown node \"web3\"")
    }

    func testUnknownGroup() throws {
        let site = try makeExampleSite()
        try assertFails(["secret", "decrypt", "-g", "mailservers"], in: site, contains: "unknown group \"mailservers\"")
        try assertFails(["secret", "list", "-g", "mailservers"], in: site, contains: "unknown group \"mailservers\"")
        try assertFails(["secret", "encrypt", "-g", "mailservers", "--value", "TOPSECRET-VALUE-42", "--save-as", "x"], in: site,
                        contains: "unknown group \"mailservers\"")
        try assertFails(["secret", "encrypt", "-n", "web1", "-g", "webservers,mailservers", "--value", "TOPSECRET-VALUE-42", "--save-as", "x"],
                        in: site, contains: "unknown group \"mailservers\"")
        // Names that are not plain file names never reach the file system.
        try assertFails(["secret", "decrypt", "-g", "../nodes/web1"], in: site, contains: "../nodes/web1")
    }

    func testMissingSecretListsThePlacesSearched() throws {
        let site = try makeExampleSite()
        try assertFails(["secret", "get", "web1", "smtp_password"], in: site,
                        contains: "no secret \"smtp_password\" for node \"web1\"; searched node web1, group webservers, group universal")
        try assertFails(["secret", "get", "db1", "tls_key"], in: site,
                        contains: "no secret \"tls_key\" for node \"db1\"; searched node db1, group databases, group universal")
        try assertFails(["secret", "decrypt", "-n", "web1", "--name", "db_password"], in: site,
                        contains: "\(site.nodeSecrets("web1").path): no secret \"db_password\" in node web1")
        // A collection without a secrets file holds no secrets.
        try assertFails(["secret", "decrypt", "-n", "web2", "--name", "api_token"], in: site,
                        contains: "\(site.nodeSecrets("web2").path): no secret \"api_token\" in node web2")
        try assertFails(["secret", "decrypt", "-c", "--name", "nope"], in: site,
                        contains: "\(site.controllerSecrets.path): no secret \"nope\" in controller")
    }

    func testNoKeyAtAllListsEveryPathTried() throws {
        let site = try makeExampleSite()
        try site.moveControllerKeyAway()
        try assertFails(["secret", "decrypt", "-n", "web1"], in: site,
                        contains: "no age key found (tried \(site.controllerKey.path), /etc/progfig/node.age); pass --age-key PATH or set PROGFIG_AGE_KEY_FILE")
        try assertFails(["secret", "rekey", "--dry-run"], in: site,
                        contains: "no age key found (tried \(site.controllerKey.path), /etc/progfig/node.age)")
        // Keys named explicitly must exist; the first missing one is named.
        let missing = site.base.appendingPathComponent("missing.age").path
        try assertFails(["secret", "decrypt", "-c", "--age-key", missing, "--secret-store-arguments", "age_key=/nonexistent/k.age"], in: site,
                        contains: "/nonexistent/k.age: age key file not found",
                        environment: ["PROGFIG_AGE_KEY_FILE": "/nonexistent/env.age"])
        try assertFails(["secret", "decrypt", "-c"], in: site, contains: "/nonexistent/env.age: age key file not found",
                        environment: ["PROGFIG_AGE_KEY_FILE": "/nonexistent/env.age"])
        for node in ["web1", "web2", "db1"] {
            try FileManager.default.moveItem(at: site.key(node), to: site.base.appendingPathComponent("\(node).away"))
        }
        try assertFails(["secret", "get", "web2", "tls_key"], in: site,
                        contains: "no age key found (tried \(site.key("web2").path), \(site.controllerKey.path), /etc/progfig/node.age, /etc/ssh/ssh_host_ed25519_key)")
    }

    func testWrongKey() throws {
        let site = try makeExampleSite()
        try site.moveControllerKeyAway()
        let tried = "\(site.key("db1").path), \(site.controllerKey.path), /etc/progfig/node.age"
        try assertFails(["secret", "decrypt", "-n", "web1", "--age-key", site.key("db1").path], in: site,
                        contains: "cannot decrypt secret \"api_token\" of node web1: none of the loaded keys (\(tried)) is a recipient")
        try assertFails(["secret", "decrypt", "-c", "--name", "backup_passphrase"], in: site,
                        contains: "cannot decrypt secret \"backup_passphrase\" of controller: none of the loaded keys ($PROGFIG_AGE_KEY, \(site.controllerKey.path), /etc/progfig/node.age) is a recipient",
                        environment: ["PROGFIG_AGE_KEY": try String(contentsOf: site.key("web1"), encoding: .utf8)])
        // A node's own key does not open the controller's secrets, even acting as the node.
        try assertFails(["secret", "rekey"], in: site, contains: "cannot decrypt secret \"backup_passphrase\" of controller to rekey it",
                        environment: ["PROGFIG_AGE_KEY_FILE": site.key("web1").path])
    }

    func testBrokenKeyFilesAreNamedButNeverShown() throws {
        let site = try makeExampleSite()
        let keyText = try String(contentsOf: site.key("web1"), encoding: .utf8)
        let secretLine = try XCTUnwrap(keyText.split(separator: "\n").last.map(String.init))
        let damaged = site.base.appendingPathComponent("damaged.age")
        try keyText.replacingOccurrences(of: secretLine, with: String(secretLine.dropLast()) + (secretLine.hasSuffix("Q") ? "P" : "Q"))
            .write(to: damaged, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: damaged.path)
        let result = try progfig(["secret", "decrypt", "-n", "web1", "--age-key", damaged.path], in: site.root)
        assertCleanError(result, status: 1, contains: "cannot load age key: \(damaged.path):", secrets: plaintexts + [String(secretLine.dropFirst(20))])
        let env = try progfig(["secret", "decrypt", "-n", "web1"], in: site.root,
                              environment: ["PROGFIG_AGE_KEY": String(secretLine.dropLast()) + (secretLine.hasSuffix("Q") ? "P" : "Q")])
        assertCleanError(env, status: 1, contains: "$PROGFIG_AGE_KEY", secrets: plaintexts + [String(secretLine.dropFirst(20).dropLast())])
        let notAKey = site.base.appendingPathComponent("notakey.age")
        try "just some text\n".write(to: notAKey, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: notAKey.path)
        try assertFails(["secret", "decrypt", "-n", "web1", "--age-key", notAKey.path], in: site,
                        contains: "cannot load age key: \(notAKey.path):")
    }

    func testSecretsFileThatIsNotJson() throws {
        let site = try makeExampleSite()
        let file = site.nodeSecrets("web1")
        try Data("{\"api_token\": \"-----BEGIN AGE".utf8).write(to: file)
        let message = "\(file.path): not valid JSON; expected an object mapping secret names to armored age values"
        try assertFails(["secret", "decrypt", "-n", "web1"], in: site, contains: message)
        try assertFails(["secret", "list", "-n", "web1"], in: site, contains: message)
        try assertFailsAfter("controller\tbackup_passphrase\nnode db1\tdb_password\n", ["secret", "list"], in: site, contains: message)
        try assertFails(["secret", "get", "web1", "tls_key"], in: site, contains: message)
        try assertFails(["secret", "rekey", "--dry-run"], in: site, contains: message)
        try assertRekeyFails(in: site, damaged: file, contains: message)
        // Storing into it must not replace the damaged file with a fresh one (which would lose its secrets).
        try assertFails(["secret", "encrypt", "-n", "web1", "--value", "TOPSECRET-VALUE-42", "--save-as", "x"], in: site, contains: message)
        // Other shapes of JSON.
        for (text, fragment) in [("[1, 2]", "expected a JSON object"), ("{\"a\": 1}", "secret \"a\" is not a string"),
                                 ("{\"a\": \"x\", \"a\": \"y\"}", "duplicate secret names")] {
            try Data(text.utf8).write(to: file)
            try assertFails(["secret", "decrypt", "-n", "web1"], in: site, contains: "\(file.path): \(fragment)")
            try assertFails(["secret", "encrypt", "-n", "web1", "--value", "TOPSECRET-VALUE-42", "--save-as", "x"], in: site,
                            contains: "\(file.path): \(fragment)")
        }
    }

    /// A stored value with one base64 character changed, in the header and in the payload.
    func testSecretValueWithAFlippedBase64Character() throws {
        let site = try makeExampleSite()
        let file = site.nodeSecrets("web1")
        let armored = try XCTUnwrap(try readSecretsFile(file)["api_token"])
        let lines = armored.components(separatedBy: "\n")
        // lines: BEGIN, body…, END, "" — the first body line is the header's start, the last holds the payload.
        for (lineIndex, where_) in [(1, "header"), (lines.count - 3, "payload")] {
            var flipped = lines
            var characters = Array(flipped[lineIndex])
            let position = min(10, characters.count - 4)
            characters[position] = characters[position] == "A" ? "B" : "A"
            flipped[lineIndex] = String(characters)
            try writeSecretsFile(["api_token": flipped.joined(separator: "\n")], to: file)
            let prefix = "cannot decrypt secret \"api_token\" of node web1: "
            try assertFails(["secret", "decrypt", "-n", "web1"], in: site, contains: prefix)
            try assertFails(["secret", "decrypt", "-n", "web1", "--name", "api_token"], in: site, contains: prefix)
            try assertFails(["secret", "get", "web1", "api_token"], in: site, contains: prefix)
            try assertFails(["secret", "rekey", "--dry-run"], in: site,
                            contains: "\(file.path): cannot decrypt secret \"api_token\" of node web1 to rekey it")
            try assertRekeyFails(in: site, damaged: file, contains: "\(file.path): cannot decrypt secret \"api_token\" of node web1 to rekey it")
            if where_ == "payload" {
                try assertFails(["secret", "get", "web1", "api_token"], in: site, contains: "failed to authenticate")
            }
        }
    }

    func testNodeWithoutAgePubkey() throws {
        let site = try makeExampleSite()
        let conf = site.root.appendingPathComponent("nodes/web2.conf")
        try replaceLine("age_pubkey = \(ExampleSite.publicKeys["web2"]!)", with: "", in: conf)
        let message = "\(conf.path): node \"web2\" has no age_pubkey in its sitedata; secrets cannot be encrypted to it"
        try assertFails(["secret", "encrypt", "-n", "web2", "--value", "TOPSECRET-VALUE-42", "--save-as", "x"], in: site, contains: message)
        try assertFails(["secret", "encrypt", "-g", "webservers", "--value", "TOPSECRET-VALUE-42", "--save-as", "x"], in: site, contains: message)
        try assertFails(["secret", "encrypt", "-g", "universal", "--value", "TOPSECRET-VALUE-42"], in: site, contains: message)
        // Rekeying a group with that member fails before anything is rewritten for that group.
        try assertFails(["secret", "rekey", "--dry-run"], in: site, contains: message)
        // Other nodes are unaffected.
        XCTAssertEqual(try progfig(["secret", "encrypt", "-q", "-n", "web1", "--value", "ok", "--save-as", "ok"], in: site.root).status, 0)
        // An age_pubkey that does not parse.
        try replaceLine("[sitedata]", with: "[sitedata]\nage_pubkey = age1qqqq", in: conf)
        try assertFails(["secret", "encrypt", "-n", "web2", "--value", "TOPSECRET-VALUE-42", "--save-as", "x"], in: site,
                        contains: "\(conf.path):6: node \"web2\" has an invalid age_pubkey")
    }

    func testUsageErrors() throws {
        let site = try makeExampleSite()
        let cases: [([String], String)] = [
            (["secret", "encrypt", "--value", "TOPSECRET-VALUE-42", "--save-as", "x"], "name at least one recipient: -n NODE, -g GROUP or -c"),
            (["secret", "encrypt", "-n", "web1", "--value", "TOPSECRET-VALUE-42", "--file", "f", "--save-as", "x"],
             "give the value with exactly one of --value or --file"),
            (["secret", "encrypt", "-n", "web1", "--save-as", "x"], "give the value with exactly one of --value or --file"),
            (["secret", "encrypt", "-n", "web1", "--value", "TOPSECRET-VALUE-42", "--save-as", ""], "--save-as needs a non-empty, single-line name"),
            (["secret", "encrypt", "-n", "web1", "--value", "TOPSECRET-VALUE-42", "--save-as", "a\nb"], "--save-as needs a non-empty, single-line name"),
            (["secret", "decrypt", "-n", "web1", "-g", "webservers", "--name", "api_token"], "--name needs exactly one node, group or -c"),
            (["secret", "decrypt", "-n", "web1,web2", "--name", "api_token"], "--name needs exactly one node, group or -c"),
            (["secret", "decrypt", "-n", "web1", "--name", "api_token", "--json"], "--name and --json can't be used together"),
            (["secret", "decrypt"], "name at least one collection: -n NODE, -g GROUP or -c"),
            (["secret", "get", "web1"], "Missing expected argument '<name>'"),
            (["secret", "frob"], "frob"),
            (["secret", "decrypt", "-n"], "Missing value for '-n"),
            (["secret", "rekey", "--dry"], "--dry"),
        ]
        for (arguments, fragment) in cases {
            try assertFails(arguments, in: site, status: 64, contains: fragment)
            let result = try progfig(arguments, in: site.root)
            XCTAssertTrue(result.stderr.contains("--help"), result.stderr)
        }
    }

    func testAgeDecryptOfACorruptedFileLeavesNoOutput() throws {
        let dir = try makeTemporaryDirectory()
        let key = try makeIdentityFile("key.txt", in: dir)
        let plain = try makeRandomFile("plain", in: dir, count: 200_000)
        try progfigOK(["age", "-r", key.recipient, "-o", "file.age", "plain"], in: dir)
        var data = try bytes(dir.appendingPathComponent("file.age"))
        // A changed byte in the last chunk: the first 64 KiB chunks decrypt before the failure.
        data[data.count - 100] ^= 0x01
        try data.write(to: dir.appendingPathComponent("bad.age"))
        let listing = try directoryListing(dir)

        let result = try progfig(["age", "-d", "-i", key.url.path, "-o", "OUT", "bad.age"], in: dir)
        assertCleanError(result, status: 1, contains: "bad.age")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("OUT").path))
        XCTAssertEqual(try directoryListing(dir), listing, "a temporary file was left behind")

        // An existing OUT is left as it was.
        try Data("previous contents".utf8).write(to: dir.appendingPathComponent("OUT"))
        assertCleanError(try progfig(["age", "-d", "-i", key.url.path, "-o", "OUT", "bad.age"], in: dir), status: 1, contains: "bad.age")
        XCTAssertEqual(try bytes(dir.appendingPathComponent("OUT")), Data("previous contents".utf8))
        XCTAssertEqual(try directoryListing(dir), (listing + ["OUT"]).sorted())

        // Truncated, and with the wrong key: the same.
        try data.prefix(70_000).write(to: dir.appendingPathComponent("short.age"))
        assertCleanError(try progfig(["age", "-d", "-i", key.url.path, "-o", "OUT2", "short.age"], in: dir), status: 1, contains: "short.age")
        let other = try makeIdentityFile("other.txt", in: dir)
        assertCleanError(try progfig(["age", "-d", "-i", other.url.path, "-o", "OUT2", "file.age"], in: dir), status: 1, contains: "file.age")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("OUT2").path))

        // The intact file decrypts, with mode 0600.
        try progfigOK(["age", "-d", "-i", key.url.path, "-o", "OUT2", "file.age"], in: dir)
        XCTAssertEqual(try bytes(dir.appendingPathComponent("OUT2")), try bytes(plain))
        XCTAssertEqual(try permissions(dir.appendingPathComponent("OUT2")), 0o600)
    }
}
