import SecureIO
/// An identity handled by an age plugin, `AGE-PLUGIN-NAME-1…`: unwrapping runs `age-plugin-NAME`
/// with the `identity-v1` state machine, passing it every stanza of the header.
public struct PluginIdentity: Identity {
    /// The plugin's name, lowercase: the program is `age-plugin-NAME`.
    public let name: String
    /// The identity string, uppercase Bech32.
    let encoded: String
    /// How the plugin's requests reach the user.
    let ui: PluginUI

    /// Parses `AGE-PLUGIN-NAME-1…`.
    public init(_ string: String, ui: PluginUI = .none) throws(AgeError) {
        let hrp: String
        do { hrp = try Bech32.decode(string).hrp } catch {
            throw AgeError.key("invalid plugin identity: \(error.message)")
        }
        let name = hrp.hasPrefix("age-plugin-") && hrp.hasSuffix("-") ? String(hrp.dropFirst(11).dropLast()) : ""
        guard PluginName.isValid(name) else { throw AgeError.key("invalid plugin identity: not AGE-PLUGIN-NAME-1…") }
        self.name = name
        encoded = string
        self.ui = ui
    }

    /// The identity of plugin `name` without data (age's `-j NAME`), for plugins that find
    /// their keys themselves.
    public init(pluginName name: String, ui: PluginUI = .none) throws(AgeError) {
        guard PluginName.isValid(name) else {
            throw AgeError.key("invalid plugin name \"\(name)\": use letters, digits, '-', '_', '.' and '+'")
        }
        try self.init(Bech32.encode(hrp: "AGE-PLUGIN-\(name)-", data: [], uppercase: true), ui: ui)
    }

    /// True when `string` looks like a plugin identity; for the key dispatch.
    public static func matches(_ string: String) -> Bool { string.uppercased().hasPrefix("AGE-PLUGIN-") }

    /// The same identity with another UI.
    public func with(ui: PluginUI) -> PluginIdentity { PluginIdentity(name: name, encoded: encoded, ui: ui) }

    private init(name: String, encoded: String, ui: PluginUI) {
        self.name = name
        self.encoded = encoded
        self.ui = ui
    }

    /// The recipient that wraps to this identity through the plugin (age's `-e -i` with a
    /// plugin identity).
    public var pluginRecipient: PluginRecipient { PluginRecipient(identity: self) }

    /// Nil: the public key is known only to the plugin.
    public var recipient: (any Recipient)? { nil }

    public func unwrap(stanzas: [Stanza]) throws -> SecureBytes? {
        try unwrap(files: [stanzas])[0]
    }

    /// Unwraps the file keys of several files in one conversation with the plugin (identity-v1
    /// numbers the files), so a PIN or touch is asked once for all of them. The result has one
    /// entry per file: its file key, or nil when the plugin found none for this identity.
    public func unwrap(files: [[Stanza]]) throws -> [SecureBytes?] {
        PluginProcess.conversation.lock()
        defer { PluginProcess.conversation.unlock() }
        let plugin = try PluginProcess(name: name, stateMachine: "identity-v1")
        defer { plugin.terminate() }
        try plugin.post("add-identity", [encoded])
        try plugin.postGrease()
        for (index, stanzas) in files.enumerated() {
            for stanza in stanzas {
                try plugin.post("recipient-stanza", [String(index), stanza.type] + stanza.arguments, body: stanza.body)
            }
        }
        try plugin.postGrease()
        try plugin.post("done")

        var fileKeys = [SecureBytes?](repeating: nil, count: files.count)
        while true {
            var message = try plugin.receive()
            switch message.type {
            case "file-key":
                defer { SecureBytes.wipe(&message.body) }
                guard message.arguments.count == 1, let index = Int(message.arguments[0]), String(index) == message.arguments[0],
                      fileKeys.indices.contains(index) else {
                    throw AgeError.plugin(name, "malformed file-key: expected the index of a file sent")
                }
                guard fileKeys[index] == nil else { throw AgeError.plugin(name, "the plugin sent two file keys for one file") }
                fileKeys[index] = SecureBytes(message.body)
                try plugin.post("ok")
            case "error":
                try? plugin.post("ok")
                throw AgeError.plugin(name, "the plugin could not unwrap the file key: \(message.pluginErrorText)")
            case "done":
                return fileKeys
            default:
                if try !ui.answer(message, on: plugin) { try plugin.post("unsupported") }
            }
        }
    }
}
