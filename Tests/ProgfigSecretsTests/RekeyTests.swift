import AgeFormat
import Foundation
import XCTest
import ProgfigSecrets

/// RekeyResult's fields (its initializer is internal).
private struct Row: Equatable {
    let collection: SecretCollection, file: String, secrets: [String], recipients: [String]
    init(collection: SecretCollection, file: String, secrets: [String], recipients: [String]) {
        (self.collection, self.file, self.secrets, self.recipients) = (collection, file, secrets, recipients)
    }
    init(_ r: RekeyResult) { self.init(collection: r.collection, file: r.file, secrets: r.secrets, recipients: r.recipients) }
}

final class RekeyTests: XCTestCase {
    /// n1, n2, n3; g1 = n1 (later n1 n2). Stored: g1 "alpha" and "beta", n1 "own", controller "ctl".
    /// The controller key file is written.
    private func makeSite() throws -> SecretsSite {
        let site = try SecretsSite(root: makeTemporaryDirectory().appendingPathComponent("rekeysite"))
        try writeInventory(site, g1: "n1")
        for node in ["n1", "n2", "n3"] { try site.addNode(node) }
        try site.writeControllerKey()
        let store = try site.store()
        _ = try store.store(name: "alpha", value: Array("A".utf8), nodes: [], groups: ["g1"], controllerKey: false)
        _ = try store.store(name: "beta", value: Array("B".utf8), nodes: [], groups: ["g1"], controllerKey: false)
        _ = try store.store(name: "own", value: Array("O".utf8), nodes: ["n1"], groups: [], controllerKey: false)
        _ = try store.store(name: "ctl", value: Array("C".utf8), nodes: [], groups: [], controllerKey: true)
        return site
    }

    private func writeInventory(_ site: SecretsSite, g1: String) throws {
        try site.writeInventory(groups: [("g1", g1)], nodes: [("n1", "web"), ("n2", "web"), ("n3", "db")])
    }

    private let files = ["controller.secrets.json", "nodes/n1.secrets.json", "groups/g1.secrets.json"]

    private func expectedResults(_ site: SecretsSite, g1: [String]) -> [Row] {
        let controller = site.controller.x25519Recipient.encoded
        return [
            Row(collection: .controller, file: site.path("controller.secrets.json"), secrets: ["ctl"], recipients: [controller]),
            Row(collection: .node("n1"), file: site.path("nodes/n1.secrets.json"), secrets: ["own"],
                        recipients: [controller, site.key("n1").x25519Recipient.encoded]),
            Row(collection: .group("g1"), file: site.path("groups/g1.secrets.json"), secrets: ["alpha", "beta"],
                        recipients: [controller] + g1.map { site.key($0).x25519Recipient.encoded }),
        ]
    }

    func testRekeyAfterNodeJoinsGroup() throws {
        let site = try makeSite()
        let g1Before = try site.secrets("groups/g1.secrets.json")
        XCTAssertThrowsError(try decrypt(g1Before["alpha"]!, with: [site.key("n2")]))
        try writeInventory(site, g1: "n1 n2")
        let store = try site.store()

        let results = try store.rekey(dryRun: false).map(Row.init)
        XCTAssertEqual(results, expectedResults(site, g1: ["n1", "n2"]))
        let g1After = try site.secrets("groups/g1.secrets.json")
        XCTAssertEqual(g1After.keys.sorted(), ["alpha", "beta"])
        XCTAssertNotEqual(g1After["alpha"], g1Before["alpha"])
        // Only n2's key: the group's secrets now decrypt, with unchanged values.
        XCTAssertEqual(try decrypt(g1After["alpha"]!, with: [site.key("n2")]), "A")
        XCTAssertEqual(try decrypt(g1After["beta"]!, with: [site.key("n2")]), "B")
        XCTAssertEqual(try decrypt(g1After["alpha"]!, with: [site.key("n1")]), "A")
        XCTAssertEqual(try decrypt(g1After["alpha"]!, with: [site.controller]), "A")
        XCTAssertThrowsError(try decrypt(g1After["alpha"]!, with: [site.key("n3")]))
        XCTAssertEqual(try stanzaCount(g1After["alpha"]!), 3)
        // Through the store, acting as n2 with only its own key.
        let keyPath = site.path("n2.age")
        try site.writeKey(site.key("n2"), to: keyPath)
        let n2 = try site.store(SecretStoreOptions(keyOverrides: [keyPath]))
        try FileManager.default.removeItem(atPath: site.controllerKeyPath)
        XCTAssertEqual(String(decoding: try n2.getInherited(node: "n2", name: "beta").value(), as: UTF8.self), "B")
        // The other collections keep their values and recipients.
        XCTAssertEqual(try decrypt(site.secrets("nodes/n1.secrets.json")["own"]!, with: [site.key("n1")]), "O")
        XCTAssertEqual(try stanzaCount(site.secrets("nodes/n1.secrets.json")["own"]!), 2)
        XCTAssertEqual(try decrypt(site.secrets("controller.secrets.json")["ctl"]!, with: [site.controller]), "C")
        XCTAssertEqual(try stanzaCount(site.secrets("controller.secrets.json")["ctl"]!), 1)
        // Files are still in the original's format.
        for file in files {
            XCTAssertEqual(site.bytes(file), SecretsFile.encode(try site.secrets(file)), file)
        }
    }

    func testRekeyAfterNodeLeavesGroup() throws {
        let site = try makeSite()
        try writeInventory(site, g1: "n2")
        let results = try site.store().rekey(dryRun: false).map(Row.init)
        XCTAssertEqual(results, expectedResults(site, g1: ["n2"]))
        let alpha = try site.secrets("groups/g1.secrets.json")["alpha"]!
        XCTAssertEqual(try decrypt(alpha, with: [site.key("n2")]), "A")
        XCTAssertThrowsError(try decrypt(alpha, with: [site.key("n1")]))
    }

    func testDryRunWritesNothing() throws {
        let site = try makeSite()
        try writeInventory(site, g1: "n1 n2")
        let before = files.map { site.bytes($0) }
        let results = try site.store().rekey(dryRun: true).map(Row.init)
        XCTAssertEqual(results, expectedResults(site, g1: ["n1", "n2"]))
        XCTAssertEqual(files.map { site.bytes($0) }, before)
        XCTAssertThrowsError(try decrypt(site.secrets("groups/g1.secrets.json")["alpha"]!, with: [site.key("n2")]))
        let names = try FileManager.default.contentsOfDirectory(atPath: site.path("groups")).sorted()
        XCTAssertEqual(names, ["g1.secrets.json"], "no temporary files left behind")
    }

    func testRekeySkipsMissingAndEmptyFiles() throws {
        let site = try SecretsSite(root: makeTemporaryDirectory().appendingPathComponent("empty"))
        try site.writeInventory(groups: [("g1", "n1")], nodes: [("n1", "web")])
        try site.addNode("n1")
        try site.writeControllerKey()
        try site.write("{}", to: "groups/g1.secrets.json")
        XCTAssertEqual(try site.store().rekey(dryRun: false).map(Row.init), [])
        XCTAssertEqual(site.bytes("groups/g1.secrets.json"), Array("{}".utf8))
    }

    func testRekeyWithoutTheNeededKeyFailsAndKeepsFiles() throws {
        let site = try makeSite()
        try writeInventory(site, g1: "n1 n2")
        try FileManager.default.removeItem(atPath: site.controllerKeyPath)
        let keyPath = site.path("n1.age")
        try site.writeKey(site.key("n1"), to: keyPath)
        let before = files.map { site.bytes($0) }
        let store = try site.store(SecretStoreOptions(keyOverrides: [keyPath]))
        do {
            _ = try store.rekey(dryRun: false)
            XCTFail("expected an error")
        } catch let error as SiteError {
            XCTAssertEqual(error.file, site.path("controller.secrets.json"))
            XCTAssertTrue(error.message.hasPrefix("cannot decrypt secret \"ctl\" of controller to rekey it: "), error.message)
        }
        XCTAssertEqual(files.map { site.bytes($0) }, before)
    }
}

final class SecretsFileConcurrencyTests: XCTestCase {
    /// Runs `body(i)` on `count` separate threads at once and waits for all of them.
    private func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for i in 0..<count {
            group.enter()
            let thread = Thread {
                body(i)
                group.leave()
            }
            thread.start()
        }
        group.wait()
    }

    func testEightThreadsUpdatingOneFileLoseNothing() throws {
        let dir = try makeTemporaryDirectory()
        let url = dir.appendingPathComponent("groups/busy.secrets.json")
        try writeFile("{\n  \"existing\": \"value\"\n}", to: "groups/busy.secrets.json", in: dir)
        let errors = Results()
        onThreads(8) { t in
            for s in 0..<15 {
                do {
                    try SecretsFile.update(url) { $0["thread\(t)-secret\(s)"] = "value \(t).\(s)" }
                } catch {
                    errors.append("\(error)")
                }
            }
        }
        XCTAssertEqual(errors.values, [])
        let secrets = try SecretsFile.read(url)
        XCTAssertEqual(secrets.count, 121)
        for t in 0..<8 { for s in 0..<15 { XCTAssertEqual(secrets["thread\(t)-secret\(s)"], "value \(t).\(s)") } }
        XCTAssertEqual(secrets["existing"], "value")
        XCTAssertEqual(FileManager.default.contents(atPath: url.path).map { [UInt8]($0) }, SecretsFile.encode(secrets))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path).sorted(),
                       ["busy.secrets.json"])
    }

    func testConcurrentStoreEncryptLosesNothing() throws {
        let site = try SecretsSite(root: makeTemporaryDirectory().appendingPathComponent("busy"))
        try site.writeInventory(groups: [("g1", "n1")], nodes: [("n1", "web")])
        try site.addNode("n1")
        try site.writeControllerKey()
        let store = try site.store()
        let errors = Results()
        onThreads(4) { t in
            for s in 0..<5 {
                do {
                    _ = try store.store(name: "t\(t)s\(s)", value: Array("\(t)/\(s)".utf8), nodes: ["n1"], groups: ["g1"],
                                          controllerKey: true)
                } catch {
                    errors.append("\(error)")
                }
            }
        }
        XCTAssertEqual(errors.values, [])
        let expected = (0..<4).flatMap { t in (0..<5).map { "t\(t)s\($0)" } }.sorted()
        for collection in [SecretCollection.node("n1"), .group("g1"), .controller] {
            XCTAssertEqual(try store.list(collection), expected, "\(collection)")
        }
        XCTAssertEqual(String(decoding: try store.get(.controller, name: "t3s4").value(), as: UTF8.self), "3/4")
    }
}

final class RekeyBatchTests: XCTestCase {
    /// A rekey interrupted among its renames leaves some files new and some old, each whole; the
    /// next rekey finishes the job, and removes the temporary files a killed rekey left behind.
    func testRerunCompletesAnInterruptedRekey() throws {
        let site = try SecretsSite(root: makeTemporaryDirectory().appendingPathComponent("rerun"))
        try site.writeInventory(groups: [("g1", "n1")], nodes: [("n1", "web"), ("n2", "web")])
        for node in ["n1", "n2"] { try site.addNode(node) }
        try site.writeControllerKey()
        _ = try site.store().store(name: "alpha", value: Array("A".utf8), nodes: [], groups: ["g1"], controllerKey: false)
        _ = try site.store().store(name: "own", value: Array("O".utf8), nodes: ["n2"], groups: [], controllerKey: false)
        try site.writeInventory(groups: [("g1", "n1 n2")], nodes: [("n1", "web"), ("n2", "web")])
        let oldGroup = try XCTUnwrap(site.bytes("groups/g1.secrets.json"))
        _ = try site.store().rekey(dryRun: false)
        // As if interrupted after the node file's rename and before the group file's, with the
        // temporary file of the group file left by the killed process.
        _ = try site.write(String(decoding: oldGroup, as: UTF8.self), to: "groups/g1.secrets.json")
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        _ = try site.write("{", to: "groups/.g1.secrets.json.tmp-\(finished.processIdentifier)-x")
        XCTAssertThrowsError(try decrypt(site.secrets("groups/g1.secrets.json")["alpha"]!, with: [site.key("n2")]))

        _ = try site.store().rekey(dryRun: false)
        XCTAssertEqual(try decrypt(site.secrets("groups/g1.secrets.json")["alpha"]!, with: [site.key("n2")]), "A")
        XCTAssertEqual(try decrypt(site.secrets("nodes/n2.secrets.json")["own"]!, with: [site.key("n2")]), "O")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: site.path("groups")), ["g1.secrets.json"])
    }
}
