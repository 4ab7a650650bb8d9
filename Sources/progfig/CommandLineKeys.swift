import AgeFormat
import SecureIO

/// Loads the recipients and identities named by `-r`, `-R`, `-i` and `-j`; `-` reads standard
/// input. Plugin keys among them talk to the user through the terminal.
struct CommandLineKeys {
    /// Asked for the passphrase of passphrase-protected identity files.
    let passphrases: PassphraseSource
    /// How plugins reach the user.
    let pluginUI = TerminalPluginUI.make()

    /// The identities of `-j NAME`: plugin identities without data.
    func pluginIdentities(names: [String]) throws -> [any Identity] {
        try names.map { try PluginIdentity(pluginName: $0, ui: pluginUI) }
    }

    /// The recipients of `-r` strings, `-R` files and, when encrypting with `-i`, identity files.
    func recipients(strings: [String], recipientFiles: [String], identityFiles: [String], plugins: [String] = []) throws -> [any Recipient] {
        var recipients: [any Recipient] = try strings.enumerated().map { i, string in
            do throws(AgeError) { return try AgeKeys.recipient(string) } catch {
                throw CLIError("-r/--recipient (the \(ordinal(i + 1)) given): \(error.message)")
            }
        }
        for path in recipientFiles {
            let bytes = try InputFile.with(path: path, kind: "recipients file") { try RecipientsFile.read(from: $0.source, name: displayName(path)) }
            let text = String(decoding: bytes, as: UTF8.self)
            recipients += try RecipientsFile.parse(text, name: displayName(path)) { Output.note("warning: \($0)") }
        }
        for identity in try identities(files: identityFiles) + pluginIdentities(names: plugins) {
            // A plugin identity's public key is the plugin's to compute: it wraps to the identity.
            if let plugin = identity as? PluginIdentity {
                recipients.append(plugin.pluginRecipient)
                continue
            }
            guard let recipient = identity.recipient else { throw CLIError("an identity in the -i files has no recipient to encrypt to") }
            recipients.append(recipient)
        }
        return pluginUI.attached(to: recipients)
    }

    /// The identities in the `-i` files, in order; passphrase-protected files are decrypted first.
    func identities(files: [String]) throws -> [any Identity] {
        pluginUI.attached(to: try files.flatMap { path in
            let name = displayName(path)
            var contents: [UInt8] = []
            defer { SecureBytes.wipe(&contents) }
            let warning = try InputFile.with(path: path, kind: "identity file") { input in
                contents = try IdentityFile.read(from: input.source, name: name)
                return IdentityFile.permissionWarning(descriptor: input.fd, path: input.path, contents: contents)
            }
            if let warning { Output.note("warning: \(warning)") }
            let passphrases = passphrases
            return try IdentityFile.parse(contents: contents, name: name, passphrase: {
                try passphrases.passphrase(prompt: "Enter passphrase for identity file \(name): ")
            }, sshPassphrase: {
                try passphrases.passphrase(prompt: "Enter passphrase for SSH key \(name): ")
            })
        })
    }

    private func displayName(_ path: String) -> String { path == "-" ? "standard input" : path }

    /// "1st", "2nd", "3rd", "4th", … for naming which -r argument is wrong.
    private func ordinal(_ n: Int) -> String {
        let suffix = (11...13).contains(n % 100) ? "th" : [1: "st", 2: "nd", 3: "rd"][n % 10] ?? "th"
        return "\(n)\(suffix)"
    }
}

/// Unlocks passphrase-encrypted (scrypt) files, asking for the passphrase only when the file's
/// header has an scrypt stanza, as age does.
struct PassphraseIdentity: Identity {
    var recipient: (any Recipient)? { nil }

    /// Where the passphrase comes from.
    let passphrases: PassphraseSource
    /// The input's path, named in the error for a wrong passphrase.
    let file: String?

    func unwrap(stanzas: [Stanza]) throws -> SecureBytes? {
        guard stanzas.contains(where: { $0.type == "scrypt" }) else { return nil }
        let identity = ScryptIdentity(passphrase: try passphrases.passphrase(prompt: "Enter passphrase: "))
        guard let fileKey = try identity.unwrap(stanzas: stanzas) else {
            throw CLIError("incorrect passphrase", file: file)
        }
        return fileKey
    }
}
