import ArgumentParser
import ProgfigSecrets

/// `progfig secret list`: the names of stored secrets, without decrypting anything.
struct SecretListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List stored secrets by collection, without decrypting them.",
        discussion: """
            With no -n, -g or -c, lists every collection of the site that holds secrets.

              progfig secret list
              progfig secret list -n web1 -g webservers
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var collections: CollectionOptions

    func run() throws {
        let context = try SiteContext(global)
        let store = try context.secretStore()
        let selection = collections.selection
        let all = selection.isEmpty
        var lines: [String] = []
        for collection in all ? store.allCollections() : selection.collections {
            lines += try store.list(collection).map { "\(collection)\t\($0)" }
        }
        for line in lines { try Output.line(line) }
    }
}
