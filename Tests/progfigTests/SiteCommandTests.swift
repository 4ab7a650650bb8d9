import Foundation
import XCTest

/// The inventory commands (list, info), site discovery and global options, version, init and
/// validate, run as the built binary against copies of Examples/ and sites made with `init`.
final class SiteCommandTests: XCTestCase {
    func testListPrintsEachKindOnePerLine() throws {
        let site = try makeExampleSite()
        let expected = [
            "nodes": "web1\nweb2\ndb1\n",
            "groups": "universal\nwebservers\ndatabases\n",
            "functions": "webserver\ndatabase\ndefault\n",
            "roles": "nginx\npostgres\nsettz\n",
        ]
        for (kind, output) in expected {
            let result = try progfigOK(["list", kind], in: site.root)
            XCTAssertEqual(result.stdoutText, output, kind)
        }
        let bad = try progfig(["list", "hosts"], in: site.root)
        assertCleanError(bad, status: 64, contains: "hosts")
    }

    func testInfoForNodesGroupsAndFunctions() throws {
        let site = try makeExampleSite()
        let node = try progfigOK(["info", "-n", "web1"], in: site.root)
        XCTAssertEqual(node.stdoutText, """
            node web1
              function: webserver
              groups: universal webservers
              roles: settz nginx

            """)
        // Comma lists and repeated options, nodes then groups then functions, each in the order given.
        let many = try progfigOK(["info", "-f", "database,webserver", "-n", "db1,web2", "-g", "webservers", "-g", "universal,databases"],
                                 in: site.root)
        XCTAssertEqual(many.stdoutText, """
            node db1
              function: database
              groups: universal databases
              roles: settz postgres
            node web2
              function: webserver
              groups: universal webservers
              roles: settz nginx
            group webservers
              members: web1 web2
            group universal
              members: web1 web2 db1
            group databases
              members: db1
            function database
              nodes: db1
              roles: settz postgres
            function webserver
              nodes: web1 web2
              roles: settz nginx

            """)
        // A name given twice is described once.
        let twice = try progfigOK(["info", "-g", "databases,databases", "-g", "databases"], in: site.root)
        XCTAssertEqual(twice.stdoutText, "group databases\n  members: db1\n")

        assertCleanError(try progfig(["info", "-n", "web9"], in: site.root), status: 1, contains: "unknown node \"web9\"")
        assertCleanError(try progfig(["info", "-f", "mail"], in: site.root), status: 1, contains: "no node has function \"mail\"")
        assertCleanError(try progfig(["info"], in: site.root), status: 64, contains: "name at least one node (-n), group (-g) or function (-f)")
    }

    /// A failing `info` prints nothing on standard output: no heading for a group, node or function
    /// it then fails to describe. (Fails: InfoCommand prints the heading before looking the name up.)
    func testInfoErrorsPrintNoPartialDescription() throws {
        let site = try makeExampleSite()
        assertCleanError(try progfig(["info", "-g", "mailservers"], in: site.root), status: 1, contains: "unknown group \"mailservers\"")
        try replaceLine("default = settz", with: "", in: site.inventory)
        try replaceLine("db1 = database", with: "db1 = cache", in: site.inventory)
        let message = "node \"db1\" has function \"cache\", which has no entry in function_role_map"
        assertCleanError(try progfig(["info", "-n", "db1"], in: site.root), status: 1, contains: message)
        assertCleanError(try progfig(["info", "-f", "cache"], in: site.root), status: 1,
                         contains: "function \"cache\" has no entry in function_role_map")
    }

    /// As in the original, `default` is a function like any other: there is no fallback to it.
    func testFunctionWithoutRolesHasNoneAndDefaultIsAFunction() throws {
        let site = try makeExampleSite()
        try replaceLine("db1 = database", with: "db1 = cache", in: site.inventory)
        assertCleanError(try progfig(["info", "-n", "db1"], in: site.root), status: 1,
                         contains: "node \"db1\" has function \"cache\", which has no entry in function_role_map")
        assertCleanError(try progfig(["info", "-f", "default"], in: site.root), status: 1, contains: "no node has function \"default\"")
        XCTAssertEqual(try progfigOK(["list", "functions"], in: site.root).stdoutText, "webserver\ndatabase\ndefault\n")
    }

    func testSiteFromOptionEnvironmentAndDiscovery() throws {
        let site = try makeExampleSite()
        let elsewhere = try makeTemporaryDirectory()
        // A second site with no nodes, to tell which site was used.
        try progfigOK(["init", "-q", "empty"], in: elsewhere)
        let empty = elsewhere.appendingPathComponent("empty")

        // Discovery: from the site root and from a subdirectory two levels down.
        let deep = site.root.appendingPathComponent("nodes/sub/dir")
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        XCTAssertEqual(try progfigOK(["list", "nodes"], in: site.root).stdoutText, "web1\nweb2\ndb1\n")
        XCTAssertEqual(try progfigOK(["list", "nodes"], in: deep).stdoutText, "web1\nweb2\ndb1\n")
        XCTAssertEqual(try progfigOK(["version"], in: deep).stdoutText.split(separator: "\n")[2], "path: \(site.root.path)")

        // --site, absolute and relative, in both spellings.
        XCTAssertEqual(try progfigOK(["list", "nodes", "--site", site.root.path], in: elsewhere).stdoutText, "web1\nweb2\ndb1\n")
        XCTAssertEqual(try progfigOK(["list", "nodes", "--site=\(site.root.path)"], in: elsewhere).stdoutText, "web1\nweb2\ndb1\n")
        XCTAssertEqual(try progfigOK(["--site", "example_site", "list", "nodes"], in: site.base).stdoutText, "web1\nweb2\ndb1\n")

        // $PROGFIG_SITE, relative to the working directory too.
        XCTAssertEqual(try progfigOK(["list", "nodes"], in: elsewhere, environment: ["PROGFIG_SITE": site.root.path]).stdoutText,
                       "web1\nweb2\ndb1\n")
        XCTAssertEqual(try progfigOK(["list", "nodes"], in: site.base, environment: ["PROGFIG_SITE": "example_site"]).stdoutText,
                       "web1\nweb2\ndb1\n")

        // Precedence: --site over $PROGFIG_SITE over discovery.
        XCTAssertEqual(try progfigOK(["list", "nodes"], in: site.root, environment: ["PROGFIG_SITE": empty.path]).stdoutText, "")
        XCTAssertEqual(try progfigOK(["list", "nodes", "--site", site.root.path], in: empty,
                                     environment: ["PROGFIG_SITE": empty.path]).stdoutText, "web1\nweb2\ndb1\n")
        XCTAssertEqual(try progfigOK(["list", "groups"], in: site.root, environment: ["PROGFIG_SITE": empty.path]).stdoutText,
                       "universal\n")

        // A project root made by init, and its package directory, are the same site.
        XCTAssertEqual(try progfigOK(["version", "--site", empty.path], in: site.root).stdoutText.split(separator: "\n")[2],
                       "path: \(empty.path)/src/empty")
        XCTAssertEqual(try progfigOK(["version"], in: empty.appendingPathComponent("src/empty/nodes")).stdoutText.split(separator: "\n")[2],
                       "path: \(empty.path)/src/empty")

        // No site anywhere above, a --site that is not a site.
        let bare = try makeTemporaryDirectory()
        let lookedFor = "looked for inventory.py or inventory.conf, or a pyproject.toml with src/NAME/ or NAME/ holding one"
        assertCleanError(try progfig(["list", "nodes"], in: bare), status: 1,
                         contains: "no site in \(bare.standardizedFileURL.path) or any directory above it: \(lookedFor)")
        assertCleanError(try progfig(["list", "nodes", "--site", bare.path], in: site.root), status: 1,
                         contains: "\(bare.standardizedFileURL.path): not a site: \(lookedFor)")
        assertCleanError(try progfig(["list", "nodes"], in: site.root, environment: ["PROGFIG_SITE": bare.path]), status: 1,
                         contains: "not a site")
    }

    /// A key file others can read gets a warning, which -q (print only errors) silences.
    func testQuietSilencesKeyWarnings() throws {
        let site = try makeExampleSite()
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: site.controllerKey.path)
        let loud = try progfigOK(["secret", "decrypt", "-c"], in: site.root, allowStderr: true)
        XCTAssertTrue(loud.stderr.contains("warning:") && loud.stderr.contains(site.controllerKey.lastPathComponent), loud.stderr)
        let quiet = try progfigOK(["-q", "secret", "decrypt", "-c"], in: site.root)
        XCTAssertEqual(quiet.stdoutText, loud.stdoutText)
    }

    /// Global options go before, between or after the subcommand names.
    func testGlobalOptionsBeforeOrAfterTheSubcommand() throws {
        let site = try makeExampleSite()
        let dir = try makeTemporaryDirectory()
        let s = site.root.path
        let web1Key = site.key("web1").path
        let forms: [[String]] = [
            ["--site", s, "secret", "decrypt", "-n", "web1", "--age-key", web1Key],
            ["--site", s, "--age-key", web1Key, "secret", "decrypt", "-n", "web1"],
            ["secret", "decrypt", "--site", s, "-n", "web1", "--age-key=\(web1Key)"],
            ["--site=\(s)", "--age-key=\(web1Key)", "secret", "decrypt", "-n", "web1"],
            ["-q", "--site", s, "--secret-store-arguments", "age_key=\(web1Key)", "secret", "decrypt", "-n", "web1"],
            ["secret", "decrypt", "-n", "web1", "-q", "--secret-store-arguments=age_key=\(web1Key)", "--site", s],
            ["secret", "--site", s, "decrypt", "-n", "web1", "--age-key", web1Key],
            ["--site", s, "secret", "-q", "--age-key=\(web1Key)", "decrypt", "-n", "web1"],
        ]
        try site.moveControllerKeyAway()
        for arguments in forms {
            let result = try progfigOK(arguments, in: dir)
            XCTAssertEqual(result.stdoutText, "# node web1 api_token\nweb1 api token\n", "\(arguments)")
        }
        // -v before the subcommand: the keys tried are noted on standard error. Relative key
        // paths are relative to the current directory, as in the original.
        let parent = dir.deletingLastPathComponent().path
        let verbose = try progfigOK(["-v", "--site", s, "--age-key", web1Key, "secret", "get", "web1", "api_token"], in: dir,
                                    allowStderr: true)
        XCTAssertEqual(verbose.stdoutText, "web1 api token")
        XCTAssertEqual(verbose.stderr, """
            progfig: decryption keys tried in order: \(web1Key), \(parent)/keys/web1.age, \(parent)/controller.age, /etc/progfig/node.age, /etc/ssh/ssh_host_ed25519_key
            progfig: found "api_token" in node web1

            """)
        assertCleanError(try progfig(["-v", "-q", "--site", s, "list", "nodes"], in: dir), status: 64,
                         contains: "-v/--verbose can't be used with -q/--quiet")
        assertCleanError(try progfig(["--site"], in: dir), status: 64)
        XCTAssertEqual(try progfigOK(["version", "--site", s, "mint"], in: dir).status, 0)
        XCTAssertEqual(try progfigOK(["list", "--site", s, "nodes"], in: dir).stdoutText, "web1\nweb2\ndb1\n")
    }

    func testVersionShowsProgfigAndSiteVersions() throws {
        let site = try makeExampleSite()
        XCTAssertEqual(try progfigOK(["version"], in: site.root).stdoutText, """
            progfig 0.1.0
            site: example_site
            path: \(site.root.path)
            version: (none: no builddata/version.py)

            """)
        let builddata = site.root.appendingPathComponent("builddata")
        try FileManager.default.createDirectory(at: builddata, withIntermediateDirectories: true)
        try "from datetime import datetime\nversion = \"1.0.1700000000\"\nbuilddate = datetime.fromisoformat(\"2023-11-14T22:13:20\")\n"
            .write(to: builddata.appendingPathComponent("version.py"), atomically: false, encoding: .utf8)
        XCTAssertEqual(try progfigOK(["version", "show"], in: site.root).stdoutText, """
            progfig 0.1.0
            site: example_site
            path: \(site.root.path)
            version: 1.0.1700000000

            """)
    }

    func testVersionMintFromEpochAndFromEnvironment() throws {
        let site = try makeExampleSite()
        let before = Int(Date().timeIntervalSince1970)
        let minted = try progfigOK(["version", "mint"], in: site.root).stdoutText
        let after = Int(Date().timeIntervalSince1970)
        XCTAssertNotNil(minted.range(of: #"^1\.0\.[0-9]+\n$"#, options: .regularExpression), minted)
        let epoch = Int(minted.dropFirst(4).dropLast()) ?? -1
        XCTAssertTrue((before...after).contains(epoch), "\(epoch) not in \(before)...\(after)")

        try replaceLine("major = 1", with: "major = 3", in: site.inventory)
        try replaceLine("minor = 0", with: "minor = 14", in: site.inventory)
        XCTAssertNotNil(try progfigOK(["version", "mint"], in: site.root).stdoutText
            .range(of: #"^3\.14\.[0-9]{10}\n$"#, options: .regularExpression))

        try replaceLine("major = 3", with: "env = PROGFIG_TEST_BUILD_VERSION", in: site.inventory)
        try replaceLine("minor = 14", with: "", in: site.inventory)
        let variable = "PROGFIG_TEST_BUILD_VERSION"
        XCTAssertNil(ProcessInfo.processInfo.environment[variable])
        XCTAssertEqual(try progfigOK(["version", "mint"], in: site.root, environment: [variable: "2.5.0.dev7"]).stdoutText,
                       "2.5.0.dev7\n")
        assertCleanError(try progfig(["version", "mint"], in: site.root), status: 1,
                         contains: "environment variable PROGFIG_TEST_BUILD_VERSION is unset or empty")
        assertCleanError(try progfig(["version", "mint"], in: site.root, environment: [variable: ""]), status: 1,
                         contains: "environment variable PROGFIG_TEST_BUILD_VERSION is unset or empty")
        assertCleanError(try progfig(["version", "mint"], in: site.root, environment: [variable: "not a version"]), status: 1,
                         contains: "version \"not a version\" from environment variable PROGFIG_TEST_BUILD_VERSION is not a valid PEP 440 version")

        // Both rules at once is an error naming the line.
        try replaceLine("env = PROGFIG_TEST_BUILD_VERSION", with: "env = PROGFIG_TEST_BUILD_VERSION\nmajor = 1", in: site.inventory)
        let both = try progfig(["version", "mint"], in: site.root)
        assertCleanError(both, status: 1, contains: "[version] takes either 'env' or 'major'/'minor', not both")
        XCTAssertTrue(both.stderr.hasPrefix("progfig: error: \(site.inventory.path):"), both.stderr)
    }

    /// init writes the original's layout, as its newsite does: pyproject.toml and src/NAME/ with
    /// inventory.py (hosts_conf, secrets_conf, mint_version_factory_from_epoch) and inventory.conf.
    func testInitCreatesASiteAndItsControllerKey() throws {
        let dir = try makeTemporaryDirectory()
        let result = try progfig(["init", "mysite"], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdoutText, "")
        let project = dir.appendingPathComponent("mysite")
        let root = project.appendingPathComponent("src/mysite")
        let key = dir.appendingPathComponent("mysite.controller.age")
        XCTAssertEqual(result.stderr, """
            progfig: created site mysite at \(root.path)
            progfig: controller key: \(key.path) (keep it secret; it decrypts every secret of the site)

            """)
        XCTAssertEqual(try directoryListing(dir), ["mysite", "mysite.controller.age"])
        XCTAssertEqual(try directoryListing(project), ["pyproject.toml", "src"])
        XCTAssertEqual(try directoryListing(root), ["__init__.py", "builddata", "groups", "inventory.conf", "inventory.py", "nodes"])
        XCTAssertEqual(try directoryListing(root.appendingPathComponent("nodes")), ["__init__.py"])
        XCTAssertEqual(try directoryListing(root.appendingPathComponent("groups")), ["__init__.py"])
        XCTAssertEqual(try permissions(key), 0o600)
        XCTAssertEqual(try permissions(root.appendingPathComponent("inventory.conf")), 0o644)

        let publicKey = try progfigOK(["keygen", "-y", key.path], in: dir).stdoutText
        XCTAssertTrue(publicKey.hasPrefix("age1") && publicKey.hasSuffix("\n"), publicKey)
        let keyText = try String(contentsOf: key, encoding: .utf8)
        XCTAssertTrue(keyText.contains("# public key: \(publicKey)"), keyText)
        let inventory = try String(contentsOf: root.appendingPathComponent("inventory.conf"), encoding: .utf8)
        let lines = inventory.components(separatedBy: "\n")
        XCTAssertTrue(lines.contains("controller_age_path = \(key.path)"), inventory)
        XCTAssertTrue(lines.contains("controller_age_pub = \(publicKey.dropLast())"), inventory)
        XCTAssertTrue(lines.contains("node_fallback_age_path = /etc/progfiguration/node.age"), inventory)
        XCTAssertTrue(lines.contains("[groups]") && lines.contains("[node_function_map]") && lines.contains("[function_role_map]"))
        let module = try String(contentsOf: root.appendingPathComponent("inventory.py"), encoding: .utf8)
        XCTAssertTrue(module.contains("hoststore = hosts_conf(\"inventory.conf\")"), module)
        XCTAssertTrue(module.contains("secretstore = secrets_conf(\"inventory.conf\")"), module)
        XCTAssertTrue(module.contains("mint_version = siteversion.mint_version_factory_from_epoch(major=1, minor=0)"), module)

        // The new site is valid, empty, and mints 1.0.EPOCH versions, from the project root or inside.
        for place in [project, root] {
            let validate = try progfig(["validate"], in: place)
            XCTAssertEqual(validate.status, 0, validate.stderr)
            XCTAssertEqual(validate.stdoutText, "")
            XCTAssertEqual(validate.stderr, "progfig: site mysite: no problems found\n")
            XCTAssertEqual(try progfigOK(["list", "nodes"], in: place).stdoutText, "")
            XCTAssertEqual(try progfigOK(["list", "groups"], in: place).stdoutText, "universal\n")
            XCTAssertNotNil(try progfigOK(["version", "mint"], in: place).stdoutText.range(of: #"^1\.0\.[0-9]+\n$"#, options: .regularExpression))
        }

        // Never overwrites: a second init fails and changes nothing.
        let keyBefore = try bytes(key)
        assertCleanError(try progfig(["init", "mysite"], in: dir), status: 1,
                         contains: "\(project.path)/pyproject.toml: a site already exists here; init never overwrites")
        // Nor the key, when only the site is gone.
        try FileManager.default.removeItem(at: project)
        assertCleanError(try progfig(["init", "mysite"], in: dir), status: 1,
                         contains: "\(key.path): a key already exists here; init never overwrites keys")
        XCTAssertEqual(try bytes(key), keyBefore)
        XCTAssertEqual(try directoryListing(dir), ["mysite.controller.age"])
        // A name that cannot be a Python package is refused.
        assertCleanError(try progfig(["init", "my-site"], in: dir), status: 1, contains: "is not a Python package name")
    }

    func testInitWithControllerKeyElsewhere() throws {
        let dir = try makeTemporaryDirectory()
        try progfigOK(["init", "-q", "sites/other", "--controller-key", "private/keys/other.age"], in: dir)
        let key = dir.appendingPathComponent("private/keys/other.age")
        XCTAssertEqual(try permissions(key), 0o600)
        let inventory = try String(contentsOf: dir.appendingPathComponent("sites/other/src/other/inventory.conf"), encoding: .utf8)
        XCTAssertTrue(inventory.contains("\ncontroller_age_path = \(key.standardizedFileURL.path)\n"), inventory)
        XCTAssertEqual(try directoryListing(dir.appendingPathComponent("sites")), ["other"])
        XCTAssertEqual(try progfig(["validate", "-q"], in: dir.appendingPathComponent("sites/other")).status, 0)
    }

    /// From nothing to a stored secret read by a node: init, keygen, inventory edits, a node
    /// module nodes/NAME.py, encrypt, get.
    func testSiteFromScratch() throws {
        let dir = try makeTemporaryDirectory()
        try progfigOK(["init", "-q", "fleet"], in: dir)
        let root = dir.appendingPathComponent("fleet/src/fleet")
        let keygen = try progfig(["keygen", "-o", "../app1.age"], in: dir.appendingPathComponent("fleet"))
        XCTAssertEqual(keygen.status, 0, keygen.stderr)
        let publicKey = String(keygen.stderr.dropFirst("Public key: ".count).dropLast())
        XCTAssertEqual(try permissions(dir.appendingPathComponent("app1.age")), 0o600)
        let conf = root.appendingPathComponent("inventory.conf")
        try replaceLine("[groups]", with: "[groups]\napps = app1", in: conf)
        try replaceLine("[node_function_map]", with: "[node_function_map]\napp1 = app", in: conf)
        try replaceLine("[function_role_map]", with: "[function_role_map]\napp = settz", in: conf)
        try """
            from pathlib import Path

            from progfiguration.inventory.nodes import InventoryNode

            node = InventoryNode(
                address="app1.example.com",
                ssh_host_fingerprint="",
                sitedata=dict(
                    age_pubkey="\(publicKey)",
                    age_key_path=(Path(__file__).parent.parent.parent.parent.parent / "app1.age").as_posix(),
                ),
                roles=dict(settz={"timezone": "UTC"}),
            )

            """.write(to: root.appendingPathComponent("nodes/app1.py"), atomically: false, encoding: .utf8)
        XCTAssertEqual(try progfig(["validate", "-q"], in: root).status, 0)
        XCTAssertEqual(try progfigOK(["info", "-n", "app1"], in: root).stdoutText,
                       "node app1\n  function: app\n  groups: universal apps\n  roles: settz\n")

        try progfigOK(["secret", "encrypt", "-q", "-g", "apps", "--value", "fresh-secret", "--save-as", "token"], in: root)
        try FileManager.default.moveItem(at: dir.appendingPathComponent("fleet.controller.age"), to: dir.appendingPathComponent("away.age"))
        XCTAssertEqual(try progfigOK(["secret", "get", "app1", "token"], in: root).stdoutText, "fresh-secret")
        XCTAssertEqual(try readSecretsFile(root.appendingPathComponent("groups/apps.secrets.json")).keys.sorted(), ["token"])
    }

    /// A site shaped like the original's tests/data/nnss: inventory.py only (MemoryHostStore and
    /// AgeSecretStore built in place, key paths computed from __file__, a hand-written
    /// mint_version), the package directly under the project, node data in nodes/NAME.py.
    func testSiteShapedLikeNnss() throws {
        let dir = try makeTemporaryDirectory()
        let project = dir.appendingPathComponent("nnss_like")
        let package = project.appendingPathComponent("nnss_like_site")
        try FileManager.default.createDirectory(at: package.appendingPathComponent("nodes"), withIntermediateDirectories: true)
        let controller = try progfig(["keygen", "-o", "controller.age"], in: project)
        let node = try progfig(["keygen", "-o", "node1.age"], in: project)
        let controllerKey = String(controller.stderr.dropFirst("Public key: ".count).dropLast())
        let nodeKey = String(node.stderr.dropFirst("Public key: ".count).dropLast())
        try "[project]\nname = \"nnss_like_site\"\n".write(to: project.appendingPathComponent("pyproject.toml"), atomically: false, encoding: .utf8)
        try "site_name = \"nnss_like_site\"\n".write(to: package.appendingPathComponent("__init__.py"), atomically: false, encoding: .utf8)
        try """
            from pathlib import Path

            from progfiguration import sitewrapper
            from progfiguration.sitehelpers.agesecrets import AgeSecretStore
            from progfiguration.sitehelpers.memhosts import MemoryHostStore

            sitewrapper.set_progfigsite_by_module_name("nnss_like_site")

            hoststore = MemoryHostStore(
                groups={"group1": ["node1"]},
                node_function_map={"node1": "func1"},
                function_role_map={
                    "func1": ["settz"],
                    "default": ["settz"],
                },
            )
            \"\"\"The site's inventory\"\"\"

            secretstore = AgeSecretStore(
                controller_age_pubkey="\(controllerKey)",
                decryption_age_privkey_path_list=[
                    (Path(__file__).parent.parent / "controller.age").as_posix(),
                    "/default/path/for/nodes/key.age",
                ],
            )


            def mint_version() -> str:
                from datetime import datetime

                return f"1.0.{int(datetime.utcnow().timestamp())}"

            """.write(to: package.appendingPathComponent("inventory.py"), atomically: false, encoding: .utf8)
        try """
            from pathlib import Path

            from progfiguration.inventory.nodes import InventoryNode

            node = InventoryNode(
                address="node1.example.mil",
                user="root",
                ssh_host_fingerprint="",
                sitedata=dict(
                    age_key_path=(Path(__file__).parent.parent.parent / "node1.age").as_posix(),
                    age_pubkey="\(nodeKey)",
                ),
                roles=dict(settz={"timezone": "US/Pacific"}),
            )

            """.write(to: package.appendingPathComponent("nodes/node1.py"), atomically: false, encoding: .utf8)

        // From the project, the package, and elsewhere with --site: key paths come from __file__.
        for (place, extra) in [(project, [String]()), (package.appendingPathComponent("nodes"), []), (dir, ["--site", project.path])] {
            XCTAssertEqual(try progfigOK(["list", "nodes"] + extra, in: place).stdoutText, "node1\n")
            XCTAssertEqual(try progfigOK(["list", "functions"] + extra, in: place).stdoutText, "func1\ndefault\n")
            XCTAssertEqual(try progfigOK(["info", "-n", "node1"] + extra, in: place).stdoutText,
                           "node node1\n  function: func1\n  groups: universal group1\n  roles: settz\n")
        }
        try progfigOK(["secret", "encrypt", "-q", "-g", "group1", "--value", "shaped", "--save-as", "token", "--site", project.path], in: dir)
        XCTAssertEqual(try progfigOK(["secret", "list", "--site", project.path], in: dir).stdoutText, "group group1\ttoken\n")
        try FileManager.default.moveItem(at: project.appendingPathComponent("controller.age"), to: dir.appendingPathComponent("away.age"))
        XCTAssertEqual(try progfigOK(["secret", "get", "node1", "token", "--site", project.path], in: dir).stdoutText, "shaped")
        try FileManager.default.moveItem(at: dir.appendingPathComponent("away.age"), to: project.appendingPathComponent("controller.age"))
        XCTAssertEqual(try progfig(["validate", "-q"], in: project).status, 0)
        let inventory = package.appendingPathComponent("inventory.py").path
        assertCleanError(try progfig(["version", "mint"], in: project), status: 1,
                         contains: "\(inventory):28:1: mint_version is a hand-written function, which progfig cannot run")
    }

    func testValidateExampleSiteIsClean() throws {
        let site = try makeExampleSite()
        let result = try progfig(["validate"], in: site.root)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdoutText, "")
        XCTAssertEqual(result.stderr, "progfig: site example_site: no problems found\n")
        let quiet = try progfig(["validate", "-q"], in: site.root)
        XCTAssertEqual(quiet.status, 0)
        XCTAssertEqual(quiet.stderr, "")
        XCTAssertEqual(quiet.stdoutText, "")
    }

    func testValidateReportsEveryProblemOfABrokenSite() throws {
        let site = try makeExampleSite()
        let r = site.root.path
        try replaceLine("webservers = web1 web2", with: "webservers = web1 web2 ghost", in: site.inventory)
        try replaceLine("controller_age_pub = \(ExampleSite.controllerPublicKey)",
                        with: "controller_age_pub = \(ExampleSite.publicKeys["web1"]!)", in: site.inventory)
        try replaceLine("age_pubkey = \(ExampleSite.publicKeys["web2"]!)", with: "", in: site.root.appendingPathComponent("nodes/web2.conf"))
        try replaceLine("age_pubkey = \(ExampleSite.publicKeys["db1"]!)", with: "age_pubkey = age1notakey",
                        in: site.root.appendingPathComponent("nodes/db1.conf"))
        try Data("{\"x\": ".utf8).write(to: site.nodeSecrets("db1"))
        try Data("{\"bad\": \"hello\"}".utf8).write(to: site.groupSecrets("databases"))
        try Data("{}".utf8).write(to: site.groupSecrets("old"))
        try Data("{}".utf8).write(to: site.nodeSecrets("gone"))

        let result = try progfig(["validate"], in: site.root)
        XCTAssertEqual(result.status, 1)
        let findings = result.stdoutText.components(separatedBy: "\n")
        XCTAssertEqual(findings.last, "")
        XCTAssertEqual(Array(findings.dropLast()), [
            "\(r)/inventory.conf:19: group \"webservers\" lists \"ghost\", which is not in node_function_map",
            "\(r)/nodes/web2.conf: node \"web2\" has no age_pubkey in its sitedata",
            "\(r)/nodes/db1.conf:8: node \"db1\": age_pubkey does not parse: invalid recipient: invalid character in Bech32 data; expected an age1… public key",
            "\(r)/inventory.conf:11: controller_age_pub does not match the controller key in \(site.controllerKey.path)",
            "\(r)/nodes/db1.secrets.json: not valid JSON; expected an object mapping secret names to armored age values",
            "\(r)/nodes/gone.secrets.json: secrets file for node \"gone\", which is not in the inventory",
            "\(r)/groups/databases.secrets.json: secret \"bad\" is not a valid age file: not an age file: the first line is not \"age-encryption.org/v1\"",
            "\(r)/groups/old.secrets.json: secrets file for group \"old\", which is not in the inventory",
        ])
        XCTAssertEqual(result.stderr, "progfig: error: 8 problem(s) found in site example_site\n")
        for secret in ExampleSite.knownSecrets.values.flatMap(\.values) {
            XCTAssertFalse(result.stdoutText.contains(secret) || result.stderr.contains(secret))
        }
    }

    func testValidateReportsMissingNodeFileAndRolesWithoutDefault() throws {
        let site = try makeExampleSite()
        let r = site.root.path
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("nodes/web2.conf"))
        try replaceLine("default = settz", with: "", in: site.inventory)
        try replaceLine("db1 = database", with: "db1 = cache", in: site.inventory)
        let result = try progfig(["validate"], in: site.root)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdoutText, """
            \(r)/inventory.conf:26: node_function_map lists "web2", but neither nodes/web2.py nor nodes/web2.conf exists
            \(r)/inventory.conf:27: node "db1" has function "cache", which has no entry in function_role_map

            """)
        XCTAssertEqual(result.stderr, "progfig: error: 2 problem(s) found in site example_site\n")
    }
}
