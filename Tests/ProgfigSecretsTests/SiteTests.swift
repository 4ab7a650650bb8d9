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
        XCTAssertEqual(site.inventoryURL.path, root.path + "/inventory.conf")
        XCTAssertEqual(site.inventory.path, root.path + "/inventory.conf")
        XCTAssertEqual(site.inventory.nodeFunctionMap, ["node1": "func1"])
        XCTAssertEqual(try site.hostStore().groups, ["universal", "group1"])
    }

    func testPaths() throws {
        let root = try makeSite()
        let site = try Site(root: root)
        XCTAssertEqual(try site.nodeConfURL("node1").path, root.path + "/nodes/node1.conf")
        XCTAssertEqual(try site.nodeSecretsURL("node1").path, root.path + "/nodes/node1.secrets.json")
        XCTAssertEqual(try site.groupConfURL("group1").path, root.path + "/groups/group1.conf")
        XCTAssertEqual(try site.groupSecretsURL("group1").path, root.path + "/groups/group1.secrets.json")
        XCTAssertEqual(site.controllerSecretsURL.path, root.path + "/controller.secrets.json")
    }

    func testPathsRejectNamesThatEscape() throws {
        let site = try Site(root: makeSite())
        let rule = "must be non-empty, not start with '.', and contain no '/'"
        XCTAssertThrowsSiteError(try site.nodeConfURL("../x"), "invalid node name \"../x\": \(rule)")
        XCTAssertThrowsSiteError(try site.groupSecretsURL(""), "invalid group name \"\": \(rule)")
        XCTAssertThrowsSiteError(try site.nodeSecretsURL(".hidden"), "invalid node name \".hidden\": \(rule)")
    }

    func testMissingInventoryIsError() throws {
        let root = try makeTemporaryDirectory()
        XCTAssertThrowsSiteError(try Site(root: root), "\(root.path)/inventory.conf: site has no inventory.conf")
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
        XCTAssertThrowsSiteError(try site.nodeData("node2"), "\(root.path)/nodes/node2.conf: no configuration file for node \"node2\"")
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
        XCTAssertThrowsSiteError(try Site.discover(from: dir), "no inventory.conf in \(dir.path) or any directory above it")
    }

    func testResolveAbsoluteKept() throws {
        let site = try Site(root: makeSite())
        XCTAssertEqual(site.resolve(path: "/etc/x/../node.age").path, "/etc/node.age")
    }

    func testResolveOrder() throws {
        let root = try makeSite()
        let cwd = try makeTemporaryDirectory()
        let site = try Site(root: root)
        try writeFile("k", to: "both.age", in: root)
        try writeFile("k", to: "both.age", in: cwd)
        try writeFile("k", to: "keys/cwd-only.age", in: cwd)
        XCTAssertEqual(site.resolve(path: "both.age", currentDirectory: cwd).path, root.path + "/both.age")
        XCTAssertEqual(site.resolve(path: "keys/cwd-only.age", currentDirectory: cwd).path, cwd.path + "/keys/cwd-only.age")
        XCTAssertEqual(site.resolve(path: "nowhere.age", currentDirectory: cwd).path, root.path + "/nowhere.age")
    }

    func testCurrentVersion() throws {
        let root = try makeSite()
        let site = try Site(root: root)
        XCTAssertNil(try site.currentVersion())
        try writeFile("  1.0.1700000000\n", to: "builddata/version", in: root)
        XCTAssertEqual(try site.currentVersion(), "1.0.1700000000")
        try writeFile("\n", to: "builddata/version", in: root)
        XCTAssertNil(try site.currentVersion())
    }
}
