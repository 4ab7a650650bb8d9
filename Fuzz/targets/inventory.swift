// Fuzz target "inventory": inventory.conf parsing (INI + InventoryConfig), MemoryHostStore
// construction, and every HostStore query for every node, group and function, plus NodeData on
// the same text. Any thrown SiteError is fine.
import Foundation
import ProgfigSecrets

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? NodeData(node: "fuzz", parsing: text, path: "nodes/fuzz.conf")
    guard let config = try? InventoryConfig(parsing: text, path: "inventory.conf") else { return 0 }
    _ = config.groupMap
    _ = config.nodeFunctionMap
    _ = config.functionRoleMap
    guard let store = try? MemoryHostStore(config: config) else { return 0 }
    _ = store.roles
    _ = store.unlistedGroupMembers
    precondition(store.groups.first == MemoryHostStore.universalGroup, "groups must start with universal")
    for group in store.groups {
        let members = (try? store.groupMembers(group)) ?? []
        for node in members {
            precondition(store.nodes.contains(node), "group \(group) lists unknown node \(node)")
        }
    }
    for node in store.nodes {
        guard let function = try? store.nodeFunction(node) else {
            preconditionFailure("listed node \(node) has no function")
        }
        precondition(store.functions.contains(function), "function of \(node) is not listed")
        guard let groups = try? store.nodeGroups(node) else { preconditionFailure("listed node \(node) has no groups") }
        precondition(groups.first == MemoryHostStore.universalGroup, "node \(node) is not in universal")
        _ = try? store.nodeRoles(node)
    }
    for function in store.functions {
        guard let nodes = try? store.functionNodes(function) else {
            preconditionFailure("listed function \(function) is unknown")
        }
        for node in nodes { precondition((try? store.nodeFunction(node)) == function, "functionNodes disagrees") }
    }
    // Unknown names must throw, not trap.
    _ = try? store.groupMembers("\u{0}no such group")
    _ = try? store.nodeGroups("\u{0}no such node")
    _ = try? store.functionNodes("\u{0}no such function")
    _ = try? store.nodeRoles("\u{0}no such node")
    return 0
}
