import Foundation

/// The parsed inventory.conf of a site: secrets settings, groups, node functions, function roles and
/// the version rule (Python's `hosts_conf`/`secrets_conf` input). Unknown sections are ignored.
///
/// Every entry keeps its line number and the config keeps its path, so later validation (for example
/// by `MemoryHostStore`) can point at the offending line.
public struct InventoryConfig: Equatable, Sendable {
    /// One named setting from the file with the line its key is on.
    public struct Entry<Value: Equatable & Sendable>: Equatable, Sendable {
        /// The key (lowercased, as `IniFile` gives it).
        public let name: String
        /// The parsed value.
        public let value: Value
        /// The 1-based line number of the key.
        public let line: Int

        /// Creates an entry.
        public init(name: String, value: Value, line: Int) {
            self.name = name
            self.value = value
            self.line = line
        }
    }

    /// The path of the file, shown in error messages.
    public let path: String
    /// `[secrets] controller_age_path`: where the controller's age identity lives.
    public let controllerAgePath: Entry<String>?
    /// `[secrets] controller_age_pub`: the controller's age recipient, usable without its identity.
    public let controllerAgePub: Entry<String>?
    /// `[secrets] node_fallback_age_path`: the default location of a node's age identity.
    public let nodeFallbackAgePath: Entry<String>?
    /// `[secrets] node_ssh_host_key_path`: the SSH host key a node may also decrypt with (default
    /// /etc/ssh/ssh_host_ed25519_key; an empty value turns it off).
    public let nodeSSHHostKeyPath: Entry<String>?
    /// `[groups]`: each group with its member nodes, in file order.
    public let groups: [Entry<[String]>]
    /// `[node_function_map]`: each node with its one function, in file order.
    public let nodeFunctions: [Entry<String>]
    /// `[function_role_map]`: each function (or `default`) with its roles, in file order.
    public let functionRoles: [Entry<[String]>]
    /// `[version]`: how to mint versions; `VersionRule.standard` when the section is absent.
    public let version: VersionRule

    /// Reads and parses the inventory file at `url`.
    public init(contentsOf url: URL) throws {
        try self.init(ini: IniFile(contentsOf: url))
    }

    /// Parses inventory text, naming `path` in errors.
    public init(parsing contents: String, path: String) throws {
        try self.init(ini: IniFile(parsing: contents, path: path))
    }

    /// Interprets an already-parsed INI file as an inventory.
    public init(ini: IniFile) throws {
        path = ini.path
        let secrets = ini.section("secrets")
        func secret(_ key: String) -> Entry<String>? {
            secrets?.entry(key).map { Entry(name: $0.key, value: $0.value, line: $0.line) }
        }
        controllerAgePath = secret("controller_age_path")
        controllerAgePub = secret("controller_age_pub")
        nodeFallbackAgePath = secret("node_fallback_age_path")
        nodeSSHHostKeyPath = secret("node_ssh_host_key_path")
        groups = (ini.section("groups")?.entries ?? []).map {
            Entry(name: $0.key, value: IniFile.splitList($0.value), line: $0.line)
        }
        nodeFunctions = try (ini.section("node_function_map")?.entries ?? []).map { entry in
            let functions = IniFile.splitList(entry.value)
            guard functions.count == 1 else {
                throw SiteError(
                    "node \(quoted(entry.key)) must map to exactly one function, found \(functions.count)",
                    file: ini.path, line: entry.line)
            }
            return Entry(name: entry.key, value: functions[0], line: entry.line)
        }
        functionRoles = (ini.section("function_role_map")?.entries ?? []).map {
            Entry(name: $0.key, value: IniFile.splitList($0.value), line: $0.line)
        }
        version = try ini.section("version").map { try Self.versionRule(from: $0, path: ini.path) } ?? .standard
    }

    /// `[groups]` as a dictionary of group name to members.
    public var groupMap: [String: [String]] {
        Dictionary(groups.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// `[node_function_map]` as a dictionary of node name to function.
    public var nodeFunctionMap: [String: String] {
        Dictionary(nodeFunctions.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// `[function_role_map]` as a dictionary of function name to roles.
    public var functionRoleMap: [String: [String]] {
        Dictionary(functionRoles.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// Reads `[version]`: either `major` and `minor` integers, or `env = NAME`, and nothing else.
    private static func versionRule(from section: IniFile.Section, path: String) throws -> VersionRule {
        if let unknown = section.entries.first(where: { !["major", "minor", "env"].contains($0.key) }) {
            throw SiteError(
                "unknown key \(quoted(unknown.key)) in [version]; expected 'major' and 'minor', or 'env'",
                file: path, line: unknown.line)
        }
        if let env = section.entry("env") {
            if let other = section.entry("major") ?? section.entry("minor") {
                throw SiteError("[version] takes either 'env' or 'major'/'minor', not both", file: path, line: other.line)
            }
            guard !env.value.isEmpty, !env.value.contains(where: \.isWhitespace) else {
                throw SiteError("expected one environment variable name for 'env'", file: path, line: env.line)
            }
            return .environment(variable: env.value)
        }
        func number(_ key: String) throws -> Int {
            guard let entry = section.entry(key) else {
                throw SiteError("[version] needs '\(key)' (or 'env = NAME')", file: path, line: section.line)
            }
            guard !entry.value.isEmpty, entry.value.allSatisfy(\.isASCII), entry.value.allSatisfy(\.isNumber),
                let value = Int(entry.value)
            else {
                throw SiteError("expected a non-negative integer for '\(key)', found \(quoted(entry.value))", file: path, line: entry.line)
            }
            return value
        }
        return .epoch(major: try number("major"), minor: try number("minor"))
    }
}
