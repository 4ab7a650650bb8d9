import AgeFormat
import Foundation

/// A progfiguration site as the original lays it out (see `SiteLayout`): its inventory, read when
/// the site is opened, and its node data, read one node at a time when a command needs it.
/// The site's name is its package directory's name.
public struct Site: Sendable {
    /// Where the site's files are.
    public let layout: SiteLayout
    /// The site's inventory (inventory.py, else inventory.conf).
    public let inventory: SiteInventory

    /// Opens the site `directory` stands for: a project root, a package directory or a directory
    /// with inventory.conf. An error says what was looked for where.
    public init(root directory: URL, currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws {
        guard let layout = try SiteLayout.locate(directory) else {
            throw SiteError("not a site: \(SiteLayout.lookedFor)", file: directory.standardizedFileURL.path)
        }
        try self.init(layout: layout, currentDirectory: currentDirectory)
    }

    /// Opens the site laid out as `layout`.
    public init(layout: SiteLayout, currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws {
        self.layout = layout
        self.inventory = try SiteInventory(layout: layout, currentDirectory: currentDirectory)
    }

    /// Opens the nearest site at or above `directory`.
    public static func discover(from directory: URL) throws -> Site {
        try Site(layout: SiteLayout.discover(from: directory))
    }

    /// The site package directory, under which every site file is.
    public var root: URL { layout.package }

    /// The site's name: the package directory's name.
    public var name: String { root.lastPathComponent }

    /// controller.secrets.json: secrets only the controller can decrypt.
    public var controllerSecretsURL: URL { layout.controllerSecrets }

    /// nodes/NAME.secrets.json for `node`; throws when the name is not a plain file name.
    public func nodeSecretsURL(_ node: String) throws -> URL { try layout.nodeSecrets(node) }

    /// groups/NAME.secrets.json for `group`; throws when the name is not a plain file name.
    public func groupSecretsURL(_ group: String) throws -> URL { try layout.groupSecrets(group) }

    /// Builds the site's host store from its inventory.
    public func hostStore() throws -> MemoryHostStore { try inventory.hostStore() }

    /// The secret store's settings from the inventory.
    public func secretsSettings() throws -> SecretsSettings { try inventory.secretsSettings() }

    /// True when node data exists for `node` (nodes/NAME.py or nodes/NAME.conf).
    public func hasNodeData(_ node: String) throws -> Bool {
        let module = try layout.nodeModule(node).path
        let conf = try layout.nodeConfig(node).path
        return FileManager.default.fileExists(atPath: module) || FileManager.default.fileExists(atPath: conf)
    }

    /// Reads `node`'s data from nodes/NAME.py (or progfig's older nodes/NAME.conf); a node
    /// described by both is an error, as is one described by neither.
    public func nodeData(_ node: String) throws -> NodeData {
        let moduleURL = try layout.nodeModule(node)
        let confURL = try layout.nodeConfig(node)
        let module = try PythonModule(contentsOf: moduleURL)
        let conf = try TextFile.read(confURL)
        switch (module, conf) {
        case (let module?, nil): return try NodeData(node: node, module: module)
        case (nil, let text?): return try NodeData(node: node, parsing: text, path: confURL.path)
        case (_?, _?):
            throw SiteError("node \(quoted(node)) is described by both \(moduleURL.lastPathComponent) and \(confURL.lastPathComponent); keep one",
                            file: moduleURL.path)
        case (nil, nil):
            throw SiteError("no data for node \(quoted(node)): neither \(moduleURL.lastPathComponent) nor \(confURL.lastPathComponent) exists",
                            file: layout.nodesDirectory.path)
        }
    }

    /// A key path as the original uses it: an absolute path as is, a relative one relative to the
    /// current directory.
    public static func keyPath(_ path: String, currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path).standardizedFileURL
            : currentDirectory.appendingPathComponent(path).standardizedFileURL
    }

    /// The version of the current build: `version` in builddata/version.py, or nil when absent.
    public func currentVersion() throws -> String? {
        guard let module = try PythonModule(contentsOf: layout.versionModule),
              let assignment = module.assignment("version") else { return nil }
        guard case .string(let version) = try module.evaluate(assignment.value) else {
            throw module.error("expected a string for version", at: assignment.value.position)
        }
        return version
    }
}

extension Site {
    /// The identities in the controller key file, when the inventory names one
    /// (controller_age_path) that exists and is not passphrase-protected (reading those would ask
    /// for the passphrase) and whose public keys are known here (not a plugin's, such as a
    /// YubiKey's); nil otherwise. Throws a `SiteError` naming the file when it can't be read or
    /// parsed.
    func plainControllerKey() throws -> (path: String, identities: [any Identity])? {
        guard let entry = try secretsSettings().controllerKeyPath else { return nil }
        let path = Site.keyPath(entry).path
        guard let bytes = try SiteFiles.read(URL(fileURLWithPath: path), limit: IdentityFile.maxFileBytes),
              !IdentityFile.isEncrypted(bytes) else { return nil }
        do {
            let identities = try IdentityFile.parse(String(decoding: bytes, as: UTF8.self), name: path)
            return identities.allSatisfy { $0.recipient != nil } ? (path, identities) : nil
        } catch let error as AgeError {
            throw SiteError("controller key does not parse: \(error.message)", file: path)
        }
    }
}
