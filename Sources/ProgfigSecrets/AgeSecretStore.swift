import AgeFormat
import Foundation

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

    /// A store built directly, like the original's `AgeSecretStore(controller_age_pubkey, paths)`.
    public init(site: Site, hostStore: any HostStore, controllerPublicKey: String?, keys: DecryptionKeys) throws {
        self.site = site
        self.hostStore = hostStore
        self.keys = keys
        if let key = controllerPublicKey {
            do { controllerRecipient = try AgeKeys.recipient(key) } catch {
                throw SiteError("invalid controller_age_pub: \(error.message)", file: site.inventory.path,
                                line: site.inventory.controllerAgePub?.line)
            }
        } else {
            controllerRecipient = nil
        }
    }

    /// A store configured by inventory.conf's `[secrets]` section (the original's `secrets_conf`),
    /// with decryption keys tried in this order: `options.keyOverrides`, `options.environmentKey`,
    /// the node's own `age_key_path` when acting as a node, controller_age_path, node_fallback_age_path.
    public init(site: Site, options: SecretStoreOptions) throws {
        let hostStore = try site.hostStore()
        var locations: [DecryptionKeys.Location] = options.keyOverrides.map { .requiredFile(site.resolve(path: $0).path) }
        if let text = options.environmentKey {
            locations.append(.environment(variable: SecretStoreOptions.keyVariable, text: text))
        }
        if let node = options.actingAsNode {
            _ = try hostStore.nodeFunction(node)  // an unknown node fails here, naming the node
            if let path = try site.nodeData(node).ageKeyPath { locations.append(.file(site.resolve(path: path).path)) }
        }
        for entry in [site.inventory.controllerAgePath, site.inventory.nodeFallbackAgePath].compactMap({ $0 }) {
            locations.append(.file(site.resolve(path: entry.value).path))
        }
        try self.init(site: site, hostStore: hostStore, controllerPublicKey: site.inventory.controllerAgePub?.value,
                      keys: DecryptionKeys(locations: locations, passphrase: options.passphrase, warn: options.warn))
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

    /// The public key of `node` from its nodes/NAME.conf `[sitedata] age_pubkey`.
    public func recipient(node: String) throws -> any Recipient {
        _ = try hostStore.nodeFunction(node)
        let data = try site.nodeData(node)
        guard let key = data.agePubkey else {
            throw SiteError("node \"\(node)\" has no age_pubkey in [sitedata]; secrets cannot be encrypted to it", file: data.path)
        }
        do { return try AgeKeys.recipient(key) } catch {
            throw SiteError("node \"\(node)\" has an invalid age_pubkey: \(error.message)", file: data.path)
        }
    }

    private func controller() throws -> any Recipient {
        guard let controllerRecipient else {
            throw SiteError("no controller_age_pub in the [secrets] section; stored secrets must be readable by the controller",
                            file: site.inventory.path)
        }
        return controllerRecipient
    }

    /// The recipients for optionally the controller, the given nodes and every member of the
    /// groups, without duplicates, in that order: the controller's stanza comes first, so the
    /// controller (which rekeys everything) finds it with one X25519 operation.
    public func recipients(nodes: [String], groups: [String], controller includeController: Bool) throws -> [any Recipient] {
        try recipients(nodes: nodes, groups: groups, controller: includeController, lookup: recipient(node:))
    }

    /// `recipients(nodes:groups:controller:)` with each node's key from `lookup`.
    private func recipients(nodes: [String], groups: [String], controller includeController: Bool,
                            lookup: (String) throws -> any Recipient) throws -> [any Recipient] {
        var result: [any Recipient] = []
        var seen = Set<String>()
        func add(_ r: any Recipient) { if seen.insert(r.encoded).inserted { result.append(r) } }
        if includeController { add(try controller()) }
        for node in nodes { add(try lookup(node)) }
        for group in groups {
            for member in try hostStore.groupMembers(group) { add(try lookup(member)) }
        }
        return result
    }

    /// Encrypts `value` to the named nodes, every member of the named groups and the controller
    /// (always when storing) and returns it armored. With `store`, saves it as `name` in each named
    /// collection, each copy encrypted to that collection's readers only, all files or none.
    public func encrypt(name: String, value: [UInt8], nodes: [String], groups: [String], controllerKey: Bool, store: Bool) throws -> String {
        guard !nodes.isEmpty || !groups.isEmpty || controllerKey else {
            throw SiteError("secret \"\(name)\" has no recipients: name nodes, groups or the controller")
        }
        if store { try checkControllerPublicKey() }
        let recipients = try self.recipients(nodes: nodes, groups: groups, controller: controllerKey || store)
        guard !recipients.isEmpty else {
            throw SiteError("secret \"\(name)\" has no recipients: the groups named have no members")
        }
        let armored = try Self.armoredValue(value, to: recipients)
        if store {
            var targets: [SecretCollection] = nodes.map { .node($0) } + groups.map { .group($0) }
            if controllerKey { targets.append(.controller) }
            // Each collection's copy is encrypted to that collection's readers only, as rekey does;
            // where those are all the recipients (one collection named), it is the value returned.
            let urls = try targets.map { try $0.url(in: site) }
            var stored: [URL: String] = [:]
            for (collection, url) in zip(targets, urls) {
                let readers = try currentRecipients(of: collection)
                stored[url] = readers.map(\.encoded) == recipients.map(\.encoded) ? armored : try Self.armoredValue(value, to: readers)
            }
            try SecretsFile.update(urls) { url, secrets in secrets[name] = stored[url] }
        }
        return armored
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
                        file: site.inventory.path, line: site.inventory.controllerAgePub?.line)
    }

    /// The recipients every secret of `collection` should have now: the node, or the group's
    /// members, plus the controller; the controller alone for the controller's collection.
    public func currentRecipients(of collection: SecretCollection) throws -> [any Recipient] {
        try currentRecipients(of: collection, lookup: recipient(node:))
    }

    /// `currentRecipients(of:)` with each node's key from `lookup`.
    func currentRecipients(of collection: SecretCollection, lookup: (String) throws -> any Recipient) throws -> [any Recipient] {
        switch collection {
        case .node(let n): return try recipients(nodes: [n], groups: [], controller: true, lookup: lookup)
        case .group(let g): return try recipients(nodes: [], groups: [g], controller: true, lookup: lookup)
        case .controller: return [try controller()]
        }
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
