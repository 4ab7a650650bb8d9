import AgeFormat
import Foundation
import XCTest
import ProgfigSecrets

/// progfig against the original's own code (progfiguration 0.0.10 from PyPI, run by
/// Tests/differential/original.py in the Python named by $PROGFIG_ORIGINAL_PYTHON; scripts/setup
/// makes that virtual environment and scripts/test sets the variable). On generated sites of both
/// forms, with the quirks the original has, its hosts_conf, secrets_conf, MemoryHostStore,
/// AgeSecretStore and get_inherited_secret give the expected answers, and progfig must give the same.
final class DifferentialTests: XCTestCase {
    // MARK: running the original

    private func originalPython() throws -> String {
        guard let python = ProcessInfo.processInfo.environment["PROGFIG_ORIGINAL_PYTHON"], !python.isEmpty,
              FileManager.default.isExecutableFile(atPath: python) else {
            throw XCTSkip("skipped: PROGFIG_ORIGINAL_PYTHON does not name a Python with progfiguration 0.0.10 (scripts/setup makes one; scripts/test sets it)")
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard path.split(separator: ":").contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/age") }) else {
            throw XCTSkip("skipped: the original needs the age binary, which is not on PATH")
        }
        return python
    }

    private static let driver = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("differential/original.py")

    /// Runs the driver on `site` in its project directory and decodes its JSON answer.
    private func original(_ site: GeneratedSite, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Any {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try originalPython())
        process.arguments = [Self.driver.path, site.package.path] + arguments
        process.currentDirectoryURL = site.project
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            XCTFail("original \(arguments) failed: \(String(decoding: errors, as: UTF8.self))", file: file, line: line)
            throw SiteError("the original failed")
        }
        return try JSONSerialization.jsonObject(with: output, options: [.fragmentsAllowed])
    }

    // MARK: sites

    /// A generated site: project directory, package directory, keys under project/keys/.
    struct GeneratedSite {
        let project: URL
        let package: URL
        let controller: X25519Identity
        let nodeKeys: [String: X25519Identity]
    }

    private func keyText(_ identity: X25519Identity) -> String {
        "# public key: \(identity.x25519Recipient.encoded)\n\(identity.secretKeyString)\n"
    }

    private func write(_ text: String, _ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// A site with `inventory` as inventory.py (and `config` as inventory.conf when given), node
    /// modules for `nodes`, and keys; `src` puts the package under src/.
    private func makeSite(name: String, src: Bool, inventory: (GeneratedSite) -> String, config: ((GeneratedSite) -> String)?,
                          nodes: [String]) throws -> GeneratedSite {
        let project = try makeTemporaryDirectory().appendingPathComponent("project")
        let package = src ? project.appendingPathComponent("src/\(name)") : project.appendingPathComponent(name)
        var keys: [String: X25519Identity] = [:]
        for node in nodes { keys[node] = X25519Identity.generate() }
        let site = GeneratedSite(project: project, package: package, controller: X25519Identity.generate(), nodeKeys: keys)
        try write("[project]\nname = \"\(name)\"\ndynamic = [\"version\"]\n", project.appendingPathComponent("pyproject.toml"))
        try write("site_name = \"\(name)\"\n", package.appendingPathComponent("__init__.py"))
        try write("\"\"\"Nodes.\"\"\"\n", package.appendingPathComponent("nodes/__init__.py"))
        try write("\"\"\"Groups.\"\"\"\n", package.appendingPathComponent("groups/__init__.py"))
        try write(keyText(site.controller), project.appendingPathComponent("keys/controller.age"))
        for (node, key) in keys {
            try write(keyText(key), project.appendingPathComponent("keys/\(node).age"))
            try write("""
                from pathlib import Path

                from progfiguration.inventory.nodes import InventoryNode

                node = InventoryNode(
                    address=\"\(node).example.com\",
                    ssh_host_fingerprint=\"\",
                    sitedata=dict(
                        age_pubkey=\"\(key.x25519Recipient.encoded)\",
                        age_key_path=str(Path(__file__).parent.parent.parent\(src ? ".parent" : "") / \"keys\" / \"\(node).age\"),
                    ),
                    roles=dict(settz={\"timezone\": \"UTC\"}),
                )

                """, package.appendingPathComponent("nodes/\(node).py"))
        }
        try write(inventory(site), package.appendingPathComponent("inventory.py"))
        if let config { try write(config(site), package.appendingPathComponent("inventory.conf")) }
        return site
    }

    private static let confInventory = """
        from progfiguration import sitewrapper
        from progfiguration.sitehelpers import siteversion
        from progfiguration.sitehelpers.invconf import hosts_conf, secrets_conf

        sitewrapper.set_progfigsite_by_module_name("%NAME%")
        hoststore = hosts_conf("inventory.conf")
        secretstore = secrets_conf("inventory.conf")
        mint_version = siteversion.mint_version_factory_from_epoch(major=2, minor=5)

        """

    /// inventory.py + inventory.conf with configparser's quirks: interpolation, ':' delimiters,
    /// text after a header, a comment and blank lines inside a value, keys lowercased, a section
    /// differing only in case, groups out of order (so inherited secrets depend on the order),
    /// a function without roles, `default`; relative key paths (relative to the current directory).
    private func confSite() throws -> GeneratedSite {
        try makeSite(name: "confsite", src: true, inventory: { _ in Self.confInventory.replacingOccurrences(of: "%NAME%", with: "confsite") },
                     config: { site in """
            # A generated site for differential tests.
            [secrets]
            keydir = keys
            controller_age_path: %(keydir)s/controller.age
            controller_age_pub = \(site.controller.x25519Recipient.encoded)
            node_fallback_age_path = %(keydir)s/fallback.age

            [groups] ; text after the header
            zeta = n2 n1
                n3
            ; a comment inside the value
                n4
            alpha = n1
            WEB = n2
            empty =

            [Groups]
            ignored = n1

            [node_function_map]
            n3 = web
            n1: db
            n2 = web
            n4 = mystery

            [function_role_map]
            web = nginx
              certs

              settz
            db = postgres
            default = settz

            """ }, nodes: ["n1", "n2", "n3", "n4"])
    }

    /// The same form with [DEFAULT] (its keys join every section) and a group member missing from
    /// node_function_map (the original's node_groups then fails for every node).
    private func defaultSite() throws -> GeneratedSite {
        try makeSite(name: "defaultsite", src: true, inventory: { _ in Self.confInventory.replacingOccurrences(of: "%NAME%", with: "defaultsite") },
                     config: { site in """
            [DEFAULT]
            base = n1

            [secrets]
            controller_age_path = keys/controller.age
            controller_age_pub = \(site.controller.x25519Recipient.encoded)
            node_fallback_age_path = /nonexistent/node.age

            [groups]
            g1 = n1 n2 phantom

            [node_function_map]
            n2 = f
            n1 = f

            [function_role_map]
            f = r1 r2 r1

            """ }, nodes: ["n1", "n2"])
    }

    /// The nnss form: inventory.py only, stores built in place, key paths computed from __file__,
    /// a hand-written mint_version, the package directly under the project directory.
    private func memorySite() throws -> GeneratedSite {
        try makeSite(name: "memsite", src: false, inventory: { site in """
            from pathlib import Path

            from progfiguration import sitewrapper
            from progfiguration.sitehelpers.agesecrets import AgeSecretStore
            from progfiguration.sitehelpers.memhosts import MemoryHostStore

            sitewrapper.set_progfigsite_by_module_name("memsite")

            hoststore = MemoryHostStore(
                groups={"zeta": ["n2", "n1"], "alpha": ("n1",), 'beta': ["n2"]},
                node_function_map={"n2": "web", "n1": "db"},
                function_role_map={
                    "web": ["nginx", "settz"],
                    "db": ["postgres"],
                    "default": ["settz"],
                },
            )

            secretstore = AgeSecretStore(
                controller_age_pubkey="\(site.controller.x25519Recipient.encoded)",
                decryption_age_privkey_path_list=[
                    (Path(__file__).parent.parent / "keys" / "controller.age").as_posix(),
                    "/nonexistent/node.age",
                ],
            )


            def mint_version() -> str:
                from datetime import datetime

                return f"1.0.{int(datetime.utcnow().timestamp())}"

            """ }, config: nil, nodes: ["n1", "n2"])
    }

    // MARK: comparing

    /// Runs `body` with the current directory at the site's project, as the original is run.
    private func inProject<T>(_ site: GeneratedSite, _ body: () throws -> T) rethrows -> T {
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(site.project.path)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        return try body()
    }

    /// A lookup's answer as the driver prints it: the value, or ["error": …] when it failed.
    private func answer<T>(_ body: () throws -> T) -> Any {
        do { return try body() } catch { return ["error": "\(error)"] }
    }

    private func assertSameAnswers(_ site: GeneratedSite, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try XCTUnwrap(try original(site, ["answers"]) as? [String: Any], file: file, line: line)
        let hosts = try inProject(site) { try Site(root: site.project).hostStore() }
        XCTAssertEqual(hosts.nodes, expected["nodes"] as? [String], "nodes", file: file, line: line)
        XCTAssertEqual(hosts.groups, expected["groups"] as? [String], "groups", file: file, line: line)
        XCTAssertEqual(hosts.functions, expected["functions"] as? [String], "functions", file: file, line: line)
        XCTAssertEqual(hosts.roles, expected["roles"] as? [String], "roles", file: file, line: line)
        for (group, members) in try XCTUnwrap(expected["group_members"] as? [String: [String]]) {
            XCTAssertEqual(try hosts.groupMembers(group), members, "members of \(group)", file: file, line: line)
        }
        for (kind, lookup) in [("node_groups", hosts.nodeGroups), ("node_roles", hosts.nodeRoles)] as [(String, (String) throws -> [String])] {
            for (node, value) in try XCTUnwrap(expected[kind] as? [String: Any]) {
                let ours = answer { try lookup(node) }
                if let theirs = value as? [String] {
                    XCTAssertEqual(ours as? [String], theirs, "\(kind) of \(node)", file: file, line: line)
                } else {
                    XCTAssertNil(ours as? [String], "\(kind) of \(node): the original fails (\(value)), progfig gave \(ours)", file: file, line: line)
                }
            }
        }
        for (node, function) in try XCTUnwrap(expected["node_function"] as? [String: String]) {
            XCTAssertEqual(try hosts.nodeFunction(node), function, file: file, line: line)
        }
    }

    private func store(_ site: GeneratedSite) throws -> AgeSecretStore {
        try inProject(site) { try AgeSecretStore(site: Site(root: site.project), options: SecretStoreOptions()) }
    }

    func testHostAnswersOnEveryForm() throws {
        _ = try originalPython()
        try assertSameAnswers(try confSite())
        try assertSameAnswers(try defaultSite())
        try assertSameAnswers(try memorySite())
    }

    /// Secrets stored by the original are listed, inherited and decrypted alike by progfig, and
    /// the reverse; the files' bytes agree once ciphertexts are masked.
    func testSecretsBothWays() throws {
        _ = try originalPython()
        for makeSite in [confSite, memorySite] {
            let site = try makeSite()
            let nodes = site.nodeKeys.keys.sorted()
            // The original stores, each collection in one process (it keeps only what one process stored).
            _ = try original(site, ["store", nodes[0], "", "0", "own=\(nodes[0]) value", "shared=node value"])
            let groups = try inProject(site) { try Site(root: site.project).hostStore() }.groups.filter { $0 != "empty" }
            for group in groups {
                _ = try original(site, ["store", "", group, "0", "shared=from \(group)", "only_\(group)=x"])
            }
            _ = try original(site, ["store", "", "", "1", "ctl=controller value"])

            // progfig reads what the original wrote: lists, inherited secrets, values.
            let ours = try store(site)
            var collections: [(String, SecretCollection, String)] = [("node", .node(nodes[0]), nodes[0])]
            collections += groups.map { ("group", SecretCollection.group($0), $0) }
            collections.append(("special", .controller, "controller"))
            for (kind, collection, name) in collections {
                XCTAssertEqual(try ours.list(collection), try original(site, ["list", kind, name]) as? [String], "\(collection)")
            }
            var inheritedCount = 0
            for node in nodes {
                let names = ["own", "shared", "ctl", "missing"] + groups.map { "only_\($0)" }
                let expected = try XCTUnwrap(try original(site, ["inherited", node] + names) as? [String: Any])
                for name in names {
                    let theirs = expected[name] as? String
                    let found = try? ours.getInherited(node: node, name: name)
                    let armored = try found.map { try ours.get($0.collection, name: name).armored }
                    XCTAssertEqual(armored, theirs, "inherited \(name) for \(node)")
                    if theirs != nil { inheritedCount += 1 }
                }
            }
            // Each node inherits "shared" and every only_GROUP of its groups; none finds "missing".
            XCTAssertGreaterThanOrEqual(inheritedCount, nodes.count * 2)
            // The group order matters: n2 is in zeta, then a later group, and takes "shared" from the later one.
            XCTAssertEqual(try ours.getInherited(node: "n2", name: "shared").collection, .group(site.package.lastPathComponent == "memsite" ? "beta" : "web"))
            XCTAssertEqual(String(decoding: try ours.get(.node(nodes[0]), name: "own").value(), as: UTF8.self), "\(nodes[0]) value")
            XCTAssertEqual(String(decoding: try ours.get(.controller, name: "ctl").value(), as: UTF8.self), "controller value")

            // The original reads what progfig wrote.
            _ = try inProject(site) {
                try ours.store(name: "from_progfig", value: Array("progfig value".utf8), nodes: [nodes[1]], groups: [], controllerKey: false)
            }
            XCTAssertEqual(try original(site, ["decrypt", "node", nodes[1], "from_progfig"]) as? String, "progfig value")
            XCTAssertEqual(try original(site, ["decrypt", "group", groups[1], "shared"]) as? String, "from \(groups[1])")
        }
    }

    /// After each stores the same names in the same collections, the files are the same bytes
    /// but for the ciphertexts.
    func testSecretsFileBytesAgree() throws {
        _ = try originalPython()
        let theirs = try confSite()
        let mine = try confSite()
        _ = try original(theirs, ["store", "n1,n2", "zeta", "0", "b=2", "a=1", "ü=3"])
        _ = try original(theirs, ["store", "", "", "1", "c=3"])
        let ours = try store(mine)
        try inProject(mine) {
            for (name, value) in [("b", "2"), ("a", "1"), ("ü", "3")] {
                _ = try ours.store(name: name, value: Array(value.utf8), nodes: ["n1", "n2"], groups: ["zeta"], controllerKey: false)
            }
            _ = try ours.store(name: "c", value: Array("3".utf8), nodes: [], groups: [], controllerKey: true)
        }
        func masked(_ url: URL) throws -> String {
            let text = try String(contentsOf: url, encoding: .utf8)
            return text.replacingOccurrences(of: #"-----BEGIN AGE ENCRYPTED FILE-----[^"]*-----END AGE ENCRYPTED FILE-----\\n"#,
                                             with: "CIPHERTEXT", options: .regularExpression)
        }
        for file in ["nodes/n1.secrets.json", "nodes/n2.secrets.json", "groups/zeta.secrets.json", "controller.secrets.json"] {
            let a = try masked(theirs.package.appendingPathComponent(file))
            XCTAssertEqual(try masked(mine.package.appendingPathComponent(file)), a, file)
            XCTAssertTrue(a.contains("CIPHERTEXT") && !a.contains("BEGIN AGE"), a)
        }
    }

    /// A site `progfig init` makes (SiteCreator) runs under the original unchanged: it imports
    /// inventory.py, reads inventory.conf and a node module written as progfig documents it, and
    /// decrypts what progfig stored.
    func testSitesProgfigMakesRunUnderTheOriginal() throws {
        _ = try originalPython()
        let project = try makeTemporaryDirectory().appendingPathComponent("made")
        let created = try SiteCreator.create(root: project, controllerKey: nil)
        let node = X25519Identity.generate()
        let keyPath = project.deletingLastPathComponent().appendingPathComponent("web1.age")
        try write(keyText(node), keyPath)
        let conf = created.layout.inventoryConfig
        var text = try String(contentsOf: conf, encoding: .utf8)
        text = text.replacingOccurrences(of: "[groups]\n", with: "[groups]\nweb = web1\n")
            .replacingOccurrences(of: "[node_function_map]\n", with: "[node_function_map]\nweb1 = webserver\n")
            .replacingOccurrences(of: "[function_role_map]\n", with: "[function_role_map]\nwebserver = settz\n")
        try write(text, conf)
        try write(SiteCreator.nodeModule(address: "web1.example.com", publicKey: node.x25519Recipient.encoded, keyPath: keyPath.path),
                  created.layout.nodeModule("web1"))
        let site = GeneratedSite(project: project, package: created.layout.package, controller: node, nodeKeys: ["web1": node])
        try assertSameAnswers(site)
        let ours = try store(site)
        _ = try inProject(site) {
            try ours.store(name: "token", value: Array("made by progfig".utf8), nodes: [], groups: ["web"], controllerKey: false)
        }
        XCTAssertEqual(try original(site, ["decrypt", "group", "web", "token"]) as? String, "made by progfig")
        XCTAssertEqual(try original(site, ["list", "group", "web"]) as? [String], ["token"])
    }

    /// A site made by the original's own `progfiguration newsite`, as it comes out. The 0.0.10
    /// wheel on PyPI lacks newsite's templates, so newsite stops after writing the controller key;
    /// this test says so and skips until a release ships them.
    func testSiteMadeByTheOriginalsNewsite() throws {
        let python = try originalPython()
        let dir = try makeTemporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("progfiguration")
        process.arguments = ["newsite", "--name", "newsite_site", "--path", dir.appendingPathComponent("newsite_site").path]
        process.currentDirectoryURL = dir
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let project = dir.appendingPathComponent("newsite_site")
        guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: project.appendingPathComponent("pyproject.toml").path) else {
            throw XCTSkip("skipped: the original's newsite failed (\(errors.split(separator: "\n").last ?? "no message")); "
                          + "progfiguration 0.0.10 on PyPI ships without its .temple templates")
        }
        let site = try Site(root: project)
        XCTAssertEqual(try site.hostStore().nodes, ["node1"])
        _ = try site.nodeData("node1")
        _ = try site.secretsSettings()
    }
}
