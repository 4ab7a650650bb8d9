import AgeFormat
import ArgumentParser
import Foundation
import ProgfigSecrets
import SecureIO

/// `progfig secret encrypt`: encrypt a value to nodes, groups and the controller, optionally storing it.
struct SecretEncryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encrypt",
        abstract: "Encrypt a value to nodes, groups and/or the controller; store it with --save-as.",
        discussion: """
            Recipients are the nodes named, every member of the groups named, and the \
            controller (always when storing, so that the controller can read and rekey every \
            secret). Without --save-as nothing is stored and the armored value is printed. \
            With --save-as each secrets file gets its own copy, encrypted to that file's readers \
            only: a node's to the node and the controller, a group's to its members and the \
            controller, the controller's (-c) to the controller alone. If any of the files can't \
            be read, none is written.

              progfig secret encrypt -g webservers --file tls.key --save-as tls_key
              printf %s "$PASSWORD" | progfig secret encrypt -n db1 --file - --save-as db_password
              progfig secret encrypt -c --value hunter2 --save-as smtp_password
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var collections: CollectionOptions

    @Option(help: ArgumentHelp("The value to encrypt (visible to other local users in the process list; prefer --file).", valueName: "VALUE"))
    var value: String?

    @Option(help: ArgumentHelp("Read the value from FILE, or from standard input with '-'.", valueName: "FILE"))
    var file: String?

    @Option(name: .customLong("save-as"), help: ArgumentHelp("Store the secret under NAME in each named node's, group's and (with -c) the controller's secrets file.", valueName: "NAME"))
    var saveAs: String?

    @Flag(help: "Also print the armored value (encrypted to every recipient named) when storing.")
    var stdout = false

    func validate() throws {
        if collections.selection.isEmpty {
            throw ValidationError("name at least one recipient: -n NODE, -g GROUP or -c")
        }
        if (value == nil) == (file == nil) {
            throw ValidationError("give the value with exactly one of --value or --file")
        }
        if let name = saveAs, name.isEmpty || name.contains(where: \.isNewline) {
            throw ValidationError("--save-as needs a non-empty, single-line name")
        }
    }

    func run() throws {
        let context = try SiteContext(global)
        let store = try context.secretStore()
        var plaintext = try readValue()
        defer { SecureBytes.wipe(&plaintext) }
        let selection = collections.selection
        let armored = if let saveAs {
            try store.store(name: saveAs, value: plaintext, nodes: selection.nodes, groups: selection.groups,
                            controllerKey: selection.controller)
        } else {
            try store.encrypt(value: plaintext, nodes: selection.nodes, groups: selection.groups,
                              controllerKey: selection.controller)
        }
        if saveAs == nil || stdout { try Output.raw(Array(armored.utf8)) }
        if let name = saveAs, !global.quiet {
            Output.note("stored secret \"\(name)\" for \(selection.collections.map(\.description).joined(separator: ", "))")
        }
    }

    private func readValue() throws -> [UInt8] {
        if let value { return Array(value.utf8) }
        return try InputFile.with(path: file!, kind: "value file") { try $0.readAll() }
    }
}
