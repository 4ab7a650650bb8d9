import AgeFormat
import ArgumentParser
import Foundation
import ProgfigSecrets

/// `progfig secret inspect`: what each stored secret is encrypted to, without decrypting it.
struct SecretInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what stored secrets are encrypted to, per collection, without decrypting them.",
        discussion: """
            For each secret, what 'progfig age inspect' shows: its recipient stanzas by type and \
            count, whether it is post-quantum, its sizes, and which of the keys at hand (the ones \
            decryption would try) open it, named by their public key (a plugin identity by its \
            plugin, asked once for all the secrets shown). With no -n, -g or -c, \
            every collection of the site that holds secrets.

              progfig secret inspect -n web1
              progfig secret inspect --name tls_key --json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var collections: CollectionOptions

    @Option(help: ArgumentHelp("Only the secret named SECRET.", valueName: "SECRET"))
    var name: String?

    @Flag(help: "Print a JSON object: {\"node NAME\": {\"SECRET\": {…as age inspect --json…}, …}, …}.")
    var json = false

    func run() throws {
        let store = try SiteContext(global).secretStore()
        let selection = collections.selection
        var found: [(collection: SecretCollection, secret: Secret, inspection: Inspection)] = []
        for collection in selection.isEmpty ? store.allCollections() : selection.collections {
            for secret in try store.secrets(in: collection) where name == nil || secret.name == name {
                do { found.append((collection, secret, try Inspection.inspect(Array(secret.armored.utf8)))) } catch let error as AgeError {
                    throw CLIError("secret \"\(secret.name)\" of \(collection) is not a valid age value: \(error.message)",
                                   file: try collection.url(in: store.site).path)
                }
            }
        }
        let checkers = Self.checkers(identities: (try? store.keys.identities()) ?? [], files: found.map { Array($0.secret.armored.utf8) })
        var object: [String: [String: InspectionReport]] = [:]
        var text = ""
        for (collection, secret, inspection) in found {
            let checks = checkers.map { checker in
                IdentityCheck(name: checker.name, opens: checker.identity.map { (try? inspection.opens(with: $0)) ?? false } ?? false)
            }
            let report = InspectionReport(inspection, identities: checks)
            object[collection.description, default: [:]][secret.name] = report
            text += (text.isEmpty ? "" : "\n") + report.text(name: "\(collection) \(secret.name)")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try Output.raw([UInt8](try encoder.encode(object)) + [0x0a])
        } else {
            try Output.raw(Array(text.utf8))
        }
    }

    /// The keys at hand, each named for the report: a native key by its public key; a plugin
    /// identity by its plugin, asked once for all the files (nil when the plugin failed). The keys
    /// are optional here: without any, inspection still shows stanzas and sizes.
    static func checkers(identities: [any Identity], files: [[UInt8]]) -> [(name: String, identity: (any Identity)?)] {
        identities.map { identity in
            guard let plugin = identity as? PluginIdentity else { return (identity.recipient?.encoded ?? "an identity", identity) }
            return ("an age-plugin-\(plugin.name) identity", try? PluginBatch.identities([plugin], for: files).first)
        }
    }
}
