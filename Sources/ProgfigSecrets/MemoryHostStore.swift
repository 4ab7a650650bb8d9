/// A `HostStore` held in memory, built from maps or from an inventory.conf (Python's
/// `MemoryHostStore`), answering as the original does on the same maps:
///
/// - `groups` is `universal` then the defined groups in order (a defined `universal` replaces
///   the implicit one in first place); `nodes` and `functions` are the map keys in order, and
///   `default` is a function like any other (the original does not fall back to it).
/// - A group member missing from node_function_map stays in its group, and `nodeGroups` then
///   fails for every node, where the original's `node_groups` fails; `validate` names it.
public struct MemoryHostStore: HostStore, Equatable {
    /// The implicit group holding every node.
    public static let universalGroup = "universal"

    private let members: [String: [String]]
    private let nodeFunctionMap: [String: String]
    private let functionRoleMap: [String: [String]]
    private let nodeLines: [String: Int]

    public let groups: [String]
    public let nodes: [String]
    public let functions: [String]
    public let roles: [String]
    /// The file the maps came from, when known.
    public let file: String?
    /// Group members that are not in the node-function map.
    public let unlistedGroupMembers: [UnlistedGroupMember]

    /// A group member with no node-function entry, and where the group is defined.
    public struct UnlistedGroupMember: Equatable, Sendable {
        /// Records that `group` (defined at `file`:`line`) lists `node`.
        public init(group: String, node: String, file: String?, line: Int?) {
            self.group = group
            self.node = node
            self.file = file
            self.line = line
        }

        /// The group listing the node.
        public let group: String
        /// The node name missing from the node-function map.
        public let node: String
        /// The file defining the group, when known.
        public let file: String?
        /// The line defining the group, when known.
        public let line: Int?
    }

    /// One map entry with the line defining it, when known.
    public struct Located<Value: Sendable>: Sendable {
        /// The key.
        public let name: String
        /// The value.
        public let value: Value
        /// The 1-based line of the entry, when known.
        public let line: Int?

        /// An entry.
        public init(name: String, value: Value, line: Int? = nil) {
            self.name = name
            self.value = value
            self.line = line
        }
    }

    /// Builds a store from ordered maps, as a site's inventory module does in Python (a repeated
    /// key keeps its first place and its last value, as in a dict).
    public init(groups: [Located<[String]>], nodeFunctions: [Located<String>], functionRoles: [Located<[String]>], file: String? = nil) {
        func ordered<V>(_ entries: [Located<V>]) -> (keys: [String], values: [String: V], lines: [String: Int]) {
            var keys: [String] = []
            var values: [String: V] = [:]
            var lines: [String: Int] = [:]
            for entry in entries {
                if values[entry.name] == nil { keys.append(entry.name); lines[entry.name] = entry.line }
                values[entry.name] = entry.value
            }
            return (keys, values, lines)
        }
        let functionsMap = ordered(nodeFunctions)
        let groupMap = ordered(groups)
        let roleMap = ordered(functionRoles)
        var members = groupMap.values
        if members[Self.universalGroup] == nil { members[Self.universalGroup] = functionsMap.keys }
        self.members = members
        self.groups = [Self.universalGroup] + groupMap.keys.filter { $0 != Self.universalGroup }
        self.nodes = functionsMap.keys
        self.nodeFunctionMap = functionsMap.values
        self.nodeLines = functionsMap.lines
        self.functionRoleMap = roleMap.values
        self.functions = roleMap.keys
        self.roles = Set(roleMap.values.values.flatMap { $0 }).sorted()
        self.file = file
        var unlisted: [UnlistedGroupMember] = []
        for group in self.groups {
            for node in members[group] ?? [] where functionsMap.values[node] == nil {
                unlisted.append(UnlistedGroupMember(group: group, node: node, file: file, line: groupMap.lines[group] ?? nil))
            }
        }
        self.unlistedGroupMembers = unlisted
    }

    /// Builds a store from ordered literal maps, as `MemoryHostStore(groups=..., ...)` in Python.
    public init(groups: KeyValuePairs<String, [String]>, nodeFunctionMap: KeyValuePairs<String, String>,
                functionRoleMap: KeyValuePairs<String, [String]>) {
        self.init(groups: groups.map { Located(name: $0.key, value: $0.value) },
                  nodeFunctions: nodeFunctionMap.map { Located(name: $0.key, value: $0.value) },
                  functionRoles: functionRoleMap.map { Located(name: $0.key, value: $0.value) })
    }

    /// Builds a store from a parsed inventory.conf, as `hosts_conf` does; a missing section is an error.
    public init(config: InventoryConfig) throws {
        let sections = try config.hostSections()
        self.init(
            groups: sections.groups.map { Located(name: $0.name, value: $0.value, line: $0.line) },
            nodeFunctions: sections.nodeFunctions.map { Located(name: $0.name, value: $0.value, line: $0.line) },
            functionRoles: sections.functionRoles.map { Located(name: $0.name, value: $0.value, line: $0.line) },
            file: config.path)
    }

    public static func == (a: MemoryHostStore, b: MemoryHostStore) -> Bool {
        a.members == b.members && a.nodeFunctionMap == b.nodeFunctionMap && a.functionRoleMap == b.functionRoleMap
            && a.groups == b.groups && a.nodes == b.nodes && a.functions == b.functions
    }

    /// The line of `node`'s node_function_map entry, when known.
    public func line(ofNode node: String) -> Int? { nodeLines[node] ?? nil }

    /// The nodes in `group`, as the group lists them (`universal`: all nodes).
    public func groupMembers(_ group: String) throws -> [String] {
        guard let nodes = members[group] else { throw SiteError("unknown group \(quoted(group))") }
        return nodes
    }

    /// The groups `node` is in: `universal` first, then in definition order. Fails, as the
    /// original's `node_groups` does, while any group lists a node missing from node_function_map.
    public func nodeGroups(_ node: String) throws -> [String] {
        _ = try nodeFunction(node)
        if let unlisted = unlistedGroupMembers.first {
            throw SiteError("group \(quoted(unlisted.group)) lists \(quoted(unlisted.node)), which is not in node_function_map, "
                            + "so no node's groups can be known (add it there or remove it from the group)",
                            file: unlisted.file, line: unlisted.line)
        }
        return groups.flatMap { group in (members[group] ?? []).filter { $0 == node }.map { _ in group } }
    }

    /// The nodes assigned `function`, in node_function_map order; an error when none is.
    public func functionNodes(_ function: String) throws -> [String] {
        let found = nodes.filter { nodeFunctionMap[$0] == function }
        guard !found.isEmpty else { throw SiteError("no node has function \(quoted(function))") }
        return found
    }

    /// The function assigned to `node`.
    public func nodeFunction(_ node: String) throws -> String {
        guard let function = nodeFunctionMap[node] else { throw SiteError("unknown node \(quoted(node))") }
        return function
    }

    /// The roles function_role_map gives `function`; an error when it has no entry.
    public func functionRoles(_ function: String) throws -> [String] {
        guard let roles = functionRoleMap[function] else {
            throw SiteError("function \(quoted(function)) has no entry in function_role_map", file: file)
        }
        return roles
    }

    /// The roles of `node`'s function; an error when the function has no function_role_map entry.
    public func nodeRoles(_ node: String) throws -> [String] {
        let function = try nodeFunction(node)
        guard let roles = functionRoleMap[function] else {
            throw SiteError("node \(quoted(node)) has function \(quoted(function)), which has no entry in function_role_map",
                            file: file, line: line(ofNode: node))
        }
        return roles
    }
}
