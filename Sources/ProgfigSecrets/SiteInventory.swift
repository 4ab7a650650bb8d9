import Foundation

/// What a site's inventory says, read from inventory.py (statically) or, for a site without one,
/// from inventory.conf: how to build the host store and the secret store, and how to mint
/// versions. Each part is evaluated only when a command asks for it.
public struct SiteInventory: Sendable {
    /// The file that defines the inventory: inventory.py, else inventory.conf.
    public let path: String
    private let hosts: Definition
    private let secrets: Definition
    private let versions: VersionDefinition

    private enum Definition: Sendable {
        /// From an inventory.conf (`hosts_conf`/`secrets_conf`, or a site without inventory.py).
        case config(InventoryConfig)
        /// A store constructed in place in inventory.py.
        case call(CallArguments)
        /// An assignment progfig cannot read, or none: the error to give when it is needed.
        case unreadable(SiteError)
    }

    private enum VersionDefinition: Sendable {
        case rule(VersionRule)
        case unreadable(SiteError)
    }

    /// The inventory of the package laid out as `layout`; `currentDirectory` is where relative
    /// `hosts_conf`/`secrets_conf` paths are looked for after the package.
    init(layout: SiteLayout, currentDirectory: URL) throws {
        if let module = try PythonModule(contentsOf: layout.inventoryModule) {
            path = module.path
            var configs: [String: InventoryConfig] = [:]
            func definition(_ name: String, helper: String, constructor: String, positions: [String]) throws -> Definition {
                guard let call = try module.callArguments(of: name, positions: [helper: ["cfg"], constructor: positions]) else {
                    return .unreadable(SiteError("inventory.py assigns no '\(name)'", file: module.path))
                }
                switch call.functionName {
                case helper:
                    guard let argument = try call.value("cfg"), let text = argument.text else {
                        return .unreadable(module.error("\(helper) needs the path of a configuration file", at: call.position))
                    }
                    let url = Self.configURL(text, layout: layout, currentDirectory: currentDirectory)
                    if let config = configs[url.path] { return .config(config) }
                    guard let text = try TextFile.read(url) else {
                        throw module.error("\(helper)(\(quoted(text))): no such file (looked in \(layout.package.path) and the current directory)",
                                           at: call.position(of: "cfg"))
                    }
                    let config = try InventoryConfig(parsing: text, path: url.path)
                    configs[url.path] = config
                    return .config(config)
                case constructor:
                    return .call(call)
                default:
                    return .unreadable(module.error(
                        "'\(name)' is built by \(call.function.map { "'\($0)'" } ?? "an expression") that progfig cannot read; "
                            + "it reads \(helper)(...) and \(constructor)(...)", at: call.position))
                }
            }
            hosts = try definition("hoststore", helper: "hosts_conf", constructor: "MemoryHostStore",
                                   positions: ["groups", "node_function_map", "function_role_map"])
            secrets = try definition("secretstore", helper: "secrets_conf", constructor: "AgeSecretStore",
                                     positions: ["controller_age_pubkey", "decryption_age_privkey_path_list"])
            versions = Self.versionDefinition(module)
        } else if let text = try TextFile.read(layout.inventoryConfig) {
            let config = try InventoryConfig(parsing: text, path: layout.inventoryConfig.path)
            path = config.path
            hosts = .config(config)
            secrets = .config(config)
            versions = .rule(config.version)
        } else {
            throw SiteError("site has neither \(SiteLayout.inventoryModuleName) nor \(SiteLayout.inventoryConfigName)", file: layout.package.path)
        }
    }

    /// A relative configuration path as `hosts_conf` finds it: in the package if a file is there,
    /// else relative to the current directory.
    private static func configURL(_ path: String, layout: SiteLayout, currentDirectory: URL) -> URL {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL }
        let inPackage = layout.package.appendingPathComponent(path).standardizedFileURL
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: inPackage.path, isDirectory: &isDirectory), !isDirectory.boolValue { return inPackage }
        return currentDirectory.appendingPathComponent(path).standardizedFileURL
    }

    private static func versionDefinition(_ module: PythonModule) -> VersionDefinition {
        if let position = module.functionPosition("mint_version"), module.assignment("mint_version").map({ $0.position.line < position.line }) ?? true {
            return .unreadable(module.error(
                "mint_version is a hand-written function, which progfig cannot run (it reads site modules without running them); "
                    + "use siteversion.mint_version_factory_from_epoch(major=, minor=)", at: position))
        }
        do {
            guard let call = try module.callArguments(of: "mint_version", positions: ["mint_version_factory_from_epoch": ["major", "minor"]]) else {
                return .unreadable(SiteError("inventory.py defines no mint_version", file: module.path))
            }
            guard call.functionName == "mint_version_factory_from_epoch" else {
                return .unreadable(module.error("mint_version is built by an expression progfig cannot read; "
                                                + "it reads siteversion.mint_version_factory_from_epoch(major=, minor=)", at: call.position))
            }
            func number(_ name: String, default value: Int) throws -> Int {
                switch try call.value(name) {
                case nil: return value
                case .integer(let n)?: return n
                default: throw module.error("expected an integer for \(name)", at: call.position(of: name))
                }
            }
            return .rule(.epoch(major: try number("major", default: 1), minor: try number("minor", default: 0)))
        } catch let error as SiteError {
            return .unreadable(error)
        } catch {
            return .unreadable(SiteError("\(error)", file: module.path))
        }
    }

    /// The host store the inventory defines.
    public func hostStore() throws -> MemoryHostStore {
        switch hosts {
        case .config(let config): return try MemoryHostStore(config: config)
        case .unreadable(let error): throw error
        case .call(let call):
            func map<V>(_ name: String, _ convert: (PythonValue, SourcePosition) throws -> V) throws -> [MemoryHostStore.Located<V>] {
                guard let value = try call.value(name) else {
                    throw call.module.error("MemoryHostStore needs \(name)=", at: call.position)
                }
                let at = call.position(of: name)
                guard case .dict(let entries) = value else { throw call.module.error("expected a dict for \(name)", at: at) }
                return try entries.map { entry in
                    guard case .string(let key) = entry.key else { throw call.module.error("expected string keys in \(name)", at: at) }
                    return MemoryHostStore.Located(name: key, value: try convert(entry.value, at), line: at.line)
                }
            }
            func names(_ value: PythonValue, _ at: SourcePosition) throws -> [String] {
                switch value {
                case .list(let items), .tuple(let items):
                    return try items.map {
                        guard case .string(let s) = $0 else { throw call.module.error("expected a list of strings", at: at) }
                        return s
                    }
                default: throw call.module.error("expected a list of strings", at: at)
                }
            }
            return MemoryHostStore(
                groups: try map("groups", names),
                nodeFunctions: try map("node_function_map") { value, at in
                    guard case .string(let s) = value else { throw call.module.error("expected a function name string", at: at) }
                    return s
                },
                functionRoles: try map("function_role_map", names),
                file: call.module.path)
        }
    }

    /// The secret store's settings the inventory defines.
    public func secretsSettings() throws -> SecretsSettings {
        switch secrets {
        case .unreadable(let error): throw error
        case .config(let config):
            guard config.hasSecretsSection else {
                throw SiteError("no [secrets] section (secrets_conf needs controller_age_pub, controller_age_path and node_fallback_age_path)",
                                file: config.path)
            }
            for (key, entry) in [("controller_age_pub", config.controllerAgePub), ("controller_age_path", config.controllerAgePath),
                                 ("node_fallback_age_path", config.nodeFallbackAgePath)] where entry == nil {
                throw SiteError("[secrets] has no \(key) (secrets_conf needs controller_age_pub, controller_age_path and node_fallback_age_path)",
                                file: config.path)
            }
            return SecretsSettings(controllerPublicKey: config.controllerAgePub!.value,
                                   keyPaths: [config.controllerAgePath!.value, config.nodeFallbackAgePath!.value],
                                   controllerKeyPath: config.controllerAgePath!.value,
                                   nodeSSHHostKeyPath: config.nodeSSHHostKeyPath?.value,
                                   file: config.path, line: config.controllerAgePub!.line, column: nil)
        case .call(let call):
            guard case .string(let pub)? = try call.value("controller_age_pubkey") else {
                throw call.module.error("AgeSecretStore needs controller_age_pubkey= as a string", at: call.position(of: "controller_age_pubkey"))
            }
            var paths: [String] = []
            switch try call.value("decryption_age_privkey_path_list") {
            case nil, .none?: break
            case .list(let items)?, .tuple(let items)?:
                paths = try items.map {
                    guard let text = $0.text else {
                        throw call.module.error("expected a list of paths", at: call.position(of: "decryption_age_privkey_path_list"))
                    }
                    return text
                }
            default: throw call.module.error("expected a list of paths", at: call.position(of: "decryption_age_privkey_path_list"))
            }
            let at = call.position(of: "controller_age_pubkey")
            return SecretsSettings(controllerPublicKey: pub, keyPaths: paths, controllerKeyPath: nil,
                                   nodeSSHHostKeyPath: nil, file: call.module.path, line: at.line, column: at.column)
        }
    }

    /// The site's version rule (`mint_version`); an error when it cannot be read.
    public func versionRule() throws -> VersionRule {
        switch versions {
        case .rule(let rule): return rule
        case .unreadable(let error): throw error
        }
    }
}

/// How the site's secret store is configured: the controller's public key and the decryption key
/// paths, in order (`secrets_conf`'s controller_age_path then node_fallback_age_path, or
/// `AgeSecretStore`'s decryption_age_privkey_path_list).
public struct SecretsSettings: Equatable, Sendable {
    /// The controller's public key, as written.
    public let controllerPublicKey: String
    /// Decryption key paths in order, as written (relative ones are relative to the current directory).
    public let keyPaths: [String]
    /// The controller's key path when the configuration names it (inventory.conf's controller_age_path).
    public let controllerKeyPath: String?
    /// The SSH host key a node also decrypts with (inventory.conf's `[secrets]
    /// node_ssh_host_key_path`, a progfig setting); nil for the default,
    /// `SecretStoreOptions.defaultSSHHostKeyPath`; empty turns it off.
    public let nodeSSHHostKeyPath: String?
    /// The file defining these settings, and where the public key is in it.
    public let file: String
    /// The line of the public key.
    public let line: Int?
    /// The column of the public key (inventory.py).
    public let column: Int?
}
