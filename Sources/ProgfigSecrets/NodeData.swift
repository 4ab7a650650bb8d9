import Foundation

/// A node's data: how to reach it and its site data, where the age key settings are typed and
/// everything else is kept as strings. Read from nodes/NAME.py (`node = InventoryNode(...)`, as
/// the original keeps it) or from progfig's older nodes/NAME.conf (`[node]`, `[sitedata]`).
public struct NodeData: Equatable, Sendable {
    /// The node's name.
    public let name: String
    /// The path of the file, shown in error messages.
    public let path: String
    /// How to reach the node (address, user, ssh_host_fingerprint, …) as strings.
    public let nodeSection: [String: String]
    /// sitedata's `age_pubkey`: the node's public key.
    public let agePubkey: String?
    /// The line `age_pubkey` is on, for errors that must not quote it.
    public let agePubkeyLine: Int?
    /// sitedata's `age_key_path`: where the node keeps its key.
    public let ageKeyPath: String?
    /// The node's SSH host key fingerprint as `ssh-keygen -l` prints it (`SHA256:…`): the
    /// InventoryNode's `ssh_host_fingerprint` (in a .conf file, `[node]` or `[sitedata]`); nil when
    /// absent or empty. `validate` checks it against an SSH `age_pubkey`.
    public let sshHostFingerprint: String?
    /// Every other sitedata entry whose value is a string.
    public let sitedata: [String: String]

    /// Parses nodes/NAME.conf text for node `name`, naming `path` in errors.
    public init(node name: String, parsing contents: String, path: String) throws {
        let ini = try IniFile(parsing: contents, path: path)
        self.name = name
        self.path = path
        let node = try ini.section("node")?.entries ?? []
        nodeSection = Dictionary(node.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        let site = try ini.section("sitedata")
        agePubkey = site?["age_pubkey"]
        agePubkeyLine = site?.entry("age_pubkey")?.line
        ageKeyPath = site?["age_key_path"]
        sshHostFingerprint = Self.nonEmpty(nodeSection["ssh_host_fingerprint"] ?? site?["ssh_host_fingerprint"])
        let typed: Set<String> = ["age_pubkey", "age_key_path", "ssh_host_fingerprint"]
        let others = (site?.entries ?? []).filter { !typed.contains($0.key) }
        sitedata = Dictionary(others.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// Reads `node = InventoryNode(address, ssh_host_fingerprint, roles, user, sitedata)` from a
    /// node module. age_pubkey and age_key_path must evaluate (an error naming file:line:column
    /// otherwise); other fields are kept when they evaluate to strings, and roles are never evaluated.
    public init(node name: String, module: PythonModule) throws {
        self.name = name
        self.path = module.path
        guard let call = try module.callArguments(
            of: "node", positions: ["InventoryNode": ["address", "ssh_host_fingerprint", "roles", "user", "sitedata"]]) else {
            throw SiteError("node module assigns no 'node'", file: module.path)
        }
        guard call.functionName == "InventoryNode" else {
            throw module.error("expected node = InventoryNode(...)", at: call.position)
        }
        var reach: [String: String] = [:]
        for key in ["address", "user", "ssh_host_fingerprint"] {
            if let text = (try? call.value(key))??.text { reach[key] = text }
        }
        if reach["user"] == nil && call.arguments["user"] == nil { reach["user"] = "root" }
        nodeSection = reach
        sshHostFingerprint = Self.nonEmpty(reach["ssh_host_fingerprint"])
        var sitedataEntries: [(key: String, value: PythonExpression)] = []
        if let expression = call.arguments["sitedata"] {
            switch expression {
            case .dict(let entries, _):
                for entry in entries {
                    guard case .string(let key) = try module.evaluate(entry.key) else { continue }
                    sitedataEntries.append((key, entry.value))
                }
            case .call(let function, let arguments, let keywords, _) where function.dottedName == "dict" && arguments.isEmpty:
                sitedataEntries = keywords.map { ($0.name, $0.value) }
            default:
                if case .dict(let entries) = try module.evaluate(expression) {
                    for entry in entries {
                        if case .string(let key) = entry.key { sitedataEntries.append((key, .string(entry.value.text ?? "", expression.position))) }
                    }
                }
            }
        }
        func required(_ key: String) throws -> String? {
            guard let expression = sitedataEntries.last(where: { $0.key == key })?.value else { return nil }
            guard let text = try module.evaluate(expression).text else {
                throw module.error("expected a string for sitedata's \(key)", at: expression.position)
            }
            return text
        }
        agePubkey = try required("age_pubkey")
        agePubkeyLine = sitedataEntries.last(where: { $0.key == "age_pubkey" })?.value.position.line
        ageKeyPath = try required("age_key_path")
        var others: [String: String] = [:]
        for entry in sitedataEntries where entry.key != "age_pubkey" && entry.key != "age_key_path" {
            if case .string(let text)? = try? module.evaluate(entry.value) { others[entry.key] = text }
        }
        sitedata = others
    }

    private static func nonEmpty(_ text: String?) -> String? { text?.isEmpty == false ? text : nil }
}
