import Foundation

/// A node's own configuration file, nodes/NAME.conf: how to reach it (`[node]`) and its site data
/// (`[sitedata]`), where the age key settings are typed and everything else is kept as strings.
public struct NodeData: Equatable, Sendable {
    /// The node's name.
    public let name: String
    /// The path of the file, shown in error messages.
    public let path: String
    /// Every `[node]` key (address, user, …) with its string value; empty when the section is absent.
    public let nodeSection: [String: String]
    /// `[sitedata] age_pubkey`: the node's age recipient.
    public let agePubkey: String?
    /// The line `age_pubkey` is on, for errors that must not quote it.
    public let agePubkeyLine: Int?
    /// `[sitedata] age_key_path`: where the node keeps its age identity.
    public let ageKeyPath: String?
    /// `[sitedata] ssh_host_fingerprint`: the node's SSH host key fingerprint as `ssh-keygen -l`
    /// prints it (`SHA256:…`), checked by `validate` against an SSH `age_pubkey`.
    public let sshHostFingerprint: String?
    /// Every other `[sitedata]` key with its string value.
    public let sitedata: [String: String]

    /// Reads nodes/NAME.conf for node `name`; a missing file is an error naming the node and path.
    public init(node name: String, contentsOf url: URL) throws {
        guard let text = try TextFile.read(url) else {
            throw SiteError("no configuration file for node \(quoted(name))", file: url.path)
        }
        try self.init(node: name, parsing: text, path: url.path)
    }

    /// Parses node configuration text for node `name`, naming `path` in errors.
    public init(node name: String, parsing contents: String, path: String) throws {
        let ini = try IniFile(parsing: contents, path: path)
        self.name = name
        self.path = path
        let node = ini.section("node")?.entries ?? []
        nodeSection = Dictionary(uniqueKeysWithValues: node.map { ($0.key, $0.value) })
        let site = ini.section("sitedata")
        agePubkey = site?["age_pubkey"]
        agePubkeyLine = site?.entry("age_pubkey")?.line
        ageKeyPath = site?["age_key_path"]
        sshHostFingerprint = site?["ssh_host_fingerprint"]
        let typed: Set<String> = ["age_pubkey", "age_key_path", "ssh_host_fingerprint"]
        let others = (site?.entries ?? []).filter { !typed.contains($0.key) }
        sitedata = Dictionary(uniqueKeysWithValues: others.map { ($0.key, $0.value) })
    }
}
