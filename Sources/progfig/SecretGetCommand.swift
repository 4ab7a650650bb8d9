import ArgumentParser
import ProgfigSecrets

/// `progfig secret get NODE NAME`: the lookup a node does at apply time.
struct SecretGetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print the secret NAME as NODE sees it: its own, else its groups', 'universal' last.",
        discussion: """
            Acting as NODE, the node's own age_key_path (nodes/NODE.conf) is tried after any \
            --age-key and before the keys in inventory.conf, and its SSH host key last \
            ([secrets] node_ssh_host_key_path, default /etc/ssh/ssh_host_ed25519_key, skipped \
            when missing or unreadable). Prints the value byte for byte.

              progfig secret get web1 db_password
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The node whose view to take.")
    var node: String

    @Argument(help: "The secret's name.")
    var name: String

    func run() throws {
        let store = try SiteContext(global).secretStore(actingAsNode: node)
        let secret = try store.getInherited(node: node, name: name)
        if global.verbose { Output.note("found \"\(name)\" in \(secret.collection)") }
        try Output.raw(secret.value())
    }
}
