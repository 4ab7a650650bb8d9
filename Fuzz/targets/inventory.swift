// Fuzz target "inventory": inventory.conf parsing as Python's ConfigParser() (INI, DEFAULT,
// interpolation, InventoryConfig), MemoryHostStore construction with the original's answers, and
// every HostStore query for every node, group and function, plus NodeData on the same text. Any
// thrown SiteError is fine.
import Foundation
import ProgfigSecrets

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? NodeData(node: "fuzz", parsing: text, path: "nodes/fuzz.conf")
    guard let config = try? InventoryConfig(parsing: text, path: "inventory.conf") else { return 0 }
    guard let store = try? MemoryHostStore(config: config) else { return 0 }
    _ = store.roles
    _ = store.unlistedGroupMembers
    precondition(store.groups.first == MemoryHostStore.universalGroup, "groups must start with universal")
    var unlisted = 0
    for group in store.groups {
        let members = (try? store.groupMembers(group)) ?? []
        unlisted += members.filter { !store.nodes.contains($0) }.count
    }
    precondition(unlisted == store.unlistedGroupMembers.count, "unlisted group members are not all recorded")
    for node in store.nodes {
        guard let function = try? store.nodeFunction(node) else {
            preconditionFailure("listed node \(node) has no function")
        }
        // As in the original, node groups fail while any group lists a node missing from node_function_map.
        if let groups = try? store.nodeGroups(node) {
            precondition(unlisted == 0, "nodeGroups answered despite unlisted group members")
            for group in groups { precondition((try? store.groupMembers(group))?.contains(node) == true, "nodeGroups disagrees") }
        } else {
            precondition(unlisted > 0, "listed node \(node) has no groups")
        }
        precondition((try? store.functionNodes(function))?.contains(node) == true, "functionNodes disagrees with nodeFunction")
        _ = try? store.nodeRoles(node)
    }
    for function in store.functions {
        for node in (try? store.functionNodes(function)) ?? [] {
            precondition((try? store.nodeFunction(node)) == function, "functionNodes disagrees")
        }
    }
    // Unknown names must throw, not trap.
    _ = try? store.groupMembers("\u{0}no such group")
    _ = try? store.nodeGroups("\u{0}no such node")
    _ = try? store.functionNodes("\u{0}no such function")
    _ = try? store.nodeRoles("\u{0}no such node")
    return 0
}
