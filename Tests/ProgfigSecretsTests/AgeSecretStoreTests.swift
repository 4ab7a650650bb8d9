import AgeFormat
import Foundation
import XCTest
import ProgfigSecrets

final class AgeSecretStoreTests: XCTestCase {
    /// Nodes n1, n2 (web) and n3 (db); g1 = n1 n2, g2 = n2 n3. Key files are not written.
    private func makeSite() throws -> SecretsSite {
        let site = try SecretsSite(root: makeTemporaryDirectory().appendingPathComponent("mysite"))
        try site.writeInventory(groups: [("g1", "n1 n2"), ("g2", "n2 n3")],
                                nodes: [("n1", "web"), ("n2", "web"), ("n3", "db")],
                                functionRoles: [("web", "nginx"), ("db", "postgres")])
        for node in ["n1", "n2", "n3"] { try site.addNode(node) }
        return site
    }

    private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
    private func text(_ secret: Secret) throws -> String { String(decoding: try secret.value(), as: UTF8.self) }

    // MARK: encrypt

    func testEncryptToNodesOnly() throws {
        let site = try makeSite()
        let store = try site.store()
        let armored = try store.encrypt(value: bytes("v1"), nodes: ["n1"], groups: [], controllerKey: false)
        XCTAssertTrue(armored.hasPrefix("-----BEGIN AGE ENCRYPTED FILE-----\n"))
        XCTAssertTrue(armored.hasSuffix("-----END AGE ENCRYPTED FILE-----\n"))
        XCTAssertEqual(try stanzaCount(armored), 1)
        XCTAssertEqual(try decrypt(armored, with: [site.key("n1")]), "v1")
        XCTAssertThrowsError(try decrypt(armored, with: [site.key("n2"), site.controller]))
        // Not stored anywhere.
        XCTAssertNil(site.bytes("nodes/n1.secrets.json"))
        XCTAssertNil(site.bytes("controller.secrets.json"))
    }

    func testEncryptExpandsGroupsAndRemovesDuplicates() throws {
        let site = try makeSite()
        let store = try site.store()
        let a = try store.encrypt(value: bytes("v"), nodes: ["n1", "n1", "n2"], groups: ["g1", "g2", "g1"],
                                  controllerKey: false)
        XCTAssertEqual(try stanzaCount(a), 3)
        for node in ["n1", "n2", "n3"] { XCTAssertEqual(try decrypt(a, with: [site.key(node)]), "v") }
        XCTAssertThrowsError(try decrypt(a, with: [site.controller]))

        let b = try store.encrypt(value: bytes("v"), nodes: [], groups: ["g1"], controllerKey: true)
        XCTAssertEqual(try stanzaCount(b), 3)
        XCTAssertEqual(try decrypt(b, with: [site.controller]), "v")
        XCTAssertThrowsError(try decrypt(b, with: [site.key("n3")]))

        let c = try store.encrypt(value: bytes("v"), nodes: [], groups: ["universal"], controllerKey: true)
        XCTAssertEqual(try stanzaCount(c), 4)

        XCTAssertEqual(try store.recipients(nodes: ["n3", "n1"], groups: ["g1"], controller: true).map(\.encoded),
                       [site.controller, site.key("n3"), site.key("n1"), site.key("n2")].map(\.x25519Recipient.encoded))
    }

    func testStoreAlwaysAddsController() throws {
        let site = try makeSite()
        let store = try site.store()
        let armored = try store.store(name: "s", value: bytes("v"), nodes: ["n1", "n1"], groups: [], controllerKey: false)
        XCTAssertEqual(try stanzaCount(armored), 2)
        XCTAssertEqual(try decrypt(armored, with: [site.controller]), "v")
        XCTAssertEqual(try decrypt(armored, with: [site.key("n1")]), "v")
        XCTAssertEqual(try site.secrets("nodes/n1.secrets.json"), ["s": armored])
        XCTAssertNil(site.bytes("controller.secrets.json"), "controllerKey false: not stored in the controller's file")
    }

    func testEncryptWithoutRecipientsIsError() throws {
        let site = try makeSite()
        try site.write(String(decoding: site.bytes("inventory.conf")!, as: UTF8.self).replacingOccurrences(of: "[groups]\n", with: "[groups]\nempty =\n"),
                       to: "inventory.conf")
        let store = try site.store()
        XCTAssertThrowsSiteError(try store.store(name: "s", value: bytes("v"), nodes: [], groups: [], controllerKey: false),
                                 "secret \"s\" has no recipients: name nodes, groups or the controller")
        XCTAssertThrowsSiteError(try store.encrypt(value: bytes("v"), nodes: [], groups: ["empty"], controllerKey: false),
                                 "the value has no recipients: the groups named have no members")
        XCTAssertThrowsSiteError(try store.encrypt(value: bytes("v"), nodes: ["nope"], groups: [], controllerKey: false),
                                 "unknown node \"nope\"")
        XCTAssertThrowsSiteError(try store.encrypt(value: bytes("v"), nodes: [], groups: ["nope"], controllerKey: false),
                                 "unknown group \"nope\"")
    }

    func testNodeWithoutPubkeyIsErrorNamingNodeAndConf() throws {
        let site = try makeSite()
        try site.writeInventory(groups: [("g1", "n1 n4")], nodes: [("n1", "web"), ("n4", "web"), ("n5", "web"), ("n6", "web")])
        try site.addNode("n4", pubkey: .some(nil))
        try site.addNode("n5", pubkey: "age1notarealkey")
        let store = try site.store()
        let conf4 = site.path("nodes/n4.conf")
        let missing = "\(conf4): node \"n4\" has no age_pubkey in its sitedata; secrets cannot be encrypted to it"
        XCTAssertThrowsSiteError(try store.encrypt(value: bytes("v"), nodes: ["n4"], groups: [], controllerKey: false), missing)
        XCTAssertThrowsSiteError(try store.store(name: "s", value: bytes("v"), nodes: [], groups: ["g1"], controllerKey: false), missing)
        XCTAssertNil(site.bytes("groups/g1.secrets.json"), "nothing stored when a recipient is missing")
        XCTAssertThrowsSiteError(try store.recipient(node: "n5"),
                                 "\(site.path("nodes/n5.conf")):5: node \"n5\" has an invalid age_pubkey: \(try bech32Message("age1notarealkey"))")
        XCTAssertThrowsSiteError(try store.recipient(node: "n6"),
                                 "\(site.path("nodes")): no data for node \"n6\": neither n6.py nor n6.conf exists")
    }

    /// The message X25519Recipient gives for `string`, which never quotes it.
    private func bech32Message(_ string: String) throws -> String {
        do { _ = try X25519Recipient(string); return "" } catch {
            XCTAssertFalse(error.message.contains(string))
            return error.message
        }
    }

    func testStoreWithoutControllerPubIsError() throws {
        let site = try makeSite()
        try site.writeInventory(groups: [("g1", "n1 n2")], nodes: [("n1", "web"), ("n2", "web")], controllerPub: .some(nil))
        XCTAssertThrowsSiteError(try site.store(),
                                 "\(site.path("inventory.conf")): [secrets] has no controller_age_pub (secrets_conf needs controller_age_pub, controller_age_path and node_fallback_age_path)")
    }

    func testInvalidControllerPubIsError() throws {
        let site = try makeSite()
        try site.writeInventory(nodes: [("n1", "web")], controllerPub: "age1bogus")
        let message = try bech32Message("age1bogus")
        XCTAssertThrowsSiteError(try site.store(),
                                 "\(site.path("inventory.conf")):3: invalid controller public key: \(message)")
    }

    // MARK: store, list, get

    func testStoreIntoNodeGroupAndControllerFilesKeepsOtherSecrets() throws {
        let site = try makeSite()
        let store = try site.store()
        try site.write("{\n  \"old\": \"kept-node\"\n}", to: "nodes/n3.secrets.json")
        try site.write("{\n  \"old\": \"kept-group\",\n  \"zzz\": \"also kept\"\n}", to: "groups/g2.secrets.json")
        try site.write("{\n  \"old\": \"kept-controller\"\n}", to: "controller.secrets.json")

        let armored = try store.store(name: "new", value: bytes("shared value"), nodes: ["n3", "n1"], groups: ["g2", "g1"],
                                        controllerKey: true)
        XCTAssertEqual(try stanzaCount(armored), 4, "the value returned is encrypted to every recipient named")
        // Each file gains its own copy, encrypted to its collection's readers only, and keeps the rest.
        let expected: [(file: String, kept: [String: String], readers: Int)] = [
            ("nodes/n3.secrets.json", ["old": "kept-node"], 2), ("nodes/n1.secrets.json", [:], 2),
            ("groups/g2.secrets.json", ["old": "kept-group", "zzz": "also kept"], 3), ("groups/g1.secrets.json", [:], 3),
            ("controller.secrets.json", ["old": "kept-controller"], 1),
        ]
        var copies: [String: String] = [:]
        for e in expected {
            var secrets = try site.secrets(e.file)
            let copy = try XCTUnwrap(secrets.removeValue(forKey: "new"), e.file)
            XCTAssertEqual(secrets, e.kept, e.file)
            XCTAssertEqual(try stanzaCount(copy), e.readers, "\(e.file): node and controller, members and controller, or the controller alone")
            copies[e.file] = copy
        }
        XCTAssertEqual(Set(copies.values).count, expected.count, "every copy is encrypted separately")
        XCTAssertNil(site.bytes("nodes/n2.secrets.json"))
        XCTAssertEqual(String(decoding: site.bytes("nodes/n1.secrets.json")!, as: UTF8.self),
                       "{\n  \"new\": \"\(copies["nodes/n1.secrets.json"]!.replacingOccurrences(of: "\n", with: "\\n"))\"\n}")

        // Replacing a secret keeps the others; one collection's copy is the value returned.
        let replaced = try store.store(name: "old", value: bytes("x"), nodes: ["n3"], groups: [], controllerKey: false)
        XCTAssertEqual(try site.secrets("nodes/n3.secrets.json"), ["old": replaced, "new": copies["nodes/n3.secrets.json"]!])
    }

    /// A file that can't be read stops the whole store before any file is written.
    func testStoreIntoSeveralFilesIsAllOrNothing() throws {
        let site = try makeSite()
        let store = try site.store()
        try site.write("{\n  \"old\": \"kept-node\"\n}", to: "nodes/n1.secrets.json")
        try site.write("{ not json", to: "groups/g2.secrets.json")
        XCTAssertThrowsError(try store.store(name: "new", value: bytes("v"), nodes: ["n1"], groups: ["g2"], controllerKey: true)) {
            XCTAssertTrue(($0 as? SiteError)?.description.contains("g2.secrets.json") == true, "\($0)")
        }
        XCTAssertEqual(try site.secrets("nodes/n1.secrets.json"), ["old": "kept-node"])
        XCTAssertNil(site.bytes("controller.secrets.json"))
        XCTAssertEqual(String(decoding: site.bytes("groups/g2.secrets.json")!, as: UTF8.self), "{ not json")
    }

    func testControllerOnlySecret() throws {
        let site = try makeSite()
        try site.writeControllerKey()
        let store = try site.store()
        let armored = try store.store(name: "root_pw", value: bytes("toor"), nodes: [], groups: [], controllerKey: true)
        XCTAssertEqual(try stanzaCount(armored), 1)
        XCTAssertEqual(try site.secrets("controller.secrets.json"), ["root_pw": armored])
        XCTAssertEqual(try store.list(.controller), ["root_pw"])
        XCTAssertEqual(try text(store.get(.controller, name: "root_pw")), "toor")
    }

    func testListIsSorted() throws {
        let site = try makeSite()
        let store = try site.store()
        XCTAssertEqual(try store.list(.node("n1")), [])
        XCTAssertEqual(try store.list(.group("universal")), [])
        for name in ["zeta", "Alpha", "beta", "_x", "ärger", "10", "9"] {
            _ = try store.store(name: name, value: bytes(name), nodes: ["n1"], groups: [], controllerKey: false)
        }
        XCTAssertEqual(try store.list(.node("n1")), ["10", "9", "Alpha", "_x", "beta", "zeta", "ärger"])
        XCTAssertThrowsSiteError(try store.list(.node("zz")), "unknown node \"zz\"")
        XCTAssertThrowsSiteError(try store.list(.group("zz")), "unknown group \"zz\"")
    }

    func testGet() throws {
        let site = try makeSite()
        let store = try site.store()
        let armored = try store.store(name: "api", value: bytes("token"), nodes: [], groups: ["g1"], controllerKey: false)
        let secret = try store.get(.group("g1"), name: "api")
        XCTAssertEqual(secret.name, "api")
        XCTAssertEqual(secret.collection, .group("g1"))
        XCTAssertEqual(secret.armored, armored)
        // Decrypt with a node's key only: a store that has n2's key as an override and no other key.
        let keyPath = site.path("n2.age")
        try site.writeKey(site.key("n2"), to: keyPath)
        let n2store = try site.store(SecretStoreOptions(keyOverrides: [keyPath]))
        XCTAssertEqual(try text(n2store.get(.group("g1"), name: "api")), "token")
        XCTAssertEqual(try n2store.get(.group("g1"), name: "api").collection, .group("g1"))
    }

    func testGetMissingNamesSecretAndCollection() throws {
        let site = try makeSite()
        let store = try site.store()
        XCTAssertThrowsSiteError(try store.get(.node("n1"), name: "nope"),
                                 "\(site.path("nodes/n1.secrets.json")): no secret \"nope\" in node n1")
        _ = try store.store(name: "other", value: bytes("x"), nodes: [], groups: ["g2"], controllerKey: true)
        XCTAssertThrowsSiteError(try store.get(.group("g2"), name: "nope"),
                                 "\(site.path("groups/g2.secrets.json")): no secret \"nope\" in group g2")
        XCTAssertThrowsSiteError(try store.get(.controller, name: "nope"),
                                 "\(site.path("controller.secrets.json")): no secret \"nope\" in controller")
        XCTAssertThrowsSiteError(try store.get(.node("ghost"), name: "x"), "unknown node \"ghost\"")
        XCTAssertThrowsSiteError(try store.get(.group("ghost"), name: "x"), "unknown group \"ghost\"")
    }

    // MARK: getInherited

    func testGetInheritedOrder() throws {
        let site = try makeSite()
        try site.writeControllerKey()
        let store = try site.store()
        XCTAssertEqual(try store.inheritanceChain(node: "n2"), [.node("n2"), .group("g2"), .group("g1"), .group("universal")])
        XCTAssertEqual(try store.inheritanceChain(node: "n1"), [.node("n1"), .group("g1"), .group("universal")])
        XCTAssertEqual(try store.inheritanceChain(node: "n3"), [.node("n3"), .group("g2"), .group("universal")])

        _ = try store.store(name: "shared", value: bytes("from universal"), nodes: [], groups: ["universal"], controllerKey: false)
        _ = try store.store(name: "shared", value: bytes("from g1"), nodes: [], groups: ["g1"], controllerKey: false)
        _ = try store.store(name: "shared", value: bytes("from g2"), nodes: [], groups: ["g2"], controllerKey: false)
        _ = try store.store(name: "shared", value: bytes("from n2"), nodes: ["n2"], groups: [], controllerKey: false)

        func inherited(_ node: String) throws -> (SecretCollection, String) {
            let secret = try store.getInherited(node: node, name: "shared")
            return (secret.collection, try text(secret))
        }
        XCTAssertEqual(try inherited("n2").0, .node("n2"))
        XCTAssertEqual(try inherited("n2").1, "from n2")
        XCTAssertEqual(try inherited("n1").0, .group("g1"))
        XCTAssertEqual(try inherited("n1").1, "from g1")
        XCTAssertEqual(try inherited("n3").1, "from g2")

        try SecretsFile.update(site.root.appendingPathComponent("nodes/n2.secrets.json")) { $0["shared"] = nil }
        XCTAssertEqual(try inherited("n2").0, .group("g2"))
        XCTAssertEqual(try inherited("n2").1, "from g2")
        try SecretsFile.update(site.root.appendingPathComponent("groups/g2.secrets.json")) { $0["shared"] = nil }
        XCTAssertEqual(try inherited("n2").0, .group("g1"))
        XCTAssertEqual(try inherited("n2").1, "from g1")
        XCTAssertEqual(try inherited("n3").0, .group("universal"))
        XCTAssertEqual(try inherited("n3").1, "from universal")
        try SecretsFile.update(site.root.appendingPathComponent("groups/g1.secrets.json")) { $0["shared"] = nil }
        XCTAssertEqual(try inherited("n2").1, "from universal")
        try SecretsFile.update(site.root.appendingPathComponent("groups/universal.secrets.json")) { $0["shared"] = nil }
        XCTAssertThrowsSiteError(try store.getInherited(node: "n2", name: "shared"),
                                 "no secret \"shared\" for node \"n2\"; searched node n2, group g2, group g1, group universal")
        XCTAssertThrowsSiteError(try store.getInherited(node: "ghost", name: "shared"), "unknown node \"ghost\"")
    }

    func testGetInheritedDecryptsWithTheNodesOwnKey() throws {
        let site = try makeSite()
        let store = try site.store()
        _ = try store.store(name: "db", value: bytes("pg"), nodes: [], groups: ["g2"], controllerKey: false)
        let keyPath = site.path("n3.age")
        try site.writeKey(site.key("n3"), to: keyPath)
        let nodeStore = try site.store(SecretStoreOptions(keyOverrides: [keyPath]))
        XCTAssertEqual(try text(nodeStore.getInherited(node: "n3", name: "db")), "pg")
        // n1 is not in g2, so it does not see it at all.
        XCTAssertThrowsSiteError(try nodeStore.getInherited(node: "n1", name: "db"),
                                 "no secret \"db\" for node \"n1\"; searched node n1, group g1, group universal")
    }

    // MARK: lazy decryption

    func testSecretsAreDecryptedLazilyAndCached() throws {
        let site = try makeSite()
        let store = try site.store()   // no key file exists yet
        let armored = try store.store(name: "lazy", value: bytes("later"), nodes: ["n1"], groups: [], controllerKey: false)
        _ = try store.store(name: "second", value: bytes("two"), nodes: ["n1"], groups: [], controllerKey: false)
        let secret = try store.get(.node("n1"), name: "lazy")
        XCTAssertEqual(secret.armored, armored)
        XCTAssertEqual(try stanzaCount(secret.armored), 2)
        let noKey = "no age key found (tried \(site.controllerKeyPath), \(site.fallbackKeyPath)); pass --age-key PATH or set PROGFIG_AGE_KEY_FILE"
        XCTAssertThrowsSiteError(try secret.value(), noKey)
        XCTAssertThrowsSiteError(try store.getInherited(node: "n1", name: "lazy").value(), noKey)

        // The failure is not cached: once the key appears, the same secret decrypts.
        try site.writeControllerKey()
        XCTAssertEqual(try text(secret), "later")
        XCTAssertEqual(try text(secret), "later")
        XCTAssertEqual(try secret.value(), bytes("later"))

        // Loaded keys are cached by the store: after the key file is gone, other secrets still decrypt.
        try FileManager.default.removeItem(atPath: site.controllerKeyPath)
        XCTAssertEqual(try text(store.get(.node("n1"), name: "second")), "two")
        XCTAssertEqual(try text(secret), "later")
        // A fresh store has no key any more.
        XCTAssertThrowsSiteError(try site.store().get(.node("n1"), name: "second").value(), noKey)
    }

    func testConcurrentValueCallsAgree() throws {
        let site = try makeSite()
        try site.writeControllerKey()
        let store = try site.store()
        _ = try store.store(name: "c", value: bytes("same"), nodes: ["n1"], groups: [], controllerKey: false)
        let secret = try store.get(.node("n1"), name: "c")
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            results.append((try? secret.value()).map { String(decoding: $0, as: UTF8.self) } ?? "error")
        }
        XCTAssertEqual(results.values, Array(repeating: "same", count: 8))
    }
}

/// A thread-safe list of strings.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ s: String) { lock.lock(); storage.append(s); lock.unlock() }
    var values: [String] { lock.lock(); defer { lock.unlock() }; return storage }
}
