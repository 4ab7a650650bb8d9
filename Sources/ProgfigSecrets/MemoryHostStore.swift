/// A `HostStore` held in memory, built from maps or from an inventory.conf (Python's `MemoryHostStore`).
///
/// `groups` lists `universal` first, then the other groups sorted by name (not in file order, so both
/// ways of building a store give the same answers). A node whose function has no roles entry gets the
/// `default` entry's roles. A group member missing from the node-function map is left out of the group,
/// as in the original, and listed in `unlistedGroupMembers` for `validate`. Construction fails on a group
/// named `universal` or a node or group name that is not a plain file name.
public struct MemoryHostStore: HostStore, Equatable {
    /// The implicit group holding every node.
    public static let universalGroup = "universal"
    /// The function-role entry used for functions without their own entry.
    public static let defaultFunction = "default"

    private let members: [String: [String]]
    private let nodeFunctionMap: [String: String]
    private let functionRoleMap: [String: [String]]

    /// All group names: `universal` first, then the others sorted.
    public let groups: [String]
    /// All node names (the keys of the node-function map), sorted.
    public let nodes: [String]
    /// Functions assigned to nodes or given roles (the `default` entry excepted), sorted.
    public let functions: [String]
    /// All distinct role names in the function-role map, `default` entry included, sorted.
    public let roles: [String]
    /// Group members that are not in the node-function map, and so were left out of their groups.
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

    /// Builds a store from maps, as a site's inventory module would in Python.
    public init(groups: [String: [String]], nodeFunctionMap: [String: String], functionRoleMap: [String: [String]]) throws {
        try self.init(
            groups: groups.sorted { $0.key < $1.key }.map { Located(name: $0.key, value: $0.value, line: nil) },
            nodeFunctions: nodeFunctionMap.sorted { $0.key < $1.key }.map { Located(name: $0.key, value: $0.value, line: nil) },
            functionRoles: functionRoleMap.map { Located(name: $0.key, value: $0.value, line: nil) },
            file: nil)
    }

    /// Builds a store from a parsed inventory.conf; validation errors name its file and line.
    public init(config: InventoryConfig) throws {
        try self.init(
            groups: config.groups.map { Located(name: $0.name, value: $0.value, line: $0.line) },
            nodeFunctions: config.nodeFunctions.map { Located(name: $0.name, value: $0.value, line: $0.line) },
            functionRoles: config.functionRoles.map { Located(name: $0.name, value: $0.value, line: $0.line) },
            file: config.path)
    }

    private struct Located<Value> {
        let name: String
        let value: Value
        let line: Int?
    }

    private init(
        groups: [Located<[String]>], nodeFunctions: [Located<String>], functionRoles: [Located<[String]>], file: String?
    ) throws {
        var nodeFunctionMap: [String: String] = [:]
        for entry in nodeFunctions {
            try SiteName.check(entry.name, kind: "node", file: file, line: entry.line)
            nodeFunctionMap[entry.name] = entry.value
        }
        let nodes = nodeFunctionMap.keys.sorted()
        var members: [String: [String]] = [Self.universalGroup: nodes]
        var unlisted: [UnlistedGroupMember] = []
        for group in groups {
            try SiteName.check(group.name, kind: "group", file: file, line: group.line)
            guard group.name != Self.universalGroup else {
                throw SiteError("group \"universal\" is implicit (it holds every node) and cannot be defined", file: file, line: group.line)
            }
            let groupNodes = Self.distinct(group.value)
            for node in groupNodes where nodeFunctionMap[node] == nil {
                unlisted.append(UnlistedGroupMember(group: group.name, node: node, file: file, line: group.line))
            }
            members[group.name] = groupNodes.filter { nodeFunctionMap[$0] != nil }
        }
        self.members = members
        self.unlistedGroupMembers = unlisted
        self.nodeFunctionMap = nodeFunctionMap
        self.functionRoleMap = Dictionary(functionRoles.map { ($0.name, Self.distinct($0.value)) }, uniquingKeysWith: { first, _ in first })
        self.nodes = nodes
        self.groups = [Self.universalGroup] + members.keys.filter { $0 != Self.universalGroup }.sorted()
        let namedFunctions = functionRoles.map(\.name).filter { $0 != Self.defaultFunction }
        self.functions = Set(namedFunctions + nodeFunctionMap.values).sorted()
        self.roles = Set(functionRoles.flatMap(\.value)).sorted()
    }

    private static func distinct(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// The nodes in `group`, in the order the group lists them (`universal`: all nodes, sorted).
    public func groupMembers(_ group: String) throws -> [String] {
        guard let nodes = members[group] else { throw SiteError("unknown group \(quoted(group))") }
        return nodes
    }

    /// The groups `node` is in: `universal` first, then the others sorted.
    public func nodeGroups(_ node: String) throws -> [String] {
        _ = try nodeFunction(node)
        return groups.filter { members[$0]?.contains(node) == true }
    }

    /// The nodes assigned `function`, sorted.
    public func functionNodes(_ function: String) throws -> [String] {
        guard functions.contains(function) else { throw SiteError("unknown function \(quoted(function))") }
        return nodes.filter { nodeFunctionMap[$0] == function }
    }

    /// The function assigned to `node`.
    public func nodeFunction(_ node: String) throws -> String {
        guard let function = nodeFunctionMap[node] else { throw SiteError("unknown node \(quoted(node))") }
        return function
    }

    /// The roles of `function`, else the `default` entry's roles; an error when neither exists.
    public func functionRoles(_ function: String) throws -> [String] {
        guard functions.contains(function) else { throw SiteError("unknown function \(quoted(function))") }
        if let roles = functionRoleMap[function] ?? functionRoleMap[Self.defaultFunction] {
            return roles
        }
        throw SiteError("function \(quoted(function)) has no entry in function_role_map, and there is no \"default\" entry")
    }

    /// The roles of `node`'s function, else the `default` entry's roles; an error when neither exists.
    public func nodeRoles(_ node: String) throws -> [String] {
        let function = try nodeFunction(node)
        if let roles = functionRoleMap[function] ?? functionRoleMap[Self.defaultFunction] {
            return roles
        }
        throw SiteError(
            "node \(quoted(node)) has function \(quoted(function)), which has no entry in function_role_map, and there is no \"default\" entry")
    }
}
