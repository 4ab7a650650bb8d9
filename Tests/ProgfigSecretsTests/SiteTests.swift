import Foundation
import XCTest
import ProgfigSecrets

final class SiteTests: XCTestCase {
    private func makeSite() throws -> URL {
        let root = try makeTemporaryDirectory().appendingPathComponent("example_site")
        try writeFile(documentedInventory, to: "inventory.conf", in: root)
        return root
    }

    func testLoadsInventoryAndNamesSite() throws {
        let root = try makeSite()
        let site = try Site(root: root)
        XCTAssertEqual(site.name, "example_site")
        XCTAssertEqual(site.root.path, root.path)
        XCTAssertEqual(site.inventory.path, root.path + "/inventory.conf")
        XCTAssertEqual(try site.hostStore().nodes, ["node1"])
        XCTAssertEqual(try site.hostStore().groups, ["universal", "group1"])
    }

    func testPaths() throws {
        let root = try makeSite()
        let site = try Site(root: root)
        XCTAssertEqual(try site.layout.nodeConfig("node1").path, root.path + "/nodes/node1.conf")
        XCTAssertEqual(try site.layout.nodeModule("node1").path, root.path + "/nodes/node1.py")
        XCTAssertEqual(try site.nodeSecretsURL("node1").path, root.path + "/nodes/node1.secrets.json")
        XCTAssertEqual(try site.groupSecretsURL("group1").path, root.path + "/groups/group1.secrets.json")
        XCTAssertEqual(site.controllerSecretsURL.path, root.path + "/controller.secrets.json")
    }

    func testPathsRejectNamesThatEscape() throws {
        let site = try Site(root: makeSite())
        let rule = "must be non-empty, not start with '.', and contain no '/'"
        XCTAssertThrowsSiteError(try site.layout.nodeModule("../x"), "invalid node name \"../x\": \(rule)")
        XCTAssertThrowsSiteError(try site.groupSecretsURL(""), "invalid group name \"\": \(rule)")
        XCTAssertThrowsSiteError(try site.nodeSecretsURL(".hidden"), "invalid node name \".hidden\": \(rule)")
    }

    func testMissingInventoryIsError() throws {
        let root = try makeTemporaryDirectory()
        XCTAssertThrowsSiteError(try Site(root: root), "\(root.path): not a site: \(SiteLayout.lookedFor)")
    }

    func testInvalidInventoryErrorNamesFullPath() throws {
        let root = try makeTemporaryDirectory()
        try writeFile("[groups]\n[groups]\n", to: "inventory.conf", in: root)
        XCTAssertThrowsSiteError(try Site(root: root), "\(root.path)/inventory.conf:2: duplicate section [groups] (first on line 1)")
    }

    func testNodeDataThroughSite() throws {
        let root = try makeSite()
        try writeFile("[node]\nuser = admin\n", to: "nodes/node1.conf", in: root)
        let site = try Site(root: root)
        XCTAssertEqual(try site.nodeData("node1").nodeSection, ["user": "admin"])
        XCTAssertThrowsSiteError(try site.nodeData("node2"), "\(root.path)/nodes: no data for node \"node2\": neither node2.py nor node2.conf exists")
        // A node described by both forms is an error.
        try writeFile("node = InventoryNode(address=\"n1\")\n", to: "nodes/node1.py", in: root)
        XCTAssertThrowsSiteError(try site.nodeData("node1"), "\(root.path)/nodes/node1.py: node \"node1\" is described by both node1.py and node1.conf; keep one")
    }

    func testDiscoverUpward() throws {
        let root = try makeSite()
        let deep = root.appendingPathComponent("a/b/c")
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        XCTAssertEqual(try Site.discover(from: deep).root.path, root.path)
        XCTAssertEqual(try Site.discover(from: root).root.path, root.path)
    }

    func testDiscoverFindsNearest() throws {
        let outer = try makeSite()
        let inner = outer.appendingPathComponent("sub/inner_site")
        try writeFile("[groups]\n", to: "inventory.conf", in: inner)
        XCTAssertEqual(try Site.discover(from: inner.appendingPathComponent("x")).name, "inner_site")
    }

    func testDiscoverSkipsDirectoryNamedInventoryConf() throws {
        let root = try makeSite()
        let sub = root.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: sub.appendingPathComponent("inventory.conf"), withIntermediateDirectories: true)
        XCTAssertEqual(try Site.discover(from: sub).root.path, root.path)
    }

    func testDiscoverWithoutSiteIsError() throws {
        let dir = try makeTemporaryDirectory()
        XCTAssertThrowsSiteError(try Site.discover(from: dir), "no site in \(dir.path) or any directory above it: \(SiteLayout.lookedFor)")
    }

    func testKeyPathsAreRelativeToTheCurrentDirectory() throws {
        let cwd = try makeTemporaryDirectory()
        XCTAssertEqual(Site.keyPath("/etc/x/../node.age").path, "/etc/node.age")
        XCTAssertEqual(Site.keyPath("keys/k.age", currentDirectory: cwd).path, cwd.path + "/keys/k.age")
    }

    func testCurrentVersion() throws {
        let root = try makeSite()
        let site = try Site(root: root)
        XCTAssertNil(try site.currentVersion())
        try writeFile("from datetime import datetime\nversion = \"1.0.1700000000\"\nbuilddate = datetime.fromisoformat(\"2023-11-14T22:13:20\")\n",
                      to: "builddata/version.py", in: root)
        XCTAssertEqual(try site.currentVersion(), "1.0.1700000000")
        try writeFile("version = 1\n", to: "builddata/version.py", in: root)
        XCTAssertThrowsSiteError(try site.currentVersion(), root.path + "/builddata/version.py:1:11: expected a string for version")
    }
}
