import XCTest
import ProgfigSecrets

final class InventoryConfigTests: XCTestCase {
    private func parse(_ text: String) throws -> InventoryConfig {
        try InventoryConfig(parsing: text, path: "inventory.conf")
    }

    func testDocumentedExample() throws {
        let config = try parse(documentedInventory)
        XCTAssertEqual(config.path, "inventory.conf")
        XCTAssertEqual(config.controllerAgePath, .init(name: "controller_age_path", value: "/path/to/controller.age", line: 5))
        XCTAssertEqual(config.controllerAgePub, .init(name: "controller_age_pub", value: "paste the public key here", line: 9))
        XCTAssertEqual(config.nodeFallbackAgePath, .init(name: "node_fallback_age_path", value: "/path/to/node.age", line: 12))
        XCTAssertEqual(config.groups, [.init(name: "group1", value: ["node1"], line: 18)])
        XCTAssertEqual(config.nodeFunctions, [.init(name: "node1", value: "func1", line: 27)])
        XCTAssertEqual(config.functionRoles, [
            .init(name: "func1", value: ["settz"], line: 33),
            .init(name: "default", value: ["settz"], line: 38),
        ])
        XCTAssertEqual(config.version, .epoch(major: 1, minor: 0))
    }

    func testSecretsOptionalAndUnknownSectionsIgnored() throws {
        let config = try parse("[other]\nx = y\n[groups]\n")
        XCTAssertNil(config.controllerAgePath)
        XCTAssertNil(config.controllerAgePub)
        XCTAssertNil(config.nodeFallbackAgePath)
        XCTAssertEqual(config.groups, [])
        XCTAssertNil(config.nodeFunctions)
        XCTAssertNil(config.functionRoles)
        XCTAssertThrowsSiteError(try MemoryHostStore(config: config),
                                 "inventory.conf: no [node_function_map] section (hosts_conf needs [groups], [node_function_map] and [function_role_map])")
    }

    func testListsSplitOnSpacesAndContinuationLines() throws {
        let config = try parse("[groups]\nweb = n1 n2\n  n3\n\tn4\n[function_role_map]\nf = r1\n    r2 r3\n")
        XCTAssertEqual(config.groups, [.init(name: "web", value: ["n1", "n2", "n3", "n4"], line: 2)])
        XCTAssertEqual(config.functionRoles, [.init(name: "f", value: ["r1", "r2", "r3"], line: 6)])
    }

    /// hosts_conf takes a node's function as the whole value, spaces and all.
    func testNodeFunctionIsTheWholeValue() throws {
        let config = try parse("[node_function_map]\nnode0 = f\nnode1 = func1 func2\nnode2 =\n")
        XCTAssertEqual(config.nodeFunctions?.map(\.value), ["f", "func1 func2", ""])
    }

    func testVersionMajorMinor() throws {
        XCTAssertEqual(try parse("[version]\nmajor = 3\nminor = 14\n").version, .epoch(major: 3, minor: 14))
    }

    func testVersionEnv() throws {
        XCTAssertEqual(try parse("[version]\nenv = BUILD_VERSION\n").version, .environment(variable: "BUILD_VERSION"))
    }

    func testVersionDefaultsToOneZero() throws {
        XCTAssertEqual(try parse("[groups]\n").version, VersionRule.standard)
        XCTAssertEqual(VersionRule.standard, .epoch(major: 1, minor: 0))
    }

    func testVersionErrors() {
        XCTAssertThrowsSiteError(
            try parse("[version]\nmajor = 1\nminor = x\n"),
            "inventory.conf:3: expected a non-negative integer for 'minor', found \"x\"")
        XCTAssertThrowsSiteError(
            try parse("[version]\nmajor = -1\nminor = 0\n"),
            "inventory.conf:2: expected a non-negative integer for 'major', found \"-1\"")
        XCTAssertThrowsSiteError(
            try parse("[groups]\n[version]\nmajor = 1\n"),
            "inventory.conf:2: [version] needs 'minor' (or 'env = NAME')")
        XCTAssertThrowsSiteError(
            try parse("[version]\nenv = V\nmajor = 1\n"),
            "inventory.conf:3: [version] takes either 'env' or 'major'/'minor', not both")
        XCTAssertThrowsSiteError(
            try parse("[version]\nenv =\n"),
            "inventory.conf:2: expected one environment variable name for 'env'")
        XCTAssertThrowsSiteError(
            try parse("[version]\nmajor = 1\nminor = 0\npatch = 2\n"),
            "inventory.conf:4: unknown key \"patch\" in [version]; expected 'major' and 'minor', or 'env'")
    }

    func testErrorsFromIniPropagate() {
        XCTAssertThrowsSiteError(
            try parse("[groups]\ng = a\n[groups]\n"),
            "inventory.conf:3: duplicate section [groups] (first on line 1)")
    }
}
