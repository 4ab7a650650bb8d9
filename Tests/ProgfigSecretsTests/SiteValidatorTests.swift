import AgeFormat
import Foundation
import XCTest
import ProgfigSecrets

final class SiteValidatorTests: XCTestCase {
    /// A sound site: every node has a conf with a valid key, roles resolve, secrets files are valid.
    private func makeCleanSite() throws -> SecretsSite {
        let site = try SecretsSite(root: makeTemporaryDirectory().appendingPathComponent("cleansite"))
        try site.writeInventory(groups: [("web", "w1 w2"), ("db", "d1")],
                                nodes: [("w1", "webserver"), ("w2", "webserver"), ("d1", "dbserver")],
                                functionRoles: [("webserver", "nginx settz"), ("dbserver", "postgres")])
        for node in ["w1", "w2", "d1"] { try site.addNode(node) }
        try site.writeControllerKey()
        let store = try site.store()
        _ = try store.encrypt(name: "a", value: [1], nodes: ["w1"], groups: [], controllerKey: false, store: true)
        _ = try store.encrypt(name: "b", value: [2], nodes: [], groups: ["web", "universal"], controllerKey: true, store: true)
        try site.write("{}", to: "groups/db.secrets.json")
        return site
    }

    func testCleanSiteHasNoFindings() throws {
        let site = try makeCleanSite()
        XCTAssertEqual(try SiteValidator(site: site.site()).findings().map(\.description), [])
    }

    func testCleanSiteWithoutControllerKeyFileHasNoFindings() throws {
        let site = try makeCleanSite()
        try FileManager.default.removeItem(atPath: site.controllerKeyPath)
        XCTAssertEqual(try SiteValidator(site: site.site()).findings().map(\.description), [])
    }

    func testPassphraseProtectedControllerKeyIsNotChecked() throws {
        let site = try makeCleanSite()
        let encrypted = try Encryptor(recipients: [ScryptRecipient(passphrase: "pw", workFactor: 10)], armored: true)
            .encrypt(Array(identityFileText(X25519Identity.generate()).utf8))
        try Data(encrypted).write(to: URL(fileURLWithPath: site.controllerKeyPath))
        XCTAssertEqual(try SiteValidator(site: site.site()).findings().map(\.description), [])
    }

    func testEveryKindOfProblem() throws {
        let site = try SecretsSite(root: makeTemporaryDirectory().appendingPathComponent("badsite"))
        let other = X25519Identity.generate()
        // Line numbers: 1 [secrets], 2 controller_age_path, 3 controller_age_pub, 4 node_fallback_age_path,
        // 5 blank, 6 [groups], 7 web, 8 db, 9 blank, 10 [node_function_map], 11 good, 12 nokey, 13 badkey,
        // 14 noconf, 15 norole, 16 blank, 17 [function_role_map], 18 webserver, 19 dbserver.
        try site.writeInventory(groups: [("web", "good ghost badkey"), ("db", "nokey phantom")],
                                nodes: [("good", "webserver"), ("nokey", "dbserver"), ("badkey", "webserver"),
                                        ("noconf", "webserver"), ("norole", "mystery")],
                                functionRoles: [("webserver", "nginx"), ("dbserver", "postgres")],
                                controllerPub: other.x25519Recipient.encoded)
        try site.writeControllerKey()   // does not match controller_age_pub
        let good = try site.addNode("good")
        try site.addNode("nokey", pubkey: .some(nil))
        try site.addNode("badkey", pubkey: "age1notakey")
        try site.addNode("norole")
        let valid = String(decoding: try Encryptor(recipients: [good.x25519Recipient], armored: true).encrypt([1, 2, 3]), as: UTF8.self)
        try site.write(String(decoding: SecretsFile.encode(["ok": valid, "plain": "not an age file"]), as: UTF8.self),
                       to: "nodes/good.secrets.json")
        try site.write("this is { not json", to: "groups/web.secrets.json")
        try site.write("{\"n\": 5}", to: "groups/db.secrets.json")
        try site.write("{}", to: "nodes/stranger.secrets.json")
        try site.write(String(decoding: SecretsFile.encode(["old": valid]), as: UTF8.self), to: "groups/retired.secrets.json")
        try site.write(String(decoding: SecretsFile.encode(["c": valid, "trunc": String(valid.prefix(60))]), as: UTF8.self),
                       to: "controller.secrets.json")

        let inv = site.path("inventory.conf")
        let expected = [
            "\(inv):7: group \"web\" lists \"ghost\", which is not in node_function_map",
            "\(inv):8: group \"db\" lists \"phantom\", which is not in node_function_map",
            "\(site.path("nodes/nokey.conf")): node \"nokey\" has no age_pubkey in [sitedata]",
            "\(site.path("nodes/badkey.conf")): node \"badkey\": age_pubkey does not parse: invalid recipient \"age1notakey\": invalid character in Bech32 data",
            "\(inv):14: node_function_map lists \"noconf\", but \(site.path("nodes/noconf.conf")) does not exist",
            "\(inv):15: node \"norole\" has function \"mystery\", which has no entry in function_role_map, and there is no \"default\" entry",
            "\(inv):3: controller_age_pub does not match the controller key in \(site.controllerKeyPath)",
            "\(site.path("controller.secrets.json")): secret \"trunc\" is not a valid age file: invalid armor: lines must be canonical padded base64 of at most 64 columns",
            "\(site.path("nodes/good.secrets.json")): secret \"plain\" is not a valid age file: not an age file: the first line is not \"age-encryption.org/v1\"",
            "\(site.path("nodes/stranger.secrets.json")): secrets file for node \"stranger\", which is not in the inventory",
            "\(site.path("groups/db.secrets.json")): secret \"n\" is not a string",
            "\(site.path("groups/retired.secrets.json")): secrets file for group \"retired\", which is not in the inventory",
            "\(site.path("groups/web.secrets.json")): not valid JSON; expected an object mapping secret names to armored age values",
        ]
        let findings = try SiteValidator(site: site.site()).findings().map(\.description)
        XCTAssertEqual(findings, expected)
        XCTAssertEqual(findings.count, expected.count)
        for (a, b) in zip(findings, expected) where a != b { XCTFail("\n  got:      \(a)\n  expected: \(b)") }
    }

    func testControllerFindings() throws {
        let site = try makeCleanSite()
        let inv = site.path("inventory.conf")
        try site.writeInventory(groups: [("web", "w1 w2"), ("db", "d1")],
                                nodes: [("w1", "webserver"), ("w2", "webserver"), ("d1", "dbserver")],
                                functionRoles: [("webserver", "nginx settz"), ("dbserver", "postgres")], controllerPub: .some(nil))
        XCTAssertEqual(try SiteValidator(site: site.site()).findings().map(\.description),
                       ["\(inv): [secrets] has no controller_age_pub; secrets cannot be stored"])
        try site.write("garbage\n", to: "keys/controller.age")
        try site.writeInventory(groups: [("web", "w1 w2"), ("db", "d1")],
                                nodes: [("w1", "webserver"), ("w2", "webserver"), ("d1", "dbserver")],
                                functionRoles: [("webserver", "nginx settz"), ("dbserver", "postgres")])
        XCTAssertEqual(try SiteValidator(site: site.site()).findings().map(\.description),
                       ["\(site.controllerKeyPath): controller key does not parse: \(site.controllerKeyPath):1: invalid identity: not an AGE-SECRET-KEY-1… X25519 secret key"])
    }
}
