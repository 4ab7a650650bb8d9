import AgeFormat
import ArgumentParser
import Foundation
import ProgfigSecrets
import SecureIO

/// The site a site command works on, found from `--site`, `PROGFIG_SITE` or the working directory,
/// and the stores built from it with the command line's key options.
struct SiteContext {
    /// The environment variable naming the site directory when `--site` is not given.
    static let siteVariable = "PROGFIG_SITE"
    /// The secret store arguments progfig understands (as the original's `--secret-store-arguments`).
    static let storeArgumentKeys = ["age_key"]

    let site: Site
    let global: GlobalOptions

    /// Opens the site named by `global.site`, else `$PROGFIG_SITE`, else the nearest site upward
    /// from the working directory; each may be a project root, a package directory or a directory
    /// with inventory.conf.
    init(_ global: GlobalOptions) throws {
        self.global = global
        let environment = ProcessInfo.processInfo.environment
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        if let dir = global.site ?? environment[Self.siteVariable].flatMap({ $0.isEmpty ? nil : $0 }) {
            site = try Site(root: URL(fileURLWithPath: dir, relativeTo: cwd))
        } else {
            site = try Site.discover(from: cwd)
        }
    }

    /// The site's host store.
    func hostStore() throws -> MemoryHostStore { try site.hostStore() }

    /// The site's secret store; `actingAsNode` adds that node's own key path to the keys tried.
    func secretStore(actingAsNode node: String? = nil) throws -> AgeSecretStore {
        let arguments = global.secretStoreArguments?.values ?? [:]
        for key in arguments.keys.sorted() where !Self.storeArgumentKeys.contains(key) {
            throw ValidationError("unknown secret store argument \"\(key)\"; known: \(Self.storeArgumentKeys.joined(separator: ", "))")
        }
        let keyPaths = arguments["age_key"].map { [$0] + global.ageKeys } ?? global.ageKeys
        let quiet = global.quiet
        var options = SecretStoreOptions.from(
            keyPaths: keyPaths, environment: ProcessInfo.processInfo.environment, actingAsNode: node,
            passphrase: { try PassphraseSource().passphrase(prompt: "Enter passphrase for the age key: ") },
            warn: { if !quiet { Output.note("warning: \($0)") } })
        options.pluginUI = TerminalPluginUI.make()
        let store = try AgeSecretStore(site: site, options: options)
        if global.verbose {
            Output.note("decryption keys tried in order: \(store.keys.locations.map(\.description).joined(separator: ", "))")
        }
        return store
    }
}

/// Where commands write: values to standard output exactly as stored, notes to standard error.
/// A failed write to standard output (a full disk, a closed pipe) is an error like any other.
enum Output {
    /// Writes `bytes` to standard output unchanged.
    static func raw(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try raw($0) }
    }

    /// Writes `bytes` to standard output unchanged.
    static func raw(_ bytes: UnsafeRawBufferPointer) throws {
        var out = FileDescriptorSink(fd: STDOUT_FILENO, name: "standard output")
        try out.write(bytes)
    }

    /// Writes a line to standard output.
    static func line(_ text: String) throws {
        try raw(Array((text + "\n").utf8))
    }

    /// Writes an informational line to standard error (suppressed by callers under --quiet).
    static func note(_ text: String) {
        standardError("progfig: \(text)\n")
    }

    /// Writes `text` to standard error. Nothing can be reported when standard error itself
    /// fails, so that failure is ignored.
    static func standardError(_ text: String) {
        var err = FileDescriptorSink(fd: STDERR_FILENO, name: "standard error")
        try? Array(text.utf8).withUnsafeBytes { try err.write($0) }
    }
}

/// `-n/--nodes`, `-g/--groups`, `-c/--controller` as the secret commands take them: comma-separated
/// or repeated.
struct CollectionSelection {
    let nodes: [String]
    let groups: [String]
    let controller: Bool

    /// Splits each value on commas and drops empty names, keeping the order given.
    static func names(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.flatMap { $0.split(separator: ",").map(String.init) }.filter { seen.insert($0).inserted }
    }

    init(nodes: [String], groups: [String], controller: Bool) {
        self.nodes = Self.names(nodes)
        self.groups = Self.names(groups)
        self.controller = controller
    }

    var isEmpty: Bool { nodes.isEmpty && groups.isEmpty && !controller }

    /// The named collections: nodes, then groups, then the controller.
    var collections: [SecretCollection] {
        nodes.map { .node($0) } + groups.map { .group($0) } + (controller ? [.controller] : [])
    }
}
