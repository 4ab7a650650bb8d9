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
        // Every file is read (across cores) before anything is printed, so an error prints nothing.
        let collections = all ? store.allCollections() : selection.collections
        let listed = concurrentMap(collections.count) { i in Result { try store.list(collections[i]) } }
        var text = ""
        for (collection, names) in zip(collections, listed) {
            for name in try names.get() { text += "\(collection)\t\(name)\n" }
        }
        try Output.raw(Array(text.utf8))
    }
}
