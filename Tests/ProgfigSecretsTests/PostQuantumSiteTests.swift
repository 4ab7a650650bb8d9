import AgeFormat
import Foundation
import XCTest
import ProgfigSecrets

/// Sites with post-quantum keys: storing and rekeying to them, moving a site from X25519 to
/// post-quantum keys, and refusing (and reporting) collections whose readers mix the kinds.
final class PostQuantumSiteTests: XCTestCase {
    /// The text of an identity file holding `identities`, one secret key per line.
    private func keyFile(_ identities: [any Identity]) -> String {
        identities.map { identity -> String in
            if let pq = identity as? MLKEM768X25519Identity { return pq.secretKeyString + "\n" }
            return (identity as! X25519Identity).secretKeyString + "\n"
        }.joined()
    }

    private func decryptValue(_ armored: String, with identity: any Identity) throws -> String {
        String(decoding: try Decryptor(identities: [identity]).decrypt(Array(armored.utf8)), as: UTF8.self)
    }

    func testSiteWithPostQuantumKeysStoresAndRekeys() throws {
        let site = try SecretsSite(root: makeTemporaryDirectory().appendingPathComponent("pqsite"))
        let controller = try MLKEM768X25519Identity.generate()
        let n1 = try MLKEM768X25519Identity.generate(), n2 = try MLKEM768X25519Identity.generate()
        try site.writeInventory(groups: [("g1", "n1 n2")], nodes: [("n1", "web"), ("n2", "web")], functionRoles: [("web", "settz")],
                                controllerPub: controller.hybridRecipient.encoded)
        try site.addNode("n1", pubkey: n1.hybridRecipient.encoded)
        try site.addNode("n2", pubkey: n2.hybridRecipient.encoded)
        try site.write(keyFile([controller]), to: "keys/controller.age")
        let store = try site.store()
        _ = try store.store(name: "db", value: Array("hunter2".utf8), nodes: [], groups: ["g1"], controllerKey: false)
        let stored = try XCTUnwrap(site.secrets("groups/g1.secrets.json")["db"])
        XCTAssertEqual(try stanzaCount(stored), 3)
        XCTAssertTrue(try Header.parse(Array(stored.utf8)).stanzas.allSatisfy { $0.type == "mlkem768x25519" })
        for identity: any Identity in [controller, n1, n2] { XCTAssertEqual(try decryptValue(stored, with: identity), "hunter2") }
        let results = try store.rekey(dryRun: false)
        XCTAssertEqual(results.map(\.collection), [.group("g1")])
        XCTAssertEqual(try decryptValue(site.secrets("groups/g1.secrets.json")["db"]!, with: n2), "hunter2")
        XCTAssertEqual(try SiteValidator(site: site.site()).findings().map(\.description), [])
    }

    /// The README's procedure: new post-quantum keys (the controller key file holds the new key
    /// and, until the rekey is done, the old one), then `secret rekey`.
    func testMovingASiteToPostQuantumKeys() throws {
        let site = try SecretsSite(root: makeTemporaryDirectory().appendingPathComponent("moving"))
        try site.writeInventory(groups: [("g1", "n1")], nodes: [("n1", "web")], functionRoles: [("web", "settz")])
        try site.addNode("n1")
        try site.writeControllerKey()
        _ = try site.store().store(name: "a", value: Array("A".utf8), nodes: [], groups: ["g1"], controllerKey: false)
        _ = try site.store().store(name: "c", value: Array("C".utf8), nodes: [], groups: [], controllerKey: true)

        let controller = try MLKEM768X25519Identity.generate(), n1 = try MLKEM768X25519Identity.generate()
        try site.write(keyFile([controller, site.controller]), to: "keys/controller.age")
        try site.writeInventory(groups: [("g1", "n1")], nodes: [("n1", "web")], functionRoles: [("web", "settz")], controllerPub: controller.hybridRecipient.encoded)
        try site.addNode("n1", pubkey: n1.hybridRecipient.encoded)
        XCTAssertEqual(try site.store().rekey(dryRun: false).map(\.collection), [.controller, .group("g1")])

        let a = try XCTUnwrap(site.secrets("groups/g1.secrets.json")["a"])
        XCTAssertTrue(try Header.parse(Array(a.utf8)).stanzas.allSatisfy { $0.type == "mlkem768x25519" })
        XCTAssertEqual(try decryptValue(a, with: n1), "A")
        XCTAssertEqual(try decryptValue(site.secrets("controller.secrets.json")["c"]!, with: controller), "C")
        XCTAssertThrowsError(try decryptValue(a, with: site.controller), "the old key no longer opens anything")
    }

    func testMixedReadersAreRefusedOnStoreAndRekeyAndReportedByValidate() throws {
        let site = try SecretsSite(root: makeTemporaryDirectory().appendingPathComponent("mixed"))
        let controller = try MLKEM768X25519Identity.generate(), n1 = try MLKEM768X25519Identity.generate()
        try site.writeInventory(groups: [("g1", "n1 n2")], nodes: [("n1", "web"), ("n2", "web")], functionRoles: [("web", "settz")],
                                controllerPub: controller.hybridRecipient.encoded)
        try site.addNode("n1", pubkey: n1.hybridRecipient.encoded)
        let classic = try site.addNode("n2").x25519Recipient.encoded
        try site.write(keyFile([controller]), to: "keys/controller.age")
        // n1's own collection is all post-quantum and stores.
        _ = try site.store().store(name: "own", value: [1], nodes: ["n1"], groups: [], controllerKey: false)
        let before = try site.secrets("nodes/n1.secrets.json")

        let problem = "the readers of group g1 mix post-quantum and classic keys, which can't be mixed; classic: "
            + "node \"n2\" (\(classic)). Give them post-quantum keys (progfig keygen --pq), then run progfig secret rekey"
        XCTAssertThrowsSiteError(try site.store().store(name: "x", value: [1], nodes: [], groups: ["g1"], controllerKey: false),
                                 problem.replacingOccurrences(of: "group g1", with: "secret \"x\""))
        XCTAssertThrowsSiteError(try site.store().encrypt(value: [1], nodes: ["n1", "n2"], groups: [], controllerKey: false),
                                 problem.replacingOccurrences(of: "group g1", with: "the value"))
        XCTAssertNil(site.bytes("groups/g1.secrets.json"), "nothing written")
        XCTAssertNil(site.bytes("nodes/n2.secrets.json"), "nothing written")

        // A group file stored before n2 joined: rekey refuses it, writing nothing anywhere.
        try site.write(#"{"old": "x"}"#, to: "groups/g1.secrets.json")
        let g1Before = site.bytes("groups/g1.secrets.json")
        XCTAssertThrowsSiteError(try site.store().rekey(dryRun: false), problem)
        XCTAssertEqual(site.bytes("groups/g1.secrets.json"), g1Before)
        XCTAssertEqual(try site.secrets("nodes/n1.secrets.json"), before)

        let findings = try SiteValidator(site: site.site()).findings().map(\.description)
        let inventory = site.path("inventory.conf")
        // n2's own collection mixes too: n2 is classic, the controller post-quantum.
        XCTAssertTrue(findings.contains("\(inventory): " + problem.replacingOccurrences(of: "group g1", with: "node n2")), "\(findings)")
        XCTAssertTrue(findings.contains("\(inventory): \(problem)"), "\(findings)")
    }
}
