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

    /// Every description is computed before anything is printed, so an unknown name or a missing
    /// role entry fails without a partial description on standard output.
    func run() throws {
        let hosts = try SiteContext(global).hostStore()
        var lines: [String] = []
        for node in CollectionSelection.names(nodes) {
            lines += ["node \(node)",
                      "  function: \(try hosts.nodeFunction(node))",
                      "  groups: \(try hosts.nodeGroups(node).joined(separator: " "))",
                      "  roles: \(try hosts.nodeRoles(node).joined(separator: " "))"]
        }
        for group in CollectionSelection.names(groups) {
            lines += ["group \(group)", "  members: \(try hosts.groupMembers(group).joined(separator: " "))"]
        }
        for function in CollectionSelection.names(functions) {
            lines += ["function \(function)",
                      "  nodes: \(try hosts.functionNodes(function).joined(separator: " "))",
                      "  roles: \(try hosts.functionRoles(function).joined(separator: " "))"]
        }
        for line in lines { try Output.line(line) }
    }
}
