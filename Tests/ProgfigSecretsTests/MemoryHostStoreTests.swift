import XCTest
import ProgfigSecrets

final class MemoryHostStoreTests: XCTestCase {
    /// The store from the documentation's second example, built without inventory.conf.
    private func documentedStore() throws -> MemoryHostStore {
        try MemoryHostStore(
            groups: ["group1": ["node1"]],
            nodeFunctionMap: ["node1": "func1"],
            functionRoleMap: ["func1": ["settz"], "default": ["settz"]])
    }

    func testDocumentedStoreBuiltDirectly() throws {
        let store = try documentedStore()
        XCTAssertEqual(store.groups, ["universal", "group1"])
        XCTAssertEqual(store.nodes, ["node1"])
        XCTAssertEqual(store.functions, ["func1"])
        XCTAssertEqual(store.roles, ["settz"])
        XCTAssertEqual(try store.groupMembers("universal"), ["node1"])
        XCTAssertEqual(try store.groupMembers("group1"), ["node1"])
        XCTAssertEqual(try store.nodeGroups("node1"), ["universal", "group1"])
        XCTAssertEqual(try store.functionNodes("func1"), ["node1"])
        XCTAssertEqual(try store.nodeFunction("node1"), "func1")
        XCTAssertEqual(try store.nodeRoles("node1"), ["settz"])
    }

    func testDirectStoreEqualsStoreFromDocumentedInventory() throws {
        let fromConfig = try MemoryHostStore(config: InventoryConfig(parsing: documentedInventory, path: "inventory.conf"))
        XCTAssertEqual(fromConfig, try documentedStore())
    }

    private func biggerStore() throws -> MemoryHostStore {
        try MemoryHostStore(
            groups: ["zeta": ["n3", "n1", "n3"], "alpha": ["n2"], "empty": []],
            nodeFunctionMap: ["n3": "web", "n1": "web", "n2": "db", "n4": "new"],
            functionRoleMap: ["web": ["nginx", "certs", "nginx"], "db": ["postgres"], "default": ["base"]])
    }

    func testUniversalFirstThenGroupsSorted() throws {
        let store = try biggerStore()
        XCTAssertEqual(store.groups, ["universal", "alpha", "empty", "zeta"])
        XCTAssertEqual(try store.groupMembers("universal"), ["n1", "n2", "n3", "n4"])
        XCTAssertEqual(try store.groupMembers("zeta"), ["n3", "n1"])
        XCTAssertEqual(try store.groupMembers("empty"), [])
    }

    func testNodeGroupsUniversalFirst() throws {
        let store = try biggerStore()
        XCTAssertEqual(try store.nodeGroups("n3"), ["universal", "zeta"])
        XCTAssertEqual(try store.nodeGroups("n2"), ["universal", "alpha"])
        XCTAssertEqual(try store.nodeGroups("n4"), ["universal"])
    }

    func testNodesFunctionsRoles() throws {
        let store = try biggerStore()
        XCTAssertEqual(store.nodes, ["n1", "n2", "n3", "n4"])
        XCTAssertEqual(store.functions, ["db", "new", "web"])
        XCTAssertEqual(store.roles, ["base", "certs", "nginx", "postgres"])
        XCTAssertEqual(try store.functionNodes("web"), ["n1", "n3"])
        XCTAssertEqual(try store.nodeRoles("n1"), ["nginx", "certs"])
    }

    func testDefaultRolesForFunctionWithoutEntry() throws {
        let store = try biggerStore()
        XCTAssertEqual(try store.nodeFunction("n4"), "new")
        XCTAssertEqual(try store.nodeRoles("n4"), ["base"])
    }

    func testNoRolesAndNoDefaultIsError() throws {
        let store = try MemoryHostStore(groups: [:], nodeFunctionMap: ["n1": "orphan"], functionRoleMap: ["web": ["nginx"]])
        XCTAssertThrowsSiteError(
            try store.nodeRoles("n1"),
            "node \"n1\" has function \"orphan\", which has no entry in function_role_map, and there is no \"default\" entry")
    }

    func testUnknownNamesAreErrors() throws {
        let store = try documentedStore()
        XCTAssertThrowsSiteError(try store.nodeFunction("nodeX"), "unknown node \"nodeX\"")
        XCTAssertThrowsSiteError(try store.nodeRoles("nodeX"), "unknown node \"nodeX\"")
        XCTAssertThrowsSiteError(try store.nodeGroups("nodeX"), "unknown node \"nodeX\"")
        XCTAssertThrowsSiteError(try store.groupMembers("groupX"), "unknown group \"groupX\"")
        XCTAssertThrowsSiteError(try store.functionNodes("default"), "unknown function \"default\"")
    }

    func testGroupMemberMissingFromNodeFunctionMapIsLeftOutAndRecorded() throws {
        let config = try InventoryConfig(
            parsing: "[groups]\ng1 = node1\ng2 = node1 ghost\n[node_function_map]\nnode1 = f\n", path: "inventory.conf")
        let store = try MemoryHostStore(config: config)
        XCTAssertEqual(try store.groupMembers("g2"), ["node1"])
        XCTAssertEqual(store.unlistedGroupMembers, [
            .init(group: "g2", node: "ghost", file: "inventory.conf", line: 3),
        ])
    }

    func testGroupNamedUniversalIsError() {
        XCTAssertThrowsSiteError(
            try MemoryHostStore(groups: ["universal": []], nodeFunctionMap: [:], functionRoleMap: [:]),
            "group \"universal\" is implicit (it holds every node) and cannot be defined")
    }

    func testNodeNameMustBePlainFileName() throws {
        let config = try InventoryConfig(parsing: "[node_function_map]\n../etc = f\n", path: "inventory.conf")
        XCTAssertThrowsSiteError(
            try MemoryHostStore(config: config),
            "inventory.conf:2: invalid node name \"../etc\": must be non-empty, not start with '.', and contain no '/'")
    }

    func testUsableThroughProtocol() throws {
        let store: any HostStore = try documentedStore()
        XCTAssertEqual(try store.nodeRoles("node1"), ["settz"])
    }
}
