import Foundation
import SecureIO

/// How a plugin's requests (C2SP age-plugin.md's `msg`, `confirm`, `request-public` and
/// `request-secret`) reach the user. Each callback gets the plugin's name; a nil or false answer
/// is sent to the plugin as `fail`, and the plugin decides what follows.
public struct PluginUI: Sendable {
    /// Shows a message; false when it could not be shown.
    public var message: @Sendable (_ plugin: String, _ text: String) -> Bool
    /// Asks a yes/no question with the plugin's button labels (no label: only yes can be chosen);
    /// true for yes, false for no, nil when it could not be asked.
    public var confirm: @Sendable (_ plugin: String, _ prompt: String, _ yes: String, _ no: String?) -> Bool?
    /// Asks for a value, without echo when `secret`; nil when it could not be asked.
    public var request: @Sendable (_ plugin: String, _ prompt: String, _ secret: Bool) -> SecureBytes?

    /// A UI from its three callbacks.
    public init(message: @escaping @Sendable (String, String) -> Bool,
                confirm: @escaping @Sendable (String, String, String, String?) -> Bool?,
                request: @escaping @Sendable (String, String, Bool) -> SecureBytes?) {
        self.message = message
        self.confirm = confirm
        self.request = request
    }

    /// No UI: every request fails, as for a plugin run without a terminal.
    public static let none = PluginUI(message: { _, _ in false }, confirm: { _, _, _, _ in nil }, request: { _, _, _ in nil })

    /// `identities` with every plugin identity among them talking to the user through this UI
    /// (key parsing makes them with `.none`).
    public func attached(to identities: [any Identity]) -> [any Identity] {
        identities.map { ($0 as? PluginIdentity)?.with(ui: self) ?? $0 }
    }

    /// `recipients` with every plugin recipient among them talking to the user through this UI.
    public func attached(to recipients: [any Recipient]) -> [any Recipient] {
        recipients.map { ($0 as? PluginRecipient)?.with(ui: self) ?? $0 }
    }

    /// Answers `message` if it is one of the UI commands; false when it is not.
    func answer(_ message: Stanza, on plugin: PluginProcess) throws -> Bool {
        let text = String(decoding: message.body, as: UTF8.self)
        switch message.type {
        case "msg":
            try plugin.post(self.message(plugin.name, text) ? "ok" : "fail")
        case "confirm":
            let labels = message.arguments.compactMap { UnpaddedBase64.decode(Array($0.utf8)) }
            guard (1...2).contains(message.arguments.count), labels.count == message.arguments.count else {
                throw AgeError.plugin(plugin.name, "malformed confirm request: expected one or two base64 button labels")
            }
            let strings = labels.map { String(decoding: $0, as: UTF8.self) }
            switch confirm(plugin.name, text, strings[0], strings.count > 1 ? strings[1] : nil) {
            case true?: try plugin.post("ok", ["yes"])
            case false?: try plugin.post("ok", ["no"])
            case nil: try plugin.post("fail")
            }
        case "request-public", "request-secret":
            if let value = request(plugin.name, text, message.type == "request-secret") {
                try plugin.post("ok", secret: value)
            } else {
                try plugin.post("fail")
            }
        default:
            return false
        }
        return true
    }
}

extension Stanza {
    /// The body of an `error` message as one line of printable text, at most 300 characters:
    /// a plugin's words go into progfig's one-line errors.
    var pluginErrorText: String {
        let text = String(decoding: body, as: UTF8.self).unicodeScalars
            .map { $0.properties.generalCategory == .control ? " " : String($0) }.joined()
            .trimmingCharacters(in: .whitespaces)
        let kind = arguments.joined(separator: " ")
        let message = text.isEmpty ? "(no message)" : String(text.prefix(300))
        return kind.isEmpty ? message : "\(message) (\(kind))"
    }
}
