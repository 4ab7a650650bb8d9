import AgeFormat
import Foundation
import SecureIO

/// Plugin requests through the terminal: messages on standard error, questions and PINs on
/// /dev/tty (a PIN without echo). Without a terminal, questions fail and the plugin decides.
enum TerminalPluginUI {
    /// The UI progfig gives plugins.
    static func make() -> PluginUI {
        PluginUI(
            message: { plugin, text in
                Output.standardError("progfig: age-plugin-\(plugin): \(text)\n")
                return true
            },
            confirm: { plugin, prompt, yes, no in
                let choices = no.map { "[y] \(yes) / [n] \($0)" } ?? "[y] \(yes)"
                guard let answer = try? TerminalPrompt.readLine(prompt: "age-plugin-\(plugin): \(prompt) \(choices): ", echo: true)
                else { return nil }
                switch answer.lowercased() {
                case "y", "yes", yes.lowercased(): return true
                case "n", "no", (no ?? "n").lowercased(): return no == nil ? nil : false
                default: return nil
                }
            },
            request: { plugin, prompt, secret in
                guard let value = try? TerminalPrompt.readLine(prompt: "age-plugin-\(plugin): \(prompt) ", echo: !secret) else { return nil }
                return SecureBytes(Array(value.utf8))
            })
    }
}
