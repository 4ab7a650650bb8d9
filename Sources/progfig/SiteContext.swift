import ArgumentParser
import Foundation
import ProgfigSecrets

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
