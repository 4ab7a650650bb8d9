import Foundation

/// Where a site's files are: the one place progfig spells out the original's layout.
///
/// A site is a Python package directory (`src/NAME/` or `NAME/` under a project root holding
/// `pyproject.toml`, or a plain directory) holding `inventory.py` and/or `inventory.conf`,
/// `nodes/NAME.py` (or progfig's older `nodes/NAME.conf`), `nodes/NAME.secrets.json`,
/// `groups/NAME.secrets.json`, `controller.secrets.json` and `builddata/version.py`.
public struct SiteLayout: Equatable, Sendable {
    /// The site package directory; every other path is beneath it.
    public let package: URL

    /// The inventory module's file name.
    public static let inventoryModuleName = "inventory.py"
    /// The inventory configuration's file name.
    public static let inventoryConfigName = "inventory.conf"
    /// The Python project file at a project root.
    public static let projectFileName = "pyproject.toml"

    /// The layout of the package at `package`.
    public init(package: URL) {
        self.package = package.standardizedFileURL
    }

    /// The layout a new site named `name` gets under the project root `root`: `root/src/NAME/`.
    public static func newSite(root: URL, name: String) -> SiteLayout {
        SiteLayout(package: root.appendingPathComponent("src").appendingPathComponent(name))
    }

    /// inventory.py.
    public var inventoryModule: URL { package.appendingPathComponent(Self.inventoryModuleName) }
    /// inventory.conf in the package.
    public var inventoryConfig: URL { package.appendingPathComponent(Self.inventoryConfigName) }
    /// nodes/.
    public var nodesDirectory: URL { package.appendingPathComponent("nodes") }
    /// groups/.
    public var groupsDirectory: URL { package.appendingPathComponent("groups") }
    /// builddata/.
    public var builddataDirectory: URL { package.appendingPathComponent("builddata") }
    /// builddata/version.py, written by the original's builds: `version = "..."`.
    public var versionModule: URL { builddataDirectory.appendingPathComponent("version.py") }
    /// controller.secrets.json: secrets only the controller can decrypt.
    public var controllerSecrets: URL { package.appendingPathComponent("controller.secrets.json") }

    /// nodes/NAME.py, the node's data as the original keeps it.
    public func nodeModule(_ node: String) throws -> URL { try file(nodesDirectory, node, "node", ".py") }
    /// nodes/NAME.conf, progfig's older form of node data.
    public func nodeConfig(_ node: String) throws -> URL { try file(nodesDirectory, node, "node", ".conf") }
    /// nodes/NAME.secrets.json.
    public func nodeSecrets(_ node: String) throws -> URL { try file(nodesDirectory, node, "node", ".secrets.json") }
    /// groups/NAME.secrets.json.
    public func groupSecrets(_ group: String) throws -> URL { try file(groupsDirectory, group, "group", ".secrets.json") }

    private func file(_ directory: URL, _ name: String, _ kind: String, _ suffix: String) throws -> URL {
        try SiteName.check(name, kind: kind)
        return directory.appendingPathComponent(name + suffix)
    }

    /// The site package `directory` stands for: `directory` itself when it holds inventory.py or
    /// inventory.conf; else, when it holds pyproject.toml, its `src/NAME/` or `NAME/` that does
    /// (NAME from the project name first, else the only such directory); else nil.
    public static func locate(_ directory: URL) throws -> SiteLayout? {
        let directory = directory.standardizedFileURL
        if isPackage(directory) { return SiteLayout(package: directory) }
        let project = directory.appendingPathComponent(projectFileName)
        guard isFile(project) else { return nil }
        var candidates: [URL] = []
        if let name = try projectName(project) {
            candidates = [directory.appendingPathComponent("src").appendingPathComponent(name), directory.appendingPathComponent(name)]
            if let found = candidates.first(where: isPackage) { return SiteLayout(package: found) }
        }
        var found: [URL] = []
        for parent in [directory.appendingPathComponent("src"), directory] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") {
                let candidate = parent.appendingPathComponent(name)
                if isPackage(candidate) { found.append(candidate) }
            }
        }
        guard found.count <= 1 else {
            throw SiteError("several site packages here: \(found.map(\.lastPathComponent).joined(separator: ", ")); name one with --site",
                            file: directory.path)
        }
        return found.first.map(SiteLayout.init(package:))
    }

    /// The nearest site at or above `directory`.
    public static func discover(from directory: URL) throws -> SiteLayout {
        let start = directory.standardizedFileURL
        var candidate = start
        while true {
            if let layout = try locate(candidate) { return layout }
            let parent = candidate.deletingLastPathComponent().standardizedFileURL
            if parent.path == candidate.path {
                throw SiteError("no site in \(start.path) or any directory above it: \(lookedFor)")
            }
            candidate = parent
        }
    }

    /// What `locate` looks for, for error messages.
    public static let lookedFor = "looked for \(inventoryModuleName) or \(inventoryConfigName), "
        + "or a \(projectFileName) with src/NAME/ or NAME/ holding one"

    private static func isFile(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    private static func isPackage(_ directory: URL) -> Bool {
        isFile(directory.appendingPathComponent(inventoryModuleName)) || isFile(directory.appendingPathComponent(inventoryConfigName))
    }

    /// `[project] name` from pyproject.toml, as an importable package name ('-' and '.' as '_').
    private static func projectName(_ url: URL) throws -> String? {
        guard let text = try TextFile.read(url) else { return nil }
        var inProject = false
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") { inProject = trimmed == "[project]"; continue }
            guard inProject, trimmed.hasPrefix("name"), let equals = trimmed.firstIndex(of: "=") else { continue }
            guard trimmed[..<equals].trimmingCharacters(in: .whitespaces) == "name" else { continue }
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard value.count >= 2, let quote = value.first, quote == "\"" || quote == "'",
                  let close = value.dropFirst().firstIndex(of: quote) else { return nil }
            let name = value[value.index(after: value.startIndex)..<close]
            return String(name.map { $0 == "-" || $0 == "." ? "_" : $0 })
        }
        return nil
    }
}
