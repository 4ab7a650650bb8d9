import AgeFormat
import Foundation
import XCTest
import ProgfigSecrets

/// A thread-safe call counter for passphrase closures.
final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

final class DecryptionKeysTests: XCTestCase {
    /// Nodes n1 and n2 (g1 = n2); n1's conf names `SITE/keys/n1.age` as its
    /// age_key_path. A node secret for n1, a group secret for g1 and a controller-only secret are
    /// stored. No key file exists.
    private func makeSite() throws -> SecretsSite {
        let site = try SecretsSite(root: makeTemporaryDirectory().appendingPathComponent("keysite"))
        try site.writeInventory(groups: [("g1", "n2")], nodes: [("n1", "web"), ("n2", "web")])
        try site.addNode("n1", keyPath: site.path("keys/n1.age"))
        try site.addNode("n2")
        let store = try site.store()
        _ = try store.store(name: "own", value: Array("n1 only".utf8), nodes: ["n1"], groups: [], controllerKey: false)
        _ = try store.store(name: "grp", value: Array("g1 value".utf8), nodes: [], groups: ["g1"], controllerKey: false)
        _ = try store.store(name: "ctl", value: Array("controller only".utf8), nodes: [], groups: [], controllerKey: true)
        return site
    }

    private func value(_ store: AgeSecretStore, _ collection: SecretCollection, _ name: String) throws -> String {
        String(decoding: try store.get(collection, name: name).value(), as: UTF8.self)
    }

    private func noKeyMessage(_ paths: [String]) -> String {
        "no age key found (tried \(paths.joined(separator: ", "))); pass --age-key PATH or set PROGFIG_AGE_KEY_FILE"
    }

    func testControllerKeyFileAndFallbackOrder() throws {
        let site = try makeSite()
        let store = try site.store()
        XCTAssertEqual(store.keys.locations, [.file(site.controllerKeyPath), .file(site.fallbackKeyPath)])
        try site.writeControllerKey()
        XCTAssertEqual(try value(store, .node("n1"), "own"), "n1 only")
        XCTAssertEqual(try value(store, .group("g1"), "grp"), "g1 value")
        XCTAssertEqual(try value(store, .controller, "ctl"), "controller only")
    }

    func testMissingControllerKeyFallsBackToNodeKey() throws {
        let site = try makeSite()
        try site.writeKey(site.key("n1"), to: site.fallbackKeyPath)
        let store = try site.store()
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.controllerKeyPath))
        XCTAssertEqual(try value(store, .node("n1"), "own"), "n1 only")
        let tried = "\(site.controllerKeyPath), \(site.fallbackKeyPath)"
        XCTAssertThrowsSiteError(try value(store, .controller, "ctl"),
                                 "cannot decrypt secret \"ctl\" of controller: none of the loaded keys (\(tried)) is a recipient")
        XCTAssertThrowsSiteError(try value(store, .group("g1"), "grp"),
                                 "cannot decrypt secret \"grp\" of group g1: none of the loaded keys (\(tried)) is a recipient")
        XCTAssertThrowsSiteError(try store.getInherited(node: "n2", name: "grp").value(),
                                 "cannot decrypt secret \"grp\" of group g1: none of the loaded keys (\(tried)) is a recipient")
    }

    func testNoKeyAtAllListsEveryPath() throws {
        let site = try makeSite()
        XCTAssertThrowsSiteError(try value(site.store(), .node("n1"), "own"),
                                 noKeyMessage([site.controllerKeyPath, site.fallbackKeyPath]))
        // A key named explicitly must exist: a typo never falls back silently to other keys.
        let missing = site.path("nowhere/override.age")
        XCTAssertThrowsSiteError(try value(site.store(SecretStoreOptions(keyOverrides: [missing], actingAsNode: "n1")), .node("n1"), "own"),
                                 "\(missing): age key file not found")
        let direct = DecryptionKeys(locations: [], passphrase: { "" })
        XCTAssertThrowsSiteError(try direct.identities(),
                                 "no age key found (no key locations configured); pass --age-key PATH or set PROGFIG_AGE_KEY_FILE")
    }

    func testKeyOverridesAreTriedFirst() throws {
        let site = try makeSite()
        try site.writeKey(site.key("n2"), to: site.path("elsewhere/n2.age"))
        // Absolute override.
        let absolute = try site.store(SecretStoreOptions(keyOverrides: [site.path("elsewhere/n2.age")]))
        XCTAssertEqual(absolute.keys.locations, [.requiredFile(site.path("elsewhere/n2.age")), .file(site.controllerKeyPath), .file(site.fallbackKeyPath)])
        XCTAssertEqual(try value(absolute, .group("g1"), "grp"), "g1 value")
        XCTAssertThrowsError(try value(absolute, .node("n1"), "own"))
        // A relative override resolves against the current directory, as the original's paths do.
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(site.root.path)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        let relative = try site.store(SecretStoreOptions(keyOverrides: ["elsewhere/n2.age"]))
        XCTAssertEqual(relative.keys.locations.first, .requiredFile(site.path("elsewhere/n2.age")))
        XCTAssertEqual(try value(relative, .group("g1"), "grp"), "g1 value")
        // An override naming the controller path is not listed twice.
        try site.writeControllerKey()
        let dup = try site.store(SecretStoreOptions(keyOverrides: [site.controllerKeyPath]))
        XCTAssertEqual(dup.keys.locations, [.requiredFile(site.controllerKeyPath), .file(site.fallbackKeyPath)])
        XCTAssertEqual(try value(dup, .controller, "ctl"), "controller only")
    }

    func testEveryExistingKeyIsLoaded() throws {
        let site = try makeSite()
        try site.writeKey(site.key("n2"), to: site.path("elsewhere/n2.age"))
        try site.writeKey(site.key("n1"), to: site.fallbackKeyPath)
        let store = try site.store(SecretStoreOptions(keyOverrides: [site.path("elsewhere/n2.age")]))
        XCTAssertEqual(try value(store, .group("g1"), "grp"), "g1 value")
        XCTAssertEqual(try value(store, .node("n1"), "own"), "n1 only")
        XCTAssertEqual(try store.keys.identities().map { $0.recipient?.encoded }, [site.key("n2").x25519Recipient.encoded, site.key("n1").x25519Recipient.encoded])
    }

    func testEnvironmentKeyText() throws {
        let site = try makeSite()
        let store = try site.store(SecretStoreOptions(environmentKey: "# from the environment\n" + site.controller.secretKeyString + "\n"))
        XCTAssertEqual(store.keys.locations, [.environment(variable: "PROGFIG_AGE_KEY", text: "# from the environment\n" + site.controller.secretKeyString + "\n"),
                                              .file(site.controllerKeyPath), .file(site.fallbackKeyPath)])
        XCTAssertEqual(try value(store, .controller, "ctl"), "controller only")
        XCTAssertEqual(try value(store, .node("n1"), "own"), "n1 only")

        let n2 = try site.store(SecretStoreOptions(environmentKey: site.key("n2").secretKeyString))
        XCTAssertThrowsSiteError(try value(n2, .node("n1"), "own"),
                                 "cannot decrypt secret \"own\" of node n1: none of the loaded keys ($PROGFIG_AGE_KEY, \(site.controllerKeyPath), \(site.fallbackKeyPath)) is a recipient")

        let bad = try site.store(SecretStoreOptions(environmentKey: "AGE-SECRET-KEY-1QQQQ"))
        do {
            _ = try value(bad, .node("n1"), "own")
            XCTFail("expected an error")
        } catch let error as SiteError {
            XCTAssertTrue(error.message.hasPrefix("cannot load age key: $PROGFIG_AGE_KEY:1: invalid identity: "), error.message)
            XCTAssertNil(error.file)
            XCTAssertFalse(error.message.contains("QQQQ"), "key material must not appear in errors")
        }
    }

    func testOptionsFromKeyPathsAndEnvironment() throws {
        let site = try makeSite()
        let counter = CallCounter()
        let options = SecretStoreOptions.from(
            keyPaths: ["/cli/one.age", "/cli/two.age"],
            environment: ["PROGFIG_AGE_KEY_FILE": "/env/file.age", "PROGFIG_AGE_KEY": site.key("n2").secretKeyString, "HOME": "/root"],
            actingAsNode: "n1", passphrase: { counter.increment(); return "pw" })
        XCTAssertEqual(options.keyOverrides, ["/cli/one.age", "/cli/two.age", "/env/file.age"])
        XCTAssertEqual(options.environmentKey, site.key("n2").secretKeyString)
        XCTAssertEqual(options.actingAsNode, "n1")
        XCTAssertEqual(try options.passphrase(), "pw")
        XCTAssertEqual(counter.value, 1)
        let store = try site.store(options)
        XCTAssertEqual(store.keys.locations, [
            .requiredFile("/cli/one.age"), .requiredFile("/cli/two.age"), .requiredFile("/env/file.age"),
            .environment(variable: "PROGFIG_AGE_KEY", text: site.key("n2").secretKeyString),
            .file(site.path("keys/n1.age")), .file(site.controllerKeyPath), .file(site.fallbackKeyPath),
            .sshHostKey(SecretStoreOptions.defaultSSHHostKeyPath),
        ])
        XCTAssertThrowsSiteError(try value(store, .group("g1"), "grp"), "/cli/one.age: age key file not found")

        let empty = SecretStoreOptions.from(keyPaths: [], environment: ["PROGFIG_AGE_KEY_FILE": "", "PROGFIG_AGE_KEY": ""], passphrase: { "" })
        XCTAssertEqual(empty.keyOverrides, [])
        XCTAssertNil(empty.environmentKey)
        XCTAssertNil(empty.actingAsNode)
    }

    func testKeyFileFromEnvironmentDecrypts() throws {
        let site = try makeSite()
        let file = site.path("env-keys/controller.age")
        try site.writeKey(site.controller, to: file)
        let store = try site.store(.from(keyPaths: [], environment: ["PROGFIG_AGE_KEY_FILE": file], passphrase: { "" }))
        XCTAssertEqual(try value(store, .controller, "ctl"), "controller only")
    }

    func testActingAsNodeLoadsItsKeyPath() throws {
        let site = try makeSite()
        try site.writeKey(site.key("n1"), to: site.path("keys/n1.age"))
        let plain = try site.store()
        XCTAssertThrowsSiteError(try value(plain, .node("n1"), "own"), noKeyMessage([site.controllerKeyPath, site.fallbackKeyPath]))
        let acting = try site.store(SecretStoreOptions(actingAsNode: "n1"))
        XCTAssertEqual(acting.keys.locations, [.file(site.path("keys/n1.age")), .file(site.controllerKeyPath), .file(site.fallbackKeyPath),
                                               .sshHostKey(SecretStoreOptions.defaultSSHHostKeyPath)])
        XCTAssertEqual(try value(acting, .node("n1"), "own"), "n1 only")
        XCTAssertEqual(String(decoding: try acting.getInherited(node: "n1", name: "own").value(), as: UTF8.self), "n1 only")
        // n2 has no age_key_path: only the SSH host key is added.
        let n2 = try site.store(SecretStoreOptions(actingAsNode: "n2"))
        XCTAssertEqual(n2.keys.locations, [.file(site.controllerKeyPath), .file(site.fallbackKeyPath), .sshHostKey(SecretStoreOptions.defaultSSHHostKeyPath)])
    }

    func testCorruptKeyFileIsErrorNamingIt() throws {
        let site = try makeSite()
        try site.write("this is not an age key\n", to: "keys/controller.age")
        let path = site.controllerKeyPath
        XCTAssertThrowsSiteError(try value(site.store(), .node("n1"), "own"),
                                 "cannot load age key: \(path):1: invalid identity: not an AGE-SECRET-KEY-1… X25519 secret key")
        try site.write("# only a comment\n\n", to: "keys/controller.age")
        XCTAssertThrowsSiteError(try value(site.store(), .node("n1"), "own"),
                                 "cannot load age key: \(path): no identities found")
        // A corrupt fallback file is reported even when the controller key is fine.
        try site.writeControllerKey()
        try site.write("garbage\n", to: "keys/node.age")
        XCTAssertThrowsSiteError(try value(site.store(), .node("n1"), "own"),
                                 "cannot load age key: \(site.fallbackKeyPath):1: invalid identity: not an AGE-SECRET-KEY-1… X25519 secret key")
    }

    private func writeProtectedControllerKey(_ site: SecretsSite, passphrase: String, armored: Bool) throws {
        let encrypted = try Encryptor(recipients: [ScryptRecipient(passphrase: passphrase, workFactor: 10)], armored: armored)
            .encrypt(Array(identityFileText(site.controller).utf8))
        try FileManager.default.createDirectory(atPath: site.path("keys"), withIntermediateDirectories: true)
        try Data(encrypted).write(to: URL(fileURLWithPath: site.controllerKeyPath))
    }

    func testPassphraseProtectedIdentityFile() throws {
        for armored in [true, false] {
            let site = try makeSite()
            try writeProtectedControllerKey(site, passphrase: "correct horse", armored: armored)
            let counter = CallCounter()
            let store = try site.store(SecretStoreOptions(passphrase: { counter.increment(); return "correct horse" }))
            XCTAssertEqual(try value(store, .controller, "ctl"), "controller only")
            XCTAssertEqual(try value(store, .node("n1"), "own"), "n1 only")
            XCTAssertEqual(try value(store, .group("g1"), "grp"), "g1 value")
            XCTAssertEqual(counter.value, 1, "the passphrase is asked once per store")
        }
    }

    func testWrongPassphraseNamesFile() throws {
        let site = try makeSite()
        try writeProtectedControllerKey(site, passphrase: "correct horse", armored: true)
        let path = site.controllerKeyPath
        let store = try site.store(SecretStoreOptions(passphrase: { "battery staple" }))
        XCTAssertThrowsSiteError(try value(store, .controller, "ctl"),
                                 "cannot load age key: \(path): cannot decrypt the passphrase-protected identity file: wrong passphrase")
    }

    /// Without a passphrase source, the error must still say which key file needs one.
    func testMissingPassphraseNamesFile() throws {
        let site = try makeSite()
        try writeProtectedControllerKey(site, passphrase: "correct horse", armored: true)
        do {
            _ = try value(site.store(), .controller, "ctl")
            XCTFail("expected an error")
        } catch let error as SiteError {
            XCTAssertEqual(error.message.contains("PROGFIG_PASSPHRASE") || error.message.contains("passphrase"), true, error.description)
            XCTAssertEqual(error.file, site.controllerKeyPath, "the error must name the passphrase-protected key file: \(error.description)")
        }
    }
}
