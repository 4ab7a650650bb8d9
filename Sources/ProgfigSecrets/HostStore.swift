/// The site's hosts: nodes, the groups they belong to, their functions and roles
/// (progfiguration's `HostStore` protocol). Unknown names passed to lookups throw `SiteError`.
public protocol HostStore: Sendable {
    /// All group names, the implicit group `universal` (every node) first.
    var groups: [String] { get }
    /// All node names, sorted.
    var nodes: [String] { get }
    /// All function names, sorted.
    var functions: [String] { get }
    /// All distinct role names, sorted.
    var roles: [String] { get }
    /// The nodes in `group`.
    func groupMembers(_ group: String) throws -> [String]
    /// The groups `node` is in, `universal` first.
    func nodeGroups(_ node: String) throws -> [String]
    /// The nodes assigned `function`, sorted.
    func functionNodes(_ function: String) throws -> [String]
    /// The function assigned to `node`.
    func nodeFunction(_ node: String) throws -> String
    /// The roles of `function`: its function_role_map entry, else the `default` entry.
    func functionRoles(_ function: String) throws -> [String]
    /// The roles `node` runs (Python's `node_rolename_list`).
    func nodeRoles(_ node: String) throws -> [String]
}
