import ArgumentParser
import ProgfigSecrets

/// `progfig list nodes|groups|functions|roles`.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the site's nodes, groups, functions or roles, one per line.",
        discussion: """
            Names come from inventory.conf. Groups start with 'universal', the implicit group \
            of every node.

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
        for name in names { try Output.line(name) }
    }
}
