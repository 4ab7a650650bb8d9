import XCTest
import ProgfigSecrets

/// The original's MemoryHostStore answers on the same maps (orders, `default`, duplicates,
/// members missing from node_function_map); DifferentialTests checks them against its code.
final class MemoryHostStoreTests: XCTestCase {
    /// The store from the documentation's second example, built without inventory.conf.
    private func documentedStore() -> MemoryHostStore {
        MemoryHostStore(
            groups: ["group1": ["node1"]],
            nodeFunctionMap: ["node1": "func1"],
            functionRoleMap: ["func1": ["settz"], "default": ["settz"]])
    }

    func testDocumentedStoreBuiltDirectly() throws {
        let store = documentedStore()
        XCTAssertEqual(store.groups, ["universal", "group1"])
        XCTAssertEqual(store.nodes, ["node1"])
        XCTAssertEqual(store.functions, ["func1", "default"])
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
        XCTAssertEqual(fromConfig, documentedStore())
    }

    private func biggerStore() -> MemoryHostStore {
        MemoryHostStore(
            groups: ["zeta": ["n3", "n1", "n3"], "alpha": ["n2"], "empty": []],
            nodeFunctionMap: ["n3": "web", "n1": "web", "n2": "db", "n4": "new"],
            functionRoleMap: ["web": ["nginx", "certs", "nginx"], "db": ["postgres"], "default": ["base"]])
    }

    func testGroupsInDefinitionOrderUniversalFirst() throws {
        let store = biggerStore()
        XCTAssertEqual(store.groups, ["universal", "zeta", "alpha", "empty"])
        XCTAssertEqual(try store.groupMembers("universal"), ["n3", "n1", "n2", "n4"])
        XCTAssertEqual(try store.groupMembers("zeta"), ["n3", "n1", "n3"])
        XCTAssertEqual(try store.groupMembers("empty"), [])
    }

    func testNodeGroupsInDefinitionOrderWithRepeats() throws {
        let store = biggerStore()
        XCTAssertEqual(try store.nodeGroups("n3"), ["universal", "zeta", "zeta"])
        XCTAssertEqual(try store.nodeGroups("n2"), ["universal", "alpha"])
        XCTAssertEqual(try store.nodeGroups("n4"), ["universal"])
    }

    func testNodesFunctionsRolesAsTheMapsGiveThem() throws {
        let store = biggerStore()
        XCTAssertEqual(store.nodes, ["n3", "n1", "n2", "n4"])
        XCTAssertEqual(store.functions, ["web", "db", "default"])
        XCTAssertEqual(store.roles, ["base", "certs", "nginx", "postgres"])
        XCTAssertEqual(try store.functionNodes("web"), ["n3", "n1"])
        XCTAssertEqual(try store.nodeRoles("n1"), ["nginx", "certs", "nginx"])
    }

    /// The original has no fallback to `default`: a function without an entry has no roles.
    func testFunctionWithoutEntryHasNoRoles() throws {
        let store = biggerStore()
        XCTAssertEqual(try store.nodeFunction("n4"), "new")
        XCTAssertThrowsSiteError(try store.nodeRoles("n4"), "node \"n4\" has function \"new\", which has no entry in function_role_map")
        XCTAssertThrowsSiteError(try store.functionRoles("new"), "function \"new\" has no entry in function_role_map")
    }

    func testUnknownNamesAreErrors() throws {
        let store = documentedStore()
        XCTAssertThrowsSiteError(try store.nodeFunction("nodeX"), "unknown node \"nodeX\"")
        XCTAssertThrowsSiteError(try store.nodeRoles("nodeX"), "unknown node \"nodeX\"")
        XCTAssertThrowsSiteError(try store.nodeGroups("nodeX"), "unknown node \"nodeX\"")
        XCTAssertThrowsSiteError(try store.groupMembers("groupX"), "unknown group \"groupX\"")
        XCTAssertThrowsSiteError(try store.functionNodes("default"), "no node has function \"default\"")
    }

    /// The original keeps such a member in its group, and its node_groups then fails for every node.
    func testGroupMemberMissingFromNodeFunctionMap() throws {
        let config = try InventoryConfig(
            parsing: "[groups]\ng1 = node1\ng2 = node1 ghost\n[node_function_map]\nnode1 = f\n[function_role_map]\n", path: "inventory.conf")
        let store = try MemoryHostStore(config: config)
        XCTAssertEqual(try store.groupMembers("g2"), ["node1", "ghost"])
        XCTAssertEqual(store.unlistedGroupMembers, [
            .init(group: "g2", node: "ghost", file: "inventory.conf", line: 3),
        ])
        XCTAssertThrowsSiteError(try store.nodeGroups("node1"),
                                 "inventory.conf:3: group \"g2\" lists \"ghost\", which is not in node_function_map, "
                                 + "so no node's groups can be known (add it there or remove it from the group)")
    }

    /// `{"universal": [...], **groups}`: a defined universal group replaces the implicit one.
    func testDefinedUniversalGroupReplacesTheImplicitOne() throws {
        let store = MemoryHostStore(groups: ["g": ["n1"], "universal": ["n2"]], nodeFunctionMap: ["n1": "f", "n2": "f"], functionRoleMap: [:])
        XCTAssertEqual(store.groups, ["universal", "g"])
        XCTAssertEqual(try store.groupMembers("universal"), ["n2"])
        XCTAssertEqual(try store.nodeGroups("n1"), ["g"])
    }

    /// [DEFAULT] keys appear in every section configparser lists, so in each map.
    func testDefaultSectionKeysJoinEveryMap() throws {
        let config = try InventoryConfig(
            parsing: "[DEFAULT]\nn0 = f0\n[groups]\n[node_function_map]\nn1 = f1\n[function_role_map]\nf1 = r\n", path: "inventory.conf")
        let store = try MemoryHostStore(config: config)
        XCTAssertEqual(store.nodes, ["n0", "n1"])
        XCTAssertEqual(store.groups, ["universal", "n0"])
        XCTAssertEqual(store.functions, ["n0", "f1"])
        XCTAssertEqual(try store.groupMembers("n0"), ["f0"])
    }

    func testUsableThroughProtocol() throws {
        let store: any HostStore = documentedStore()
        XCTAssertEqual(try store.nodeRoles("node1"), ["settz"])
    }
}
