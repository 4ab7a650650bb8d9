import AgeFormat
import Foundation

/// A progfiguration site: a directory with inventory.conf at its root, plus node, group and
/// controller files at fixed places beneath it. The site's name is the root directory's name.
public struct Site: Sendable {
    /// The site's root directory.
    public let root: URL
    /// The site's parsed inventory.conf.
    public let inventory: InventoryConfig

    /// The name of the inventory file at the root of every site.
    public static let inventoryFileName = "inventory.conf"

    /// Opens the site at `root`, reading its inventory.conf (an error when missing or invalid).
    public init(root: URL) throws {
        let root = root.standardizedFileURL
        let url = root.appendingPathComponent(Self.inventoryFileName)
        guard let text = try TextFile.read(url) else {
            throw SiteError("site has no \(Self.inventoryFileName)", file: url.path)
        }
        self.root = root
        self.inventory = try InventoryConfig(parsing: text, path: url.path)
    }

    /// Opens the nearest site at or above `directory`: the first directory upward holding inventory.conf.
    public static func discover(from directory: URL) throws -> Site {
        let start = directory.standardizedFileURL
        var candidate = start
        while true {
            var isDirectory: ObjCBool = false
            let path = candidate.appendingPathComponent(inventoryFileName).path
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return try Site(root: candidate)
            }
            let parent = candidate.deletingLastPathComponent().standardizedFileURL
            if parent.path == candidate.path {
                throw SiteError("no \(inventoryFileName) in \(start.path) or any directory above it")
            }
            candidate = parent
        }
    }

    /// The site's name: the root directory's last path component.
    public var name: String { root.lastPathComponent }

    /// The site's inventory.conf.
    public var inventoryURL: URL { root.appendingPathComponent(Self.inventoryFileName) }

    /// controller.secrets.json: secrets only the controller can decrypt.
    public var controllerSecretsURL: URL { root.appendingPathComponent("controller.secrets.json") }

    /// nodes/NAME.conf for `node`; throws when the name is not a plain file name.
    public func nodeConfURL(_ node: String) throws -> URL {
        try file(in: "nodes", name: node, kind: "node", suffix: ".conf")
    }

    /// nodes/NAME.secrets.json for `node`; throws when the name is not a plain file name.
    public func nodeSecretsURL(_ node: String) throws -> URL {
        try file(in: "nodes", name: node, kind: "node", suffix: ".secrets.json")
    }

    /// groups/NAME.conf for `group`; throws when the name is not a plain file name.
    public func groupConfURL(_ group: String) throws -> URL {
        try file(in: "groups", name: group, kind: "group", suffix: ".conf")
    }

    /// groups/NAME.secrets.json for `group`; throws when the name is not a plain file name.
    public func groupSecretsURL(_ group: String) throws -> URL {
        try file(in: "groups", name: group, kind: "group", suffix: ".secrets.json")
    }

    private func file(in directory: String, name: String, kind: String, suffix: String) throws -> URL {
        try SiteName.check(name, kind: kind)
        return root.appendingPathComponent(directory).appendingPathComponent(name + suffix)
    }

    /// Builds the site's host store from inventory.conf.
    public func hostStore() throws -> MemoryHostStore {
        try MemoryHostStore(config: inventory)
    }

    /// Reads nodes/NAME.conf for `node`.
    public func nodeData(_ node: String) throws -> NodeData {
        try NodeData(node: node, contentsOf: nodeConfURL(node))
    }

    /// Resolves a path from a config file as the original does: an absolute path is kept; a relative
    /// one resolves against the site root if a file exists there, else against `currentDirectory` if
    /// one exists there, else to the site-root form.
    public func resolve(path: String, currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> URL {
        if path.hasPrefix("/") {
            return URL(fileURLWithPath: path).standardizedFileURL
        }
        let underRoot = root.appendingPathComponent(path).standardizedFileURL
        if FileManager.default.fileExists(atPath: underRoot.path) {
            return underRoot
        }
        let underCurrent = currentDirectory.appendingPathComponent(path).standardizedFileURL
        if FileManager.default.fileExists(atPath: underCurrent.path) {
            return underCurrent
        }
        return underRoot
    }

    /// The version of the current build: builddata/version, trimmed, or nil when absent or empty.
    public func currentVersion() throws -> String? {
        let url = root.appendingPathComponent("builddata").appendingPathComponent("version")
        let version = try TextFile.read(url)?.trimmingCharacters(in: .whitespacesAndNewlines)
        return version?.isEmpty == false ? version : nil
    }
}

extension Site {
    /// The identities in the controller key file, when `controller_age_path` names a file that
    /// exists and is not passphrase-protected (reading those would ask for the passphrase); nil
    /// otherwise. Throws a `SiteError` naming the file when it can't be read or parsed.
    func plainControllerKey() throws -> (path: String, identities: [any Identity])? {
        guard let entry = inventory.controllerAgePath else { return nil }
        let path = resolve(path: entry.value).path
        guard let bytes = try SiteFiles.read(URL(fileURLWithPath: path)), !IdentityFile.isEncrypted(bytes) else { return nil }
        do {
            return (path, try IdentityFile.parse(String(decoding: bytes, as: UTF8.self), name: path))
        } catch let error as AgeError {
            throw SiteError("controller key does not parse: \(error.message)", file: path)
        }
    }
}

