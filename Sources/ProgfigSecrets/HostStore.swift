/// The site's hosts: nodes, the groups they belong to, their functions and roles
/// (progfiguration's `HostStore` protocol). Unknown names passed to lookups throw `SiteError`.
public protocol HostStore: Sendable {
    /// All group names, the implicit group `universal` (every node) first, then in definition order.
    var groups: [String] { get }
    /// All node names, in node_function_map order.
    var nodes: [String] { get }
    /// All function names: the keys of function_role_map (`default` included), in order.
    var functions: [String] { get }
    /// All distinct role names, sorted.
    var roles: [String] { get }
    /// The nodes in `group`, as the group lists them.
    func groupMembers(_ group: String) throws -> [String]
    /// The groups `node` is in, `universal` first, then in definition order.
    func nodeGroups(_ node: String) throws -> [String]
    /// The nodes assigned `function`, in node_function_map order.
    func functionNodes(_ function: String) throws -> [String]
    /// The function assigned to `node`.
    func nodeFunction(_ node: String) throws -> String
    /// The roles function_role_map gives `function`.
    func functionRoles(_ function: String) throws -> [String]
    /// The roles `node` runs (Python's `node_rolename_list`).
    func nodeRoles(_ node: String) throws -> [String]
}
