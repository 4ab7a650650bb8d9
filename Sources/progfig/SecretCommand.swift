import ArgumentParser
import ProgfigSecrets

/// `progfig secret …`: the site's age-encrypted secrets.
struct SecretCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secret",
        abstract: "Encrypt, store, list, decrypt and rekey the site's secrets.",
        discussion: """
            Secrets live in nodes/NAME.secrets.json, groups/NAME.secrets.json and \
            controller.secrets.json as armored age values. Each is encrypted to the nodes that \
            need it and to the controller, so the controller reads every secret and a node reads \
            its own and its groups'.

            Decryption tries, in order: --age-key files (and age_key= in \
            --secret-store-arguments, and $PROGFIG_AGE_KEY_FILE), an identity in \
            $PROGFIG_AGE_KEY, the node's own age_key_path (for 'secret get'), then \
            the inventory's key paths in order (secrets_conf's controller_age_path and \
            node_fallback_age_path, or AgeSecretStore's decryption_age_privkey_path_list), and \
            last, for 'secret get', the node's SSH host key (node_ssh_host_key_path, by default \
            /etc/ssh/ssh_host_ed25519_key); relative paths are relative to the current directory, \
            as in the original. The same command therefore works on the controller and on a node.
            """,
        subcommands: [SecretEncryptCommand.self, SecretDecryptCommand.self, SecretListCommand.self,
                      SecretGetCommand.self, SecretRekeyCommand.self, SecretInspectCommand.self, SecretEditCommand.self])
}

/// `-n/--nodes`, `-g/--groups`, `-c/--controller`, shared by the secret subcommands.
struct CollectionOptions: ParsableArguments {
    @Option(name: [.customShort("n"), .customLong("nodes")], help: ArgumentHelp("Nodes, repeated or comma-separated.", valueName: "NODE[,NODE…]"))
    var nodes: [String] = []

    @Option(name: [.customShort("g"), .customLong("groups")], help: ArgumentHelp("Groups, repeated or comma-separated.", valueName: "GROUP[,GROUP…]"))
    var groups: [String] = []

    @Flag(name: [.customShort("c"), .customLong("controller")], help: "The controller (controller.secrets.json).")
    var controller = false

    var selection: CollectionSelection { CollectionSelection(nodes: nodes, groups: groups, controller: controller) }
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
