import SecureIO
/// A recipient handled by an age plugin, `age1NAME1…`: wrapping runs `age-plugin-NAME` with the
/// `recipient-v1` state machine. Built from a plugin identity, it wraps to that identity instead.
public struct PluginRecipient: Recipient, Hashable {
    /// The plugin's name, lowercase: the program is `age-plugin-NAME`.
    public let name: String
    /// The recipient as given (`age1NAME1…`), or the identity it was derived from.
    public let encoded: String
    /// True when `encoded` is an identity (`AGE-PLUGIN-NAME-1…`), sent as `add-identity`.
    let isIdentity: Bool
    /// How the plugin's requests reach the user.
    let ui: PluginUI

    /// Parses `age1NAME1…`: a Bech32 string whose human-readable part is `age1` and a plugin name.
    public init(_ string: String, ui: PluginUI = .none) throws(AgeError) {
        let hrp: String
        do { hrp = try Bech32.decode(string).hrp } catch {
            throw AgeError.key("invalid plugin recipient \"\(string)\": \(error.message)")
        }
        guard hrp.hasPrefix("age1"), PluginName.isValid(String(hrp.dropFirst(4))) else {
            throw AgeError.key("invalid plugin recipient \"\(string)\": not age1NAME1…")
        }
        name = String(hrp.dropFirst(4))
        encoded = string
        isIdentity = false
        self.ui = ui
    }

    /// The recipient of a plugin identity: the plugin wraps to the identity itself.
    init(identity: PluginIdentity) {
        name = identity.name
        encoded = identity.encoded
        isIdentity = true
        ui = identity.ui
    }

    private init(name: String, encoded: String, isIdentity: Bool, ui: PluginUI) {
        self.name = name
        self.encoded = encoded
        self.isIdentity = isIdentity
        self.ui = ui
    }

    /// The same recipient with another UI.
    public func with(ui: PluginUI) -> PluginRecipient {
        PluginRecipient(name: name, encoded: encoded, isIdentity: isIdentity, ui: ui)
    }

    public static func == (a: PluginRecipient, b: PluginRecipient) -> Bool { a.encoded == b.encoded }
    public func hash(into hasher: inout Hasher) { hasher.combine(encoded) }

    /// True when `string` looks like a plugin recipient (`age1` then a name then `1`), not a
    /// native one; for the key dispatch.
    public static func matches(_ string: String) -> Bool {
        guard string.hasPrefix("age1"), let hrp = try? Bech32.decode(string).hrp else { return false }
        return hrp.count > 4 && PluginName.isValid(String(hrp.dropFirst(4)))
    }

    public func wrap(fileKey: SecureBytes) throws -> [Stanza] {
        try wrapWithLabels(fileKey: fileKey).stanzas
    }

    /// Wraps the file key through the plugin, returning its stanzas and the labels it gave them
    /// (empty when it sent none).
    public func wrapWithLabels(fileKey: SecureBytes) throws -> (stanzas: [Stanza], labels: Set<String>) {
        PluginProcess.conversation.lock()
        defer { PluginProcess.conversation.unlock() }
        let plugin = try PluginProcess(name: name, stateMachine: "recipient-v1")
        defer { plugin.terminate() }
        try plugin.post(isIdentity ? "add-identity" : "add-recipient", [encoded])
        try plugin.postGrease()
        try plugin.post("wrap-file-key", secret: fileKey)
        try plugin.post("extension-labels")
        try plugin.postGrease()
        try plugin.post("done")

        var stanzas: [Stanza] = []
        var labels: Set<String>?
        while true {
            let message = try plugin.receive()
            switch message.type {
            case "recipient-stanza":
                guard message.arguments.count >= 2, message.arguments[0] == "0" else {
                    throw AgeError.plugin(name, "malformed recipient-stanza: expected file index 0 and a stanza type")
                }
                stanzas.append(Stanza(type: message.arguments[1], arguments: Array(message.arguments.dropFirst(2)), body: message.body))
                try plugin.post("ok")
            case "labels":
                guard labels == nil else { throw AgeError.plugin(name, "the plugin sent its labels twice") }
                guard Set(message.arguments).count == message.arguments.count else {
                    throw AgeError.plugin(name, "the plugin sent the same label twice")
                }
                labels = Set(message.arguments)
                try plugin.post("ok")
            case "error":
                try? plugin.post("ok")
                // An identity's data may be secret: only a recipient is named.
                let target = isIdentity ? "its identity" : "\(encoded.prefix(24))…"
                throw AgeError.plugin(name, "the plugin could not wrap to \(target): \(message.pluginErrorText)")
            case "done":
                guard !stanzas.isEmpty else { throw AgeError.plugin(name, "the plugin wrapped the file key to no stanza") }
                return (stanzas, labels ?? [])
            default:
                if try !ui.answer(message, on: plugin) { try plugin.post("unsupported") }
            }
        }
    }
}
