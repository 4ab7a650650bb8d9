import AgeFormat
import Foundation
import SecureIO

/// The age-backed `SecretStore`: armored age values in the site's JSON secrets files, encrypted
/// in-process to node keys and the controller key, and decrypted with whichever keys are at hand.
public struct AgeSecretStore: SecretStore {
    /// The site whose files hold the secrets.
    public let site: Site
    /// The inventory used to expand groups and check node names.
    public let hostStore: any HostStore
    /// The controller's public key; every stored secret is also encrypted to it.
    public let controllerRecipient: (any Recipient)?
    /// The keys used to decrypt.
    public let keys: DecryptionKeys

    /// The secret store's settings: the controller's public key and where they are defined.
    public let settings: SecretsSettings?

    /// A store built directly, like the original's `AgeSecretStore(controller_age_pubkey, paths)`.
    public init(site: Site, hostStore: any HostStore, settings: SecretsSettings?, keys: DecryptionKeys) throws {
        self.site = site
        self.hostStore = hostStore
        self.keys = keys
        self.settings = settings
        if let settings {
            do { controllerRecipient = try AgeKeys.recipient(settings.controllerPublicKey) } catch {
                throw SiteError("invalid controller public key: \(error.message)", file: settings.file, line: settings.line, column: settings.column)
            }
        } else {
            controllerRecipient = nil
        }
    }

    /// A store configured by the site's inventory (`secrets_conf`, or `AgeSecretStore(...)` in
    /// inventory.py), with decryption keys tried in this order: `options.keyOverrides`,
    /// `options.environmentKey`, the node's own `age_key_path` when acting as a node, then the
    /// inventory's key paths in order, and, acting as a node, its SSH host key
    /// (`node_ssh_host_key_path`, by default /etc/ssh/ssh_host_ed25519_key). Relative paths are
    /// relative to the current directory.
    public init(site: Site, options: SecretStoreOptions) throws {
        let hostStore = try site.hostStore()
        let settings = try site.secretsSettings()
        var locations: [DecryptionKeys.Location] = options.keyOverrides.map { .requiredFile(Site.keyPath($0).path) }
        if let text = options.environmentKey {
            locations.append(.environment(variable: SecretStoreOptions.keyVariable, text: text))
        }
        if let node = options.actingAsNode {
            _ = try hostStore.nodeFunction(node)  // an unknown node fails here, naming the node
            if let path = try site.nodeData(node).ageKeyPath { locations.append(.file(Site.keyPath(path).path)) }
        }
        for path in settings.keyPaths {
            locations.append(.file(Site.keyPath(path).path))
        }
        if options.actingAsNode != nil {
            let hostKey = settings.nodeSSHHostKeyPath ?? SecretStoreOptions.defaultSSHHostKeyPath
            if !hostKey.isEmpty { locations.append(.sshHostKey(Site.keyPath(hostKey).path)) }
        }
        try self.init(site: site, hostStore: hostStore, settings: settings,
                      keys: DecryptionKeys(locations: locations, passphrase: options.passphrase, warn: options.warn,
                                           pluginUI: options.pluginUI))
    }

    /// Checks that `collection` names a node or group of the inventory.
    private func check(_ collection: SecretCollection) throws {
        switch collection {
        case .node(let n): _ = try hostStore.nodeFunction(n)
        case .group(let g): _ = try hostStore.groupMembers(g)
        case .controller: break
        }
    }

    public func list(_ collection: SecretCollection) throws -> [String] {
        try check(collection)
        return try SecretsFile.read(collection.url(in: site)).keys.sorted()
    }

    public func secrets(in collection: SecretCollection) throws -> [Secret] {
        try check(collection)
        let stored = try SecretsFile.read(collection.url(in: site))
        return stored.keys.sorted().map { Secret(name: $0, collection: collection, armored: stored[$0]!, keys: keys) }
    }

    public func get(_ collection: SecretCollection, name: String) throws -> Secret {
        try check(collection)
        let url = try collection.url(in: site)
        guard let armored = try SecretsFile.read(url)[name] else {
            throw SiteError("no secret \"\(name)\" in \(collection)", file: url.path)
        }
        return Secret(name: name, collection: collection, armored: armored, keys: keys)
    }

    /// The collections a node's lookup searches, in order.
    public func inheritanceChain(node: String) throws -> [SecretCollection] {
        [.node(node)] + (try hostStore.nodeGroups(node)).reversed().map { .group($0) }
    }

    public func getInherited(node: String, name: String) throws -> Secret {
        let chain = try inheritanceChain(node: node)
        for collection in chain {
            if let armored = try SecretsFile.read(collection.url(in: site))[name] {
                return Secret(name: name, collection: collection, armored: armored, keys: keys)
            }
        }
        throw SiteError("no secret \"\(name)\" for node \"\(node)\"; searched \(chain.map(\.description).joined(separator: ", "))")
    }

    /// The public key of `node` from its node data's sitedata `age_pubkey` (nodes/NAME.py, or
    /// nodes/NAME.conf); `node` must be in node_function_map unless `asGroupMember`: as in the
    /// original, a group member missing from node_function_map is encrypted to when its node data exists.
    public func recipient(node: String, asGroupMember: Bool = false) throws -> any Recipient {
        let hasData = try site.hasNodeData(node)
        if !asGroupMember || !hasData { _ = try hostStore.nodeFunction(node) }
        let data = try site.nodeData(node)
        guard let key = data.agePubkey else {
            throw SiteError("node \"\(node)\" has no age_pubkey in its sitedata; secrets cannot be encrypted to it", file: data.path)
        }
        do { return try AgeKeys.recipient(key) } catch {
            throw SiteError("node \"\(node)\" has an invalid age_pubkey: \(error.message)", file: data.path, line: data.agePubkeyLine)
        }
    }

    private func controller() throws -> any Recipient {
        guard let controllerRecipient else {
            throw SiteError("no controller public key configured; stored secrets must be readable by the controller",
                            file: site.inventory.path)
        }
        return controllerRecipient
    }

    /// The recipients for optionally the controller, the given nodes and every member of the
    /// groups, without duplicates, in that order: the controller's stanza comes first, so the
    /// controller (which rekeys everything) finds it with one X25519 operation.
    public func recipients(nodes: [String], groups: [String], controller includeController: Bool) throws -> [any Recipient] {
        try readers(nodes: nodes, groups: groups, controller: includeController).recipients
    }

    /// The readers of a value for the given nodes, groups and controller, each node's key from
    /// `lookup` (the node's name, and whether it is read as a group member).
    private func readers(nodes: [String], groups: [String], controller includeController: Bool,
                         lookup: ((String, Bool) throws -> any Recipient)? = nil) throws -> SecretReaders {
        let lookup = lookup ?? { try recipient(node: $0, asGroupMember: $1) }
        var result = SecretReaders()
        if includeController { result.addController(try controller()) }
        for node in nodes { result.add(node: node, try lookup(node, false)) }
        for group in groups {
            for member in try hostStore.groupMembers(group) { result.add(node: member, try lookup(member, true)) }
        }
        return result
    }

    /// The keys of `readers`, refused with a message naming the classic keys when they mix
    /// post-quantum and classic keys.
    private func checkedRecipients(_ readers: SecretReaders, of what: String) throws -> [any Recipient] {
        if let problem = readers.mixedKindsProblem(what) { throw SiteError(problem) }
        return readers.recipients
    }

    /// Encrypts `value` to the named nodes, every member of the named groups and, with
    /// `controllerKey`, the controller; stores nothing. Returns the armored age value.
    public func encrypt(value: [UInt8], nodes: [String], groups: [String], controllerKey: Bool) throws -> String {
        let recipients = try valueRecipients(of: "the value", nodes: nodes, groups: groups, controller: controllerKey)
        return try Self.armoredValue(value, to: recipients)
    }

    /// Encrypts `value` as `name` to the named nodes, every member of the named groups and always
    /// the controller (which rekeys every secret), and stores it in each named collection (the
    /// controller's with `controllerKey`), each copy encrypted to that collection's readers only.
    /// Every file is changed in memory first, so a bad file or key writes none; a write that fails
    /// after others succeeded names them (see `SecretsFile.update`). Returns the armored value
    /// encrypted to all of them.
    public func store(name: String, value: [UInt8], nodes: [String], groups: [String], controllerKey: Bool) throws -> String {
        try checkControllerPublicKey()
        let recipients = try valueRecipients(of: "secret \"\(name)\"", nodes: nodes, groups: groups, controller: true,
                                             named: controllerKey)
        let armored = try Self.armoredValue(value, to: recipients)
        var targets: [SecretCollection] = nodes.map { .node($0) } + groups.map { .group($0) }
        if controllerKey { targets.append(.controller) }
        // Where a collection's readers are all the recipients (one collection named), its copy is
        // the value returned.
        let urls = try targets.map { try $0.url(in: site) }
        var stored: [URL: String] = [:]
        for (collection, url) in zip(targets, urls) {
            let readers = try currentRecipients(of: collection)
            stored[url] = readers.map(\.encoded) == recipients.map(\.encoded) ? armored : try Self.armoredValue(value, to: readers)
        }
        try SecretsFile.update(urls) { url, secrets in secrets[name] = stored[url] }
        return armored
    }

    /// The recipients of a value for `what`, refusing a selection that names nothing (`named`:
    /// whether the controller was named) or whose readers mix post-quantum and classic keys.
    private func valueRecipients(of what: String, nodes: [String], groups: [String], controller: Bool,
                                 named controllerNamed: Bool? = nil) throws -> [any Recipient] {
        guard !nodes.isEmpty || !groups.isEmpty || (controllerNamed ?? controller) else {
            throw SiteError("\(what) has no recipients: name nodes, groups or the controller")
        }
        let recipients = try checkedRecipients(readers(nodes: nodes, groups: groups, controller: controller), of: what)
        guard !recipients.isEmpty else {
            throw SiteError("\(what) has no recipients: the groups named have no members")
        }
        return recipients
    }

    private static func armoredValue(_ value: [UInt8], to recipients: [any Recipient]) throws -> String {
        String(decoding: try Encryptor(recipients: recipients, armored: true).encrypt(value), as: UTF8.self)
    }

    /// Refuses to store or rekey when the controller key file is at hand and controller_age_pub
    /// is not its public key: every value written would be locked away from the controller.
    func checkControllerPublicKey() throws {
        guard let recipient = controllerRecipient, let key = try site.plainControllerKey(),
              !key.identities.contains(where: { $0.recipient?.encoded == recipient.encoded }) else { return }
        throw SiteError("controller_age_pub is not the public key of the controller key in \(key.path); nothing was written, "
                        + "since the controller could not read it (fix controller_age_pub, then retry)",
                        file: settings?.file, line: settings?.line, column: settings?.column)
    }

    /// The recipients every secret of `collection` should have now: the node, or the group's
    /// members, plus the controller; the controller alone for the controller's collection.
    /// Throws, naming the classic keys, when they mix post-quantum and classic keys.
    public func currentRecipients(of collection: SecretCollection) throws -> [any Recipient] {
        try currentRecipients(of: collection, lookup: nil)
    }

    /// `currentRecipients(of:)` with each node's key from `lookup` (see `readers`).
    func currentRecipients(of collection: SecretCollection,
                           lookup: ((String, Bool) throws -> any Recipient)?) throws -> [any Recipient] {
        let readers: SecretReaders
        switch collection {
        case .node(let n): readers = try self.readers(nodes: [n], groups: [], controller: true, lookup: lookup)
        case .group(let g): readers = try self.readers(nodes: [], groups: [g], controller: true, lookup: lookup)
        case .controller: return [try controller()]
        }
        return try checkedRecipients(readers, of: collection.description)
    }

    /// Every collection of the inventory: the controller, each node, each group.
    public func allCollections() -> [SecretCollection] {
        [.controller] + hostStore.nodes.map { .node($0) } + hostStore.groups.map { .group($0) }
    }
}

/// What `rekey` did to one secrets file.
public struct RekeyResult: Equatable, Sendable {
    /// The collection rekeyed.
    public let collection: SecretCollection
    /// Its secrets file.
    public let file: String
    /// The secrets re-encrypted, sorted.
    public let secrets: [String]
    /// The recipients they are now encrypted to.
    public let recipients: [String]
}

/// How an `AgeSecretStore` finds its decryption keys beyond inventory.conf.
public struct SecretStoreOptions: Sendable {
    /// The environment variable holding identity text (key material that never touches disk).
    public static let keyVariable = "PROGFIG_AGE_KEY"
    /// The SSH host key a node decrypts with unless `[secrets] node_ssh_host_key_path` says otherwise.
    public static let defaultSSHHostKeyPath = "/etc/ssh/ssh_host_ed25519_key"
    /// The environment variable naming an identity file that overrides the configured keys.
    public static let keyFileVariable = "PROGFIG_AGE_KEY_FILE"

    /// Identity files tried first (`--age-key`, `age_key=` store argument, `PROGFIG_AGE_KEY_FILE`).
    public var keyOverrides: [String]
    /// Identity text from `PROGFIG_AGE_KEY`, tried after the overrides.
    public var environmentKey: String?
    /// When set, that node's own `age_key_path` is tried before the configured paths.
    public var actingAsNode: String?
    /// Asked for the passphrase of passphrase-protected identity files.
    public var passphrase: @Sendable () throws -> String
    /// Told about key files that group or others can read.
    public var warn: @Sendable (String) -> Void
    /// How plugin identities (a controller key on a YubiKey) reach the user; none by default.
    public var pluginUI: PluginUI = .none

    /// Options with explicit values.
    public init(keyOverrides: [String] = [], environmentKey: String? = nil, actingAsNode: String? = nil,
                passphrase: @escaping @Sendable () throws -> String = { throw SiteError("a passphrase-protected key needs a passphrase; set PROGFIG_PASSPHRASE") },
                warn: @escaping @Sendable (String) -> Void = { _ in }) {
        self.warn = warn
        self.keyOverrides = keyOverrides
        self.environmentKey = environmentKey
        self.actingAsNode = actingAsNode
        self.passphrase = passphrase
    }

    /// Options from command-line key paths plus the environment: `PROGFIG_AGE_KEY_FILE` joins the
    /// overrides after the command-line paths, and `PROGFIG_AGE_KEY` supplies identity text.
    public static func from(keyPaths: [String], environment: [String: String], actingAsNode: String? = nil,
                            passphrase: @escaping @Sendable () throws -> String,
                            warn: @escaping @Sendable (String) -> Void = { _ in }) -> SecretStoreOptions {
        var overrides = keyPaths
        if let file = environment[keyFileVariable], !file.isEmpty { overrides.append(file) }
        let text = environment[keyVariable].flatMap { $0.isEmpty ? nil : $0 }
        return SecretStoreOptions(keyOverrides: overrides, environmentKey: text, actingAsNode: actingAsNode,
                                  passphrase: passphrase, warn: warn)
    }
}
