import AgeFormat

/// Loads the recipients and identities named by `-r`, `-R` and `-i`; `-` reads standard input.
struct CommandLineKeys {
    /// Asked for the passphrase of passphrase-protected identity files.
    let passphrases: PassphraseSource

    /// The recipients of `-r` strings, `-R` files and, when encrypting with `-i`, identity files.
    func recipients(strings: [String], recipientFiles: [String], identityFiles: [String]) throws -> [any Recipient] {
        var recipients: [any Recipient] = try strings.map { try AgeKeys.recipient($0) }
        for path in recipientFiles {
            let text = String(decoding: try read(path, kind: "recipients file"), as: UTF8.self)
            recipients += try RecipientsFile.parse(text, name: displayName(path))
        }
        for identity in try identities(files: identityFiles) {
            guard let recipient = identity.recipient else { throw CLIError("an identity in the -i files has no recipient to encrypt to") }
            recipients.append(recipient)
        }
        return recipients
    }

    /// The identities in the `-i` files, in order; passphrase-protected files are decrypted first.
    func identities(files: [String]) throws -> [any Identity] {
        try files.flatMap { path in
            let name = displayName(path)
            var contents = try read(path, kind: "identity file")
            defer { SecureBytes.wipe(&contents) }
            if path != "-", let warning = IdentityFile.permissionWarning(path: path, contents: contents) {
                Output.note("warning: \(warning)")
            }
            return try IdentityFile.parse(contents: contents, name: name) {
                try passphrases.passphrase(prompt: "Enter passphrase for identity file \(name): ")
            }
        }
    }

    private func displayName(_ path: String) -> String { path == "-" ? "standard input" : path }

    private func read(_ path: String, kind: String) throws -> [UInt8] {
        try InputFile.with(path: path, kind: kind) { try $0.readAll() }
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
