import AgeFormat
import ArgumentParser
import Foundation
import ProgfigSecrets
import SecureIO

/// `progfig secret decrypt`: decrypt the secrets of nodes, groups and/or the controller.
struct SecretDecryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt and print the secrets of nodes, groups and/or the controller.",
        discussion: """
            Prints each secret under a '# COLLECTION NAME' line. With --name, prints only that \
            secret's value, byte for byte (for scripts); with --json, one JSON object.

              progfig secret decrypt -n web1
              progfig secret decrypt -g webservers --name tls_key > tls.key
              progfig --age-key /etc/progfig/node.age secret decrypt -n web1 --json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var collections: CollectionOptions

    @Option(help: ArgumentHelp("Print only this secret's value, raw.", valueName: "SECRET"))
    var name: String?

    @Flag(help: "Print a JSON object: {\"node NAME\": {\"SECRET\": \"value\", …}, …}.")
    var json = false

    func validate() throws {
        if collections.selection.isEmpty {
            throw ValidationError("name at least one collection: -n NODE, -g GROUP or -c")
        }
        if name != nil && json {
            throw ValidationError("--name and --json can't be used together")
        }
        if name != nil && collections.selection.collections.count != 1 {
            throw ValidationError("--name needs exactly one node, group or -c")
        }
    }

    func run() throws {
        let store = try SiteContext(global).secretStore()
        let selection = collections.selection
        if let name {
            let secret = try store.get(selection.collections[0], name: name)
            try Output.raw(secret.value())
            return
        }
        // Every collection is read and every secret decrypted before anything is printed, so a
        // bad name, file or key fails without partial output. Collections are decrypted across
        // cores, each on its own: only plaintexts are kept, never a whole site's ciphertexts. A
        // plugin key (a controller key on a YubiKey) instead unwraps every secret of the selection
        // in one conversation, so it asks for its PIN or touch once.
        let collections = selection.collections
        let bar = collections.count > 1
            ? ProgressBar.start("decrypt", unit: .items("collections"), total: collections.count, hidden: global.hidesProgress) : nil
        let outputs: [Decrypted]
        do {
            defer { bar?.finish() }
            if try store.keys.identities().contains(where: { $0 is PluginIdentity }) {
                let secrets = try collections.map { try store.secrets(in: $0) }
                Secret.decryptAll(secrets.flatMap { $0 })
                outputs = try zip(collections, secrets).map { collection, secrets in
                    defer { bar?.advance(by: 1) }
                    return try output(collection, secrets)
                }
            } else {
                outputs = try concurrentMap(collections.count) { i in
                    defer { bar?.advance(by: 1) }
                    return Result {
                        let secrets = try store.secrets(in: collections[i])
                        Secret.decryptAll(secrets)
                        return try output(collections[i], secrets)
                    }
                }.map { try $0.get() }
            }
        }
        if json {
            var object: [String: [String: String]] = [:]
            for (collection, output) in zip(collections, outputs) {
                if case .json(let values) = output { object[collection.description] = values }
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            try Output.raw([UInt8](data) + [0x0a])
        } else {
            for case .text(let bytes) in outputs { try bytes.withUnsafeBytes { try Output.raw($0) } }
        }
    }

    /// One collection's output: its JSON values, or its `# COLLECTION NAME` text.
    private enum Decrypted {
        case json([String: String])
        case text(SecureBytes)
    }

    /// The output of `secrets` of `collection`, decrypted already.
    private func output(_ collection: SecretCollection, _ secrets: [Secret]) throws -> Decrypted {
        var values: [String: String] = [:]
        var text: [UInt8] = []
        for secret in secrets {
            let value = try secret.value()
            if json {
                guard let string = String(validating: value, as: UTF8.self) else {
                    SecureBytes.wipe(&text)
                    throw CLIError("secret \"\(secret.name)\" of \(collection) is not UTF-8 text; print it with --name")
                }
                values[secret.name] = string
            } else {
                text += Array("# \(collection) \(secret.name)\n".utf8) + value
                if value.last != 0x0a { text.append(0x0a) }
            }
        }
        defer { SecureBytes.wipe(&text) }
        return json ? .json(values) : .text(SecureBytes(text))
    }
}
