import ArgumentParser
import ProgfigSecrets

/// `progfig list nodes|groups|functions|roles`.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the site's nodes, groups, functions or roles, one per line.",
        discussion: """
            Names come from the site's inventory (inventory.py, or inventory.conf), in the \
            original's order: nodes as node_function_map lists them, groups with 'universal' \
            first, functions as function_role_map lists them ('default' included), roles sorted.

              progfig list nodes
              progfig --site ~/mysite list groups
            """)

    /// What to list.
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case nodes, groups, functions, roles
    }

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("What to list: nodes, groups, functions or roles.", valueName: "kind"))
    var kind: Kind

    func run() throws {
        let hosts = try SiteContext(global).hostStore()
        let names: [String]
        switch kind {
        case .nodes: names = hosts.nodes
        case .groups: names = hosts.groups
        case .functions: names = hosts.functions
        case .roles: names = hosts.roles
        }
        // One write for the whole list: a 10,000-node site is one system call, not 10,000.
        try Output.raw(Array(names.map { $0 + "\n" }.joined().utf8))
    }
}
