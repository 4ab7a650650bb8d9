import ArgumentParser
import ProgfigSecrets

/// `progfig info`: what the inventory says about nodes, groups and functions.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a node's function, groups and roles, a group's members, or a function's nodes and roles.",
        discussion: """
            Names may be repeated or separated by commas.

              progfig info -n web1
              progfig info -n web1,db1 -g webservers -f database
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: [.customShort("n"), .customLong("nodes")], help: ArgumentHelp("Nodes to describe.", valueName: "NODE[,NODE…]"))
    var nodes: [String] = []

    @Option(name: [.customShort("g"), .customLong("groups")], help: ArgumentHelp("Groups to describe.", valueName: "GROUP[,GROUP…]"))
    var groups: [String] = []

    @Option(name: [.customShort("f"), .customLong("functions")], help: ArgumentHelp("Functions to describe.", valueName: "FUNCTION[,FUNCTION…]"))
    var functions: [String] = []

    func validate() throws {
        if nodes.isEmpty && groups.isEmpty && functions.isEmpty {
            throw ValidationError("name at least one node (-n), group (-g) or function (-f)")
        }
    }

    func run() throws {
        let hosts = try SiteContext(global).hostStore()
        for node in CollectionSelection.names(nodes) {
            let function = try hosts.nodeFunction(node)
            Output.line("node \(node)")
            Output.line("  function: \(function)")
            Output.line("  groups: \(try hosts.nodeGroups(node).joined(separator: " "))")
            Output.line("  roles: \(try hosts.nodeRoles(node).joined(separator: " "))")
        }
        for group in CollectionSelection.names(groups) {
            Output.line("group \(group)")
            Output.line("  members: \(try hosts.groupMembers(group).joined(separator: " "))")
        }
        for function in CollectionSelection.names(functions) {
            let members = try hosts.functionNodes(function)
            Output.line("function \(function)")
            Output.line("  nodes: \(members.joined(separator: " "))")
            Output.line("  roles: \(try hosts.functionRoles(function).joined(separator: " "))")
        }
    }
}
