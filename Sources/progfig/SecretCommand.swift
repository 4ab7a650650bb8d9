import ArgumentParser

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
            controller_age_path and node_fallback_age_path from inventory.conf, and last, for \
            'secret get', the node's SSH host key (node_ssh_host_key_path, by default \
            /etc/ssh/ssh_host_ed25519_key). The same command therefore works on the controller \
            and on a node.
            """,
        subcommands: [SecretEncryptCommand.self, SecretDecryptCommand.self, SecretListCommand.self,
                      SecretGetCommand.self, SecretRekeyCommand.self])
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
