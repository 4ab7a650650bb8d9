import AgeFormat
import Foundation
import XCTest

/// `progfig secret encrypt/decrypt/list/get/rekey` and the ways keys are found, against copies of
/// the example site (three nodes with their own keys, two groups, a controller key).
final class SecretCommandTests: XCTestCase {
    /// Which of the example's keys can decrypt `armored`: a sorted subset of controller, db1, web1, web2.
    private func readers(of armored: String, in site: ExampleSite) throws -> [String] {
        var names: [String] = []
        for (name, key) in [("controller", site.controllerKey), ("db1", site.key("db1")), ("web1", site.key("web1")), ("web2", site.key("web2"))] {
            if (try? decryptArmored(armored, with: key)) != nil { names.append(name) }
        }
        return names
    }

    /// `text` without its trailing newlines, plus one: tolerates the extra newline `encrypt` prints
    /// (checked separately by `testPrintedValueIsExactlyTheArmoredValue`).
    private func oneNewline(_ text: String) -> String {
        var text = text
        while text.hasSuffix("\n") { text.removeLast() }
        return text + "\n"
    }

    private func assertArmored(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(text.hasPrefix("-----BEGIN AGE ENCRYPTED FILE-----\n"), text, file: file, line: line)
        XCTAssertTrue(text.hasSuffix("\n-----END AGE ENCRYPTED FILE-----\n"), text, file: file, line: line)
    }

    // MARK: encrypt

    func testEncryptStoresIntoTheNamedCollectionsOnly() throws {
        let site = try makeExampleSite()
        let original = try snapshot(site.base)
        // Each file's copy is readable by that collection's readers only: the node and the
        // controller, the group's members and the controller, or the controller alone.
        let node = { (name: String) in (site.nodeSecrets(name), ["controller", name]) }
        let webservers = (site.groupSecrets("webservers"), ["controller", "web1", "web2"])
        let controller = (site.controllerSecrets, ["controller"])
        let cases: [(arguments: [String], files: [(url: URL, readers: [String])], note: String)] = [
            (["-n", "web1"], [node("web1")], "node web1"),
            (["-n", "web2"], [node("web2")], "node web2"),
            (["-g", "webservers"], [webservers], "group webservers"),
            (["-g", "databases"], [(site.groupSecrets("databases"), ["controller", "db1"])], "group databases"),
            (["-c"], [controller], "controller"),
            (["-n", "db1,web2", "-c"], [node("db1"), node("web2"), controller], "node db1, node web2, controller"),
            (["-n", "web1", "-g", "webservers", "-g", "universal"],
             [node("web1"), webservers, (site.groupSecrets("universal"), ["controller", "db1", "web1", "web2"])],
             "node web1, group webservers, group universal"),
        ]
        for (index, c) in cases.enumerated() {
            let name = "secret_\(index)"
            let value = "value of \(name)"
            let before = try snapshot(site.base)
            let result = try progfig(["secret", "encrypt"] + c.arguments + ["--value", value, "--save-as", name], in: site.root)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(result.stdoutText, "", "\(c.arguments)")
            XCTAssertEqual(result.stderr, "progfig: stored secret \"\(name)\" for \(c.note)\n")
            let after = try snapshot(site.base)
            let changed = Set(after.keys.filter { after[$0] != before[$0] })
            XCTAssertEqual(changed, Set(c.files.map { String($0.url.path.dropFirst(site.base.path.count + 1)) }), "\(c.arguments)")
            for (url, expectedReaders) in c.files {
                let secrets = try readSecretsFile(url)
                // The file keeps what it held and gains exactly the new name.
                let old = before[String(url.path.dropFirst(site.base.path.count + 1))]
                    .map { try? JSONSerialization.jsonObject(with: $0) as? [String: String] } ?? [:]
                XCTAssertEqual(Set(secrets.keys), Set((old ?? [:]).keys).union([name]), url.path)
                for (key, armored) in old ?? [:] { XCTAssertEqual(secrets[key], armored) }
                let armored = try XCTUnwrap(secrets[name])
                assertArmored(armored)
                XCTAssertEqual(try readers(of: armored, in: site), expectedReaders, "\(c.arguments): \(url.lastPathComponent)")
                XCTAssertEqual(try decryptArmored(armored, with: site.controllerKey), Array(value.utf8))
                XCTAssertEqual(try permissions(url), 0o644)
            }
        }
        // The original secrets are untouched, and no temporary files were left.
        let final = try snapshot(site.base)
        for (path, data) in original where !path.hasSuffix(".secrets.json") { XCTAssertEqual(final[path], data, path) }
        let originalDB1 = try JSONSerialization.jsonObject(with: original["example_site/nodes/db1.secrets.json"]!) as? [String: String]
        XCTAssertEqual(try readSecretsFile(site.nodeSecrets("db1"))["db_password"], originalDB1?["db_password"])
        XCTAssertEqual(try directoryListing(site.root.appendingPathComponent("nodes")),
                       ["db1.conf", "db1.secrets.json", "web1.conf", "web1.secrets.json", "web2.conf", "web2.secrets.json"])
        XCTAssertEqual(try directoryListing(site.root.appendingPathComponent("groups")),
                       ["databases.secrets.json", "universal.secrets.json", "webservers.secrets.json"])
    }

    func testEncryptReadsTheValueFromValueFileOrStandardInput() throws {
        let site = try makeExampleSite()
        let work = try makeTemporaryDirectory()
        let fileValue = Data("line one\nline two\n\n".utf8)
        try fileValue.write(to: work.appendingPathComponent("value.txt"))
        let binary = Data((0..<256).map { UInt8($0) } + [0, 0, 0x0a, 0x0d, 0xff])
        let stdinValue = Data("from standard input\r\n".utf8)

        try progfigOK(["secret", "encrypt", "-q", "-n", "web1", "--value", "plain value", "--save-as", "by_value"], in: site.root)
        try progfigOK(["secret", "encrypt", "-q", "-n", "web1", "--file", work.appendingPathComponent("value.txt").path,
                       "--save-as", "by_file"], in: site.root)
        try progfigOK(["secret", "encrypt", "-q", "-n", "web1", "--file", "-", "--save-as", "by_stdin"], in: site.root, stdin: stdinValue)
        try progfigOK(["secret", "encrypt", "-q", "-n", "web1", "--file", "-", "--save-as", "binary"], in: site.root, stdin: binary)
        try progfigOK(["secret", "encrypt", "-q", "-n", "web1", "--value", "", "--save-as", "empty"], in: site.root)

        let expected: [String: Data] = ["by_value": Data("plain value".utf8), "by_file": fileValue, "by_stdin": stdinValue,
                                        "binary": binary, "empty": Data()]
        let secrets = try readSecretsFile(site.nodeSecrets("web1"))
        XCTAssertEqual(secrets.keys.sorted(), ["api_token", "binary", "by_file", "by_stdin", "by_value", "empty"])
        for (name, value) in expected {
            XCTAssertEqual(Data(try decryptArmored(secrets[name]!, with: site.key("web1"))), value, name)
            // --name prints the value byte for byte.
            XCTAssertEqual(try progfigOK(["secret", "decrypt", "-n", "web1", "--name", name], in: site.root).stdout, value, name)
        }
        assertCleanError(try progfig(["secret", "encrypt", "-n", "web1", "--file", work.appendingPathComponent("nope").path,
                                      "--save-as", "x"], in: site.root),
                         status: 1, contains: "\(work.appendingPathComponent("nope").path): cannot open value file: No such file or directory")
        XCTAssertNil(try readSecretsFile(site.nodeSecrets("web1"))["x"])
    }

    func testEncryptWithoutSaveAsPrintsTheValueAndStoresNothing() throws {
        let site = try makeExampleSite()
        let before = try snapshot(site.base)
        let result = try progfigOK(["secret", "encrypt", "-n", "web1", "--value", "unsaved value"], in: site.root)
        assertArmored(oneNewline(result.stdoutText))
        XCTAssertEqual(try snapshot(site.base), before)
        // Only the named node: the controller is added only when storing or with -c.
        XCTAssertEqual(try readers(of: result.stdoutText, in: site), ["web1"])
        XCTAssertEqual(try decryptArmored(result.stdoutText, with: site.key("web1")), Array("unsaved value".utf8))

        let group = try progfigOK(["secret", "encrypt", "-g", "webservers", "-c", "--value", "v"], in: site.root)
        XCTAssertEqual(try readers(of: group.stdoutText, in: site), ["controller", "web1", "web2"])
        XCTAssertEqual(try snapshot(site.base), before)

        // The printed value is an age file: progfig age -d reads it.
        let work = try makeTemporaryDirectory()
        try result.stdout.write(to: work.appendingPathComponent("v.age"))
        let decrypted = try progfigOK(["age", "-d", "-i", site.key("web1").path, work.appendingPathComponent("v.age").path], in: work)
        XCTAssertEqual(decrypted.stdoutText, "unsaved value")
    }

    /// --stdout prints the value encrypted to every recipient named; with one collection named,
    /// that is exactly the stored value.
    func testEncryptStdoutPrintsTheValueForEveryRecipient() throws {
        let site = try makeExampleSite()
        let result = try progfig(["secret", "encrypt", "-n", "web2", "-g", "databases", "--value", "both", "--save-as", "both", "--stdout"],
                                 in: site.root)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "progfig: stored secret \"both\" for node web2, group databases\n")
        assertArmored(oneNewline(result.stdoutText))
        XCTAssertEqual(try readers(of: result.stdoutText, in: site), ["controller", "db1", "web2"])
        XCTAssertEqual(try readers(of: XCTUnwrap(readSecretsFile(site.nodeSecrets("web2"))["both"]), in: site), ["controller", "web2"])
        XCTAssertEqual(try readers(of: XCTUnwrap(readSecretsFile(site.groupSecrets("databases"))["both"]), in: site), ["controller", "db1"])
        // -q silences the note but not --stdout.
        let quiet = try progfigOK(["secret", "encrypt", "-q", "-c", "--value", "c", "--save-as", "c", "--stdout"], in: site.root)
        XCTAssertEqual(try readSecretsFile(site.controllerSecrets)["c"], oneNewline(quiet.stdoutText))
    }

    /// The printed value is the armored age value exactly, as `age -a` writes it and as it is
    /// stored: one newline after the END line. (Fails: SecretEncryptCommand prints it with
    /// `Output.line`, adding a second newline, so stdout is the stored value plus "\n".)
    func testPrintedValueIsExactlyTheArmoredValue() throws {
        let site = try makeExampleSite()
        let printed = try progfigOK(["secret", "encrypt", "-q", "-n", "web1", "--value", "v", "--save-as", "v", "--stdout"], in: site.root)
        XCTAssertEqual(printed.stdoutText, try readSecretsFile(site.nodeSecrets("web1"))["v"])
        let unsaved = try progfigOK(["secret", "encrypt", "-n", "web1", "--value", "v"], in: site.root)
        XCTAssertTrue(unsaved.stdoutText.hasSuffix("-----END AGE ENCRYPTED FILE-----\n"), unsaved.stdoutText)
        XCTAssertFalse(unsaved.stdoutText.hasSuffix("\n\n"), "a blank line after the armored value")
    }

    func testStoredFileFormatMatchesPythonJsonDump() throws {
        let site = try makeExampleSite()
        try progfigOK(["secret", "encrypt", "-q", "-n", "web2", "--value", "z", "--save-as", "zeta"], in: site.root)
        try progfigOK(["secret", "encrypt", "-q", "-n", "web2", "--value", "a", "--save-as", "alpha"], in: site.root)
        let text = String(decoding: try bytes(site.nodeSecrets("web2")), as: UTF8.self)
        let secrets = try readSecretsFile(site.nodeSecrets("web2"))
        func q(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\n", with: "\\n") + "\"" }
        XCTAssertEqual(text, "{\n  \"alpha\": \(q(secrets["alpha"]!)),\n  \"zeta\": \(q(secrets["zeta"]!))\n}")
    }

    // MARK: decrypt and list

    func testDecryptHumanFormat() throws {
        let site = try makeExampleSite()
        let result = try progfigOK(["secret", "decrypt", "-n", "web1", "-n", "db1", "-g", "webservers,universal", "-c"], in: site.root)
        XCTAssertEqual(result.stdoutText, """
            # node web1 api_token
            web1 api token
            # node db1 db_password
            S3cret-db-pass
            # group webservers tls_key
            tls-private-key-material
            # group universal ntp_key
            ntp.example.internal shared key
            # controller backup_passphrase
            controller-only backup passphrase

            """)
        // A value ending in a newline gets no second one; secrets are listed by name; empty collections print nothing.
        try progfigOK(["secret", "encrypt", "-q", "-n", "web1", "--value", "multi\nline\n", "--save-as", "a_multi"], in: site.root)
        XCTAssertEqual(try progfigOK(["secret", "decrypt", "-n", "web1,web2", "-g", "databases"], in: site.root).stdoutText,
                       "# node web1 a_multi\nmulti\nline\n# node web1 api_token\nweb1 api token\n")
    }

    func testDecryptNameRawAndJson() throws {
        let site = try makeExampleSite()
        XCTAssertEqual(try progfigOK(["secret", "decrypt", "-g", "universal", "--name", "ntp_key"], in: site.root).stdoutText,
                       "ntp.example.internal shared key")
        XCTAssertEqual(try progfigOK(["secret", "decrypt", "--name", "backup_passphrase", "-c"], in: site.root).stdoutText,
                       "controller-only backup passphrase")

        let json = try progfigOK(["secret", "decrypt", "-n", "web1,db1", "-g", "webservers", "-c", "--json"], in: site.root)
        XCTAssertTrue(json.stdoutText.hasSuffix("}\n"))
        let object = try JSONSerialization.jsonObject(with: json.stdout) as? [String: [String: String]]
        XCTAssertEqual(object, [
            "node web1": ["api_token": "web1 api token"],
            "node db1": ["db_password": "S3cret-db-pass"],
            "group webservers": ["tls_key": "tls-private-key-material"],
            "controller": ["backup_passphrase": "controller-only backup passphrase"],
        ])
        let empty = try progfigOK(["secret", "decrypt", "-n", "web2", "--json"], in: site.root)
        XCTAssertEqual(try JSONSerialization.jsonObject(with: empty.stdout) as? [String: [String: String]], ["node web2": [:]])

        // Binary values: --name prints them exactly; --json refuses them, naming the secret.
        let work = try makeTemporaryDirectory()
        let binary = try makeRandomFile("bin", in: work, count: 3000)
        try progfigOK(["secret", "encrypt", "-q", "-n", "web2", "--file", binary.path, "--save-as", "blob"], in: site.root)
        XCTAssertEqual(try progfigOK(["secret", "decrypt", "-n", "web2", "--name", "blob"], in: site.root).stdout, try bytes(binary))
        try Data([0xff, 0xfe, 0x00]).write(to: binary)
        try progfigOK(["secret", "encrypt", "-q", "-n", "web2", "--file", binary.path, "--save-as", "invalid_utf8"], in: site.root)
        assertCleanError(try progfig(["secret", "decrypt", "-n", "web2", "--json"], in: site.root), status: 1,
                         contains: "secret \"blob\" of node web2 is not UTF-8 text; print it with --name")
    }

    func testListAllAndSelectedCollections() throws {
        let site = try makeExampleSite()
        XCTAssertEqual(try progfigOK(["secret", "list"], in: site.root).stdoutText, """
            controller\tbackup_passphrase
            node db1\tdb_password
            node web1\tapi_token
            group universal\tntp_key
            group webservers\ttls_key

            """)
        try progfigOK(["secret", "encrypt", "-q", "-g", "webservers", "--value", "x", "--save-as", "aaa"], in: site.root)
        XCTAssertEqual(try progfigOK(["secret", "list", "-g", "webservers", "-n", "web2", "-n", "web1"], in: site.root).stdoutText, """
            node web1\tapi_token
            group webservers\taaa
            group webservers\ttls_key

            """)
        XCTAssertEqual(try progfigOK(["secret", "list", "-c"], in: site.root).stdoutText, "controller\tbackup_passphrase\n")
        XCTAssertEqual(try progfigOK(["secret", "list", "-g", "databases"], in: site.root).stdoutText, "")
        // Listing needs no key at all.
        try site.moveControllerKeyAway()
        XCTAssertEqual(try progfigOK(["secret", "list", "-n", "db1"], in: site.root).stdoutText, "node db1\tdb_password\n")
        assertCleanError(try progfig(["secret", "list", "-n", "web7"], in: site.root), status: 1, contains: "unknown node \"web7\"")
        assertCleanError(try progfig(["secret", "list", "-g", "web"], in: site.root), status: 1, contains: "unknown group \"web\"")
    }

    // MARK: get, as a node

    func testGetActingAsTheNodeWithItsOwnKey() throws {
        let site = try makeExampleSite()
        try site.moveControllerKeyAway()
        // web1's own key comes from nodes/web1.conf age_key_path (../keys/web1.age).
        XCTAssertEqual(try progfigOK(["secret", "get", "web1", "api_token"], in: site.root).stdoutText, "web1 api token")
        XCTAssertEqual(try progfigOK(["secret", "get", "web1", "tls_key"], in: site.root).stdoutText, "tls-private-key-material")
        XCTAssertEqual(try progfigOK(["secret", "get", "web2", "tls_key"], in: site.root).stdoutText, "tls-private-key-material")
        XCTAssertEqual(try progfigOK(["secret", "get", "db1", "ntp_key"], in: site.root).stdoutText, "ntp.example.internal shared key")
        XCTAssertEqual(try progfigOK(["secret", "get", "db1", "db_password"], in: site.root).stdoutText, "S3cret-db-pass")
        // A node never sees another node's secrets, nor a group it is not in.
        assertCleanError(try progfig(["secret", "get", "web2", "api_token"], in: site.root), status: 1,
                         contains: "no secret \"api_token\" for node \"web2\"; searched node web2, group webservers, group universal",
                         secrets: ["web1 api token"])
        assertCleanError(try progfig(["secret", "get", "db1", "tls_key"], in: site.root), status: 1,
                         contains: "no secret \"tls_key\" for node \"db1\"; searched node db1, group databases, group universal",
                         secrets: ["tls-private-key-material"])
        // And the node's key alone does not open the controller's or another node's file.
        assertCleanError(try progfig(["secret", "decrypt", "-n", "web1", "--age-key", site.key("web2").path], in: site.root),
                         status: 1, contains: "cannot decrypt secret \"api_token\" of node web1: none of the loaded keys",
                         secrets: ["web1 api token"])
        // With the key moved away from age_key_path, nothing is left to try.
        try FileManager.default.moveItem(at: site.key("web1"), to: site.base.appendingPathComponent("web1.away"))
        assertCleanError(try progfig(["secret", "get", "web1", "api_token"], in: site.root), status: 1,
                         contains: "no age key found (tried \(site.key("web1").path), \(site.controllerKey.path), /etc/progfig/node.age, /etc/ssh/ssh_host_ed25519_key)",
                         secrets: ["web1 api token"])
    }

    func testGetInheritanceOrder() throws {
        let site = try makeExampleSite()
        try progfigOK(["secret", "encrypt", "-q", "-g", "universal", "--value", "from universal", "--save-as", "shared"], in: site.root)
        try progfigOK(["secret", "encrypt", "-q", "-g", "webservers", "--value", "from webservers", "--save-as", "shared"], in: site.root)
        try progfigOK(["secret", "encrypt", "-q", "-n", "web1", "--value", "from web1", "--save-as", "shared"], in: site.root)
        try site.moveControllerKeyAway()
        let get = { (node: String) throws -> RunResult in
            try self.progfig(["-v", "secret", "get", node, "shared"], in: site.root)
        }
        XCTAssertEqual(try get("web1").stdoutText, "from web1")
        XCTAssertTrue(try get("web1").stderr.hasSuffix("progfig: found \"shared\" in node web1\n"))
        XCTAssertEqual(try get("web2").stdoutText, "from webservers")
        XCTAssertTrue(try get("web2").stderr.hasSuffix("progfig: found \"shared\" in group webservers\n"))
        XCTAssertEqual(try get("db1").stdoutText, "from universal")
        XCTAssertTrue(try get("db1").stderr.hasSuffix("progfig: found \"shared\" in group universal\n"))

        // A second group: db1 joins webservers too. Named groups are searched after the node, before universal.
        try site.restoreControllerKey()
        try replaceLine("webservers = web1 web2", with: "webservers = web1 web2 db1", in: site.inventory)
        try progfigOK(["secret", "rekey", "-q"], in: site.root)
        try site.moveControllerKeyAway()
        XCTAssertEqual(try get("db1").stdoutText, "from webservers")
    }

    // MARK: rekey

    func testRekeyAfterANodeJoinsAGroup() throws {
        let site = try makeExampleSite()
        let r = site.root.path
        try replaceLine("webservers = web1 web2", with: "webservers = web1 web2 db1", in: site.inventory)

        // Before rekeying, db1 finds the group's secret but cannot open it.
        try site.moveControllerKeyAway()
        assertCleanError(try progfig(["secret", "get", "db1", "tls_key"], in: site.root), status: 1,
                         contains: "cannot decrypt secret \"tls_key\" of group webservers: none of the loaded keys (\(site.key("db1").path), \(site.controllerKey.path), /etc/progfig/node.age, /etc/ssh/ssh_host_ed25519_key) is a recipient",
                         secrets: ["tls-private-key-material"])
        // Rekeying needs the controller key.
        assertCleanError(try progfig(["secret", "rekey"], in: site.root), status: 1, contains: "no age key found")
        try site.restoreControllerKey()

        let before = try snapshot(site.base)
        let dry = try progfigOK(["secret", "rekey", "--dry-run"], in: site.root)
        XCTAssertEqual(dry.stdoutText, """
            \(r)/controller.secrets.json: would re-encrypt 1 secret(s) of controller to 1 recipient(s)
            \(r)/nodes/db1.secrets.json: would re-encrypt 1 secret(s) of node db1 to 2 recipient(s)
            \(r)/nodes/web1.secrets.json: would re-encrypt 1 secret(s) of node web1 to 2 recipient(s)
            \(r)/groups/universal.secrets.json: would re-encrypt 1 secret(s) of group universal to 4 recipient(s)
            \(r)/groups/webservers.secrets.json: would re-encrypt 1 secret(s) of group webservers to 4 recipient(s)

            """)
        XCTAssertEqual(try snapshot(site.base), before, "--dry-run changed files")

        let rekey = try progfigOK(["secret", "rekey", "-v"], in: site.root, allowStderr: true)
        XCTAssertEqual(rekey.stdoutText, """
            \(r)/controller.secrets.json: re-encrypted 1 secret(s) of controller to 1 recipient(s)
              backup_passphrase
            \(r)/nodes/db1.secrets.json: re-encrypted 1 secret(s) of node db1 to 2 recipient(s)
              db_password
            \(r)/nodes/web1.secrets.json: re-encrypted 1 secret(s) of node web1 to 2 recipient(s)
              api_token
            \(r)/groups/universal.secrets.json: re-encrypted 1 secret(s) of group universal to 4 recipient(s)
              ntp_key
            \(r)/groups/webservers.secrets.json: re-encrypted 1 secret(s) of group webservers to 4 recipient(s)
              tls_key

            """)
        XCTAssertEqual(try readers(of: try readSecretsFile(site.groupSecrets("webservers"))["tls_key"]!, in: site),
                       ["controller", "db1", "web1", "web2"])
        XCTAssertEqual(try readers(of: try readSecretsFile(site.nodeSecrets("web1"))["api_token"]!, in: site), ["controller", "web1"])
        XCTAssertEqual(try readers(of: try readSecretsFile(site.controllerSecrets)["backup_passphrase"]!, in: site), ["controller"])

        try site.moveControllerKeyAway()
        XCTAssertEqual(try progfigOK(["secret", "get", "db1", "tls_key"], in: site.root).stdoutText, "tls-private-key-material")
        XCTAssertEqual(try progfigOK(["secret", "decrypt", "-g", "webservers", "--name", "tls_key", "--age-key", site.key("db1").path],
                                     in: site.root).stdoutText, "tls-private-key-material")

        // Leaving the group and rekeying takes the access away again.
        try site.restoreControllerKey()
        try replaceLine("webservers = web1 web2 db1", with: "webservers = web1 web2", in: site.inventory)
        XCTAssertEqual(try progfigOK(["secret", "rekey", "-q"], in: site.root).stdoutText, "")
        XCTAssertEqual(try readers(of: try readSecretsFile(site.groupSecrets("webservers"))["tls_key"]!, in: site),
                       ["controller", "web1", "web2"])
        XCTAssertEqual(try progfigOK(["secret", "decrypt", "-n", "web1", "-n", "db1", "-g", "webservers,universal", "-c", "--json"],
                                     in: site.root).stdoutText.contains("tls-private-key-material"), true)
    }

    func testRekeyOnASiteWithoutSecrets() throws {
        let dir = try makeTemporaryDirectory()
        try progfigOK(["init", "-q", "s"], in: dir)
        XCTAssertEqual(try progfigOK(["secret", "rekey"], in: dir.appendingPathComponent("s")).stdoutText, "no stored secrets\n")
    }

    // MARK: keys

    func testEveryWayOfGivingAKey() throws {
        let site = try makeExampleSite()
        try site.moveControllerKeyAway()
        let web1 = site.key("web1").path
        let expected = "# node web1 api_token\nweb1 api token\n"
        let identityText = try String(contentsOf: site.key("web1"), encoding: .utf8)
        let ways: [(arguments: [String], environment: [String: String])] = [
            (["--age-key", web1], [:]),
            (["--age-key", site.key("db1").path, "--age-key", web1], [:]),
            (["--secret-store-arguments", "age_key=\(web1)"], [:]),
            (["--secret-store-arguments", "age_key=../keys/web1.age"], [:]),
            ([], ["PROGFIG_AGE_KEY_FILE": web1]),
            ([], ["PROGFIG_AGE_KEY": identityText]),
            ([], ["PROGFIG_AGE_KEY": "AGE-SECRET-KEY-1AHZG4035E4C6UU0FZNHJ7HPMD4XV20ECZ275WS8K5A0834T9TZ9QST9VH7"]),
            (["--age-key", site.key("web2").path], ["PROGFIG_AGE_KEY_FILE": web1]),
        ]
        for way in ways {
            let result = try progfig(["secret", "decrypt", "-n", "web1"] + way.arguments, in: site.root, environment: way.environment)
            XCTAssertEqual(result.status, 0, "\(way): \(result.stderr)")
            XCTAssertEqual(result.stdoutText, expected, "\(way)")
        }
        // The order keys are tried in, as -v shows it.
        let verbose = try progfig(["-v", "secret", "get", "web1", "api_token", "--age-key", site.key("web2").path,
                                   "--secret-store-arguments", "age_key=\(site.key("db1").path)"],
                                  in: site.root, environment: ["PROGFIG_AGE_KEY_FILE": site.controllerKeyAway.path, "PROGFIG_AGE_KEY": identityText])
        XCTAssertEqual(verbose.status, 0, verbose.stderr)
        XCTAssertTrue(verbose.stderr.hasPrefix(
            "progfig: decryption keys tried in order: \(site.key("db1").path), \(site.key("web2").path), \(site.controllerKeyAway.path), $PROGFIG_AGE_KEY, \(web1), \(site.controllerKey.path), /etc/progfig/node.age, /etc/ssh/ssh_host_ed25519_key\n"),
            verbose.stderr)
        XCTAssertFalse(verbose.stderr.contains("AGE-SECRET-KEY"))

        // Unknown and malformed store arguments are usage errors naming the argument.
        assertCleanError(try progfig(["secret", "decrypt", "-n", "web1", "--secret-store-arguments", "age_key=\(web1),colour=blue"],
                                     in: site.root), status: 64, contains: "unknown secret store argument \"colour\"; known: age_key")
        assertCleanError(try progfig(["secret", "decrypt", "-n", "web1", "--secret-store-arguments", "age_key"], in: site.root),
                         status: 64, contains: "--secret-store-arguments")
        assertCleanError(try progfig(["secret", "decrypt", "-n", "web1", "--secret-store-arguments", "age_key=a,age_key=b"],
                                     in: site.root), status: 64, contains: "--secret-store-arguments")
    }
}
